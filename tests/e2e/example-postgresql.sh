#!/usr/bin/env bash
# shmkit(1)'s example "inspect PostgreSQL's segments", against a real PostgreSQL server started
# in this test's private IPC and mount namespaces (no network: Unix socket in $TEST_TMP only).
# PostgreSQL writes the key and id of its SysV segment into postmaster.pid; shmkit must agree,
# and must see the POSIX dynamic shared memory segments with their mapping processes.
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
  -o "-k $pg -c listen_addresses='' -c dynamic_shared_memory_type=posix -c shared_buffers=16MB" \
  start >/dev/null
on_exit "runuser -u postgres -- '$bin/pg_ctl' -D '$pg/data' -m immediate -w stop"

postmaster=$(sed -n 1p "$pg/data/postmaster.pid")
read -r shm_key shm_id < <(sed -n 7p "$pg/data/postmaster.pid")

# The example itself.
expect_status 0 "$SHMKIT" ls -o +CUSER,CTIME --owner postgres
[[ $(wc -l <"$TEST_TMP/out") -ge 3 ]] || fail "expected a SysV and POSIX segments: $(cat "$TEST_TMP/out")"

# SysV: key and id as postmaster.pid records them, created by the postmaster.
expect_eq "$("$SHMKIT" ls --type sysv --owner postgres --noheadings --raw -o SEGMENT,KEY,CPID,CUSER)" \
  "id:$shm_id $(printf '0x%08x' "$shm_key") $postmaster postgres" "PostgreSQL's SysV segment"
nattch=$(sysv_field "$shm_id" nattch)
expect_eq "$("$SHMKIT" ls --noheadings --raw -o NATTCH "id:$shm_id")" "$nattch" "nattch as the kernel counts it"
[[ $nattch -ge 2 ]] || fail "postmaster and its children attach: nattch $nattch"

# POSIX: the dynamic shared memory segments, mapped by the server's processes.
mapfile -t dsm < <(cd /dev/shm && ls PostgreSQL.*)
[[ ${#dsm[@]} -ge 1 ]] || fail "no /dev/shm/PostgreSQL.* objects"
for name in "${dsm[@]}"; do
  row=$("$SHMKIT" ls --noheadings --raw --bytes -o SEGMENT,OWNER,SIZE,NATTCH "posix:/$name")
  read -r seg owner size users <<<"$row"
  expect_eq "$seg $owner $size" "posix:/$name postgres $(stat -c %s "/dev/shm/$name")" "$name"
  # Count by inode and path (this test's tmpfs, not another /dev/shm with the same name).
  ino=$(stat -c %i "/dev/shm/$name")
  mappers=$(for maps in /proc/[0-9]*/maps; do
    awk -v ino="$ino" -v path="/dev/shm/$name" '$5 == ino && $6 == path {print FILENAME; exit}' \
      "$maps" 2>/dev/null || true
  done | wc -l)
  expect_eq "$users" "$mappers" "processes mapping $name"
done

# The second half of the example: dump the start of a dynamic shared memory segment.
if "$SHMKIT" read --help >/dev/null 2>&1; then
  expect_status 0 "$SHMKIT" read "posix:/${dsm[0]}" --length 64
  cmp "$TEST_TMP/out" <(head -c 64 "/dev/shm/${dsm[0]}") || fail "read differs from the object"
fi
