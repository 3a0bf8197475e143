#!/usr/bin/env bash
# RSS and SWAP of POSIX objects and files (issue 10, "How much memory"): RSS equals what
# fincore(1) of util-linux reports as RES, by cachestat(2) and by the mincore(2) fallback of
# kernels before 6.5 (forced here with a seccomp filter that fails cachestat with ENOSYS); a
# caller who may not write the object gets null, never mincore's "every page resident".
source "$(dirname "$0")/common.sh"
command -v fincore >/dev/null || skip "no fincore"
command -v cc >/dev/null || skip "no C compiler"
[[ $(id -u) -eq 0 ]] || skip "needs root (runs as nobody too)"

if [[ -z $(swapon --show --noheadings) ]]; then
  # No swap: nothing can be swapped out, so SWAP is 0 wherever it is measured;
  # ls-memory-swap.sh adds a swap file of its own to see swapped pages.
  echo "note: this machine has no swap; SWAP is checked as 0 here (swapped pages: ls-memory-swap.sh)"
  no_swap=1
else
  no_swap=
fi

# A kernel without cachestat(2), as far as the child can tell.
cat >"$TEST_TMP/nocachestat.c" <<'C'
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <unistd.h>
int main(int argc, char **argv) {
  struct sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 451 /* cachestat */, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {sizeof filter / sizeof filter[0], filter};
  if (argc < 2 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
      prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
    return 126;
  execvp(argv[1], argv + 1);
  return 127;
}
C
cc -O2 -o "$TEST_TMP/nocachestat" "$TEST_TMP/nocachestat.c"
nocachestat=$TEST_TMP/nocachestat

# cells SEGMENT [WRAPPER...]: "RSS SWAP" in bytes ("-" where null).
cells() {
  local segment=$1
  shift
  "$@" "$SHMKIT" ls --raw --noheadings --bytes -o rss,swap "$segment"
}
res() { fincore --bytes --noheadings -o RES "$1" | tr -d ' '; }

# A POSIX object of 1 MiB, half of it touched (the rest holes, never in memory).
head -c 524288 /dev/urandom >"$TEST_TMP/half"
"$SHMKIT" create posix:/half --size 1M --mode 0644 --from "$TEST_TMP/half" >/dev/null
[[ $(stat -c %s /dev/shm/half) -eq 1048576 ]] || fail "posix:/half is not 1 MiB"
rss=$(res /dev/shm/half)
expect_eq "$rss" 524288 "fincore RES of a half-touched 1 MiB object"
read -r got_rss got_swap < <(cells posix:/half)
expect_eq "$got_rss" "$rss" "posix RSS by cachestat"
[[ -z $no_swap ]] || expect_eq "$got_swap" 0 "posix SWAP by cachestat, no swap"
[[ $got_swap =~ ^[0-9]+$ ]] || fail "posix SWAP by cachestat: $got_swap"
# mincore: the same RSS; SWAP of a tmpfs object cannot be told from a hole.
expect_eq "$(cells posix:/half "$nocachestat")" "$rss -" "posix RSS SWAP by mincore"

# JSON: numbers, and null where refused.
json=$("$SHMKIT" ls --json -o segment,rss,swap posix:/half)
expect_eq "$(python3 -c 'import json,sys; r=json.load(sys.stdin)["segments"][0]; print(r["rss"], r["swap"])' <<<"$json")" \
  "$rss $got_swap" "posix rss/swap in JSON"

# A sparse file of 2 MiB on a disk filesystem with a quarter of it written: those pages are
# in the page cache, the holes are not.
file=$TEST_TMP/data
truncate -s 2M "$file"
dd if=/dev/zero of="$file" bs=4096 seek=256 count=128 conv=notrunc status=none
chmod 0644 "$file"
rss=$(res "$file")
expect_eq "$rss" 524288 "fincore RES of the file"
# A disk file's pages are never swapped: SWAP is 0, by either method.
expect_eq "$(cells "file:$file")" "$(res "$file") 0" "file RSS SWAP by cachestat"
expect_eq "$(cells "file:$file" "$nocachestat")" "$(res "$file") 0" "file RSS SWAP by mincore"

# nobody may read but not write root's 0644 object: mincore would call every page resident
# (fincore shows the lie), so shmkit says nothing rather than guess.
as_nobody fincore --bytes --noheadings -o RES /dev/shm/half >"$TEST_TMP/lie"
expect_eq "$(tr -d ' ' <"$TEST_TMP/lie")" 1048576 "fincore as nobody (kernel commit 134fca9063ad)"
expect_eq "$(cells posix:/half as_nobody "$nocachestat")" "- -" "nobody, mincore fallback"
expect_eq "$(cells "file:$file" as_nobody "$nocachestat")" "- -" "nobody, mincore fallback, file"
# cachestat: refused by kernels that restrict it like mincore (6.18 does); an older one may
# answer, and then with the truth.
got=$(cells posix:/half as_nobody)
[[ $got == "- -" || $got == "524288 "* ]] || fail "nobody, cachestat: $got"
echo "as nobody, cachestat gives: $got"
json=$(as_nobody "$nocachestat" "$SHMKIT" ls --json -o segment,rss,swap posix:/half)
expect_eq "$(python3 -c 'import json,sys; r=json.load(sys.stdin)["segments"][0]; print(r["rss"], r["swap"])' <<<"$json")" \
  "None None" "null in JSON"

# A world-writable object is measured for nobody too.
"$SHMKIT" create posix:/open --size 64K --mode 0666 >/dev/null
expect_eq "$(cells posix:/open as_nobody "$nocachestat")" "$(res /dev/shm/open) -" "nobody, 0666"

# SysV: from /proc/sysvipc/shm (never attached: nattch, lpid and atime stay).
id=$(ipcmk -M 65536 | grep -oE '[0-9]+$')
on_exit "ipcrm -m $id"
before=$(sysv_field "$id" nattch):$(sysv_field "$id" lpid):$(sysv_field "$id" atime)
expect_eq "$(cells "id:$id")" "$(sysv_field "$id" rss) $(sysv_field "$id" swap)" "sysv RSS SWAP"
expect_eq "$(sysv_field "$id" nattch):$(sysv_field "$id" lpid):$(sysv_field "$id" atime)" "$before" \
  "sysv segment untouched by measuring"
# POSIX/file objects are opened read-only: their times do not move either.
stamp=$(stat -c '%x %y %z' /dev/shm/half)
cells posix:/half "$nocachestat" >/dev/null
cells posix:/half >/dev/null
expect_eq "$(stat -c '%x %y %z' /dev/shm/half)" "$stamp" "posix times untouched by measuring"
