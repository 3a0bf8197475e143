#!/usr/bin/env bash
# issue 12 "A real server's header": PostgreSQL's SysV segment starts with its PGShmemHeader.
# read --layout with the struct as src/include/storage/pg_shmem.h declares it (plus the
# typedefs of int32, Size and dsm_handle) must show the magic 679834894, the postmaster's pid
# (line 1 of postmaster.pid) and the data directory's device and inode (stat -c '%d %i').
# The example of shmkit-read(1). The server is started as in example-postgresql.sh.
source "$(dirname "$0")/common.sh"
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[[ -x $bin/initdb ]] || skip "no PostgreSQL server (apt-get install postgresql-15)"
id postgres >/dev/null 2>&1 || skip "no postgres user"
[[ $(id -u) -eq 0 ]] || skip "needs root to run the server as postgres"

pg=$TEST_TMP/pg
mkdir -m 700 "$pg"
chown postgres: "$pg"
runuser -u postgres -- "$bin/initdb" -D "$pg/data" -A trust >/dev/null
runuser -u postgres -- "$bin/pg_ctl" -D "$pg/data" -l "$pg/log" -w \
  -o "-k $pg -c listen_addresses='' -c shared_buffers=16MB" start >/dev/null
on_exit "runuser -u postgres -- '$bin/pg_ctl' -D '$pg/data' -m immediate -w stop"

cat >"$TEST_TMP/pg_shmem.h" <<'H'
typedef int int32;
typedef size_t Size;
typedef uint32_t dsm_handle;

typedef struct PGShmemHeader	/* standard header for all Postgres shmem */
{
	int32		magic;			/* magic # to identify Postgres segments */
#define PGShmemMagic  679834894
	pid_t		creatorPID;		/* PID of creating process (set but unread) */
	Size		totalsize;		/* total size of segment */
	Size		freeoffset;		/* offset to first free space */
	dsm_handle	dsm_control;	/* ID of dynamic shared memory control seg */
	void	   *index;			/* pointer to ShmemIndex table */
#ifndef WIN32					/* Windows doesn't have useful inode#s */
	dev_t		device;			/* device data directory is on */
	ino_t		inode;			/* inode number of data directory */
#endif
} PGShmemHeader;
H

postmaster=$(sed -n 1p "$pg/data/postmaster.pid")
read -r _ shm_id < <(sed -n 7p "$pg/data/postmaster.pid")
read -r dev ino < <(stat -c '%d %i' "$pg/data")

# The example of shmkit-read(1).
expect_status 0 "$SHMKIT" read "id:$shm_id" --layout "@$TEST_TMP/pg_shmem.h"
field() { sed -n "s/^$1 = //p" "$TEST_TMP/out"; }
expect_eq "$(field magic)" 679834894 "magic"
expect_eq "$(field creatorPID)" "$postmaster" "creatorPID"
expect_eq "$(field device)" "$dev" "device"
expect_eq "$(field inode)" "$ino" "inode"
[[ $(field index) == 0x* ]] || fail "index is not a pointer: $(field index)"
expect_eq "$(cut -d' ' -f1 "$TEST_TMP/out" | paste -sd' ')" \
  "magic creatorPID totalsize freeoffset dsm_control index device inode" "the fields"

# JSON, and the same struct pasted inline with --struct.
expect_status 0 "$SHMKIT" read "id:$shm_id" --layout "$(cat "$TEST_TMP/pg_shmem.h")" \
  --struct PGShmemHeader --json
python3 - "$TEST_TMP/out" "$postmaster" "$dev" "$ino" <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))
assert h["magic"] == 679834894, h
assert h["creatorPID"] == int(sys.argv[2]), h
assert (h["device"], h["inode"]) == (int(sys.argv[3]), int(sys.argv[4])), h
PY

# Read-only, and it never attached for long: the server's own nattch is unchanged after.
nattch=$(sysv_field "$shm_id" nattch)
"$SHMKIT" read "id:$shm_id" --layout "@$TEST_TMP/pg_shmem.h" --stable >/dev/null
expect_eq "$(sysv_field "$shm_id" nattch)" "$nattch" "nattch after reading"
echo ok
