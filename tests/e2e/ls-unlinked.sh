#!/usr/bin/env bash
# Objects unlinked while still in use (issue 11, "Unlinked but alive"): `rm --force` of a POSIX
# object that Python maps makes it a row with STATUS unlinked, STATE in-use, its holder and its
# exact size, addressed through the holder's /proc/PID/fd/FD; read works through that address,
# rm of it refuses, and the row goes when the holder exits. Also: JSON, --summary, --audit,
# a mapping-only holder (map_files), an unlinked shared-mapped file (--type file), a deleted
# file merely held open (not listed), and what nobody sees.
source "$(dirname "$0")/common.sh"

holder=$SHMKIT_SOURCE_DIR/tests/e2e/unlinked-holder.py
hexpath() { printf '%s' "$1" | od -An -tx1 -v | tr -d ' \n'; }
# start MODE PATH SIZE: starts a holder; sets pid fd start end.
start() {
  local fifo=$TEST_TMP/ready.$RANDOM
  mkfifo "$fifo"
  python3 "$holder" "$1" "$(hexpath "$2")" "$3" "$fifo" &
  on_exit "kill $!"
  read_fifo "$fifo" pid fd start end || fail "holder $1 $2 did not start"
}
cols=segment,type,name,status,state,pids,size,alloc

# The issue's scenario: multiprocessing.shared_memory maps /unl and keeps its fd.
start shm /dev/shm/unl 12345
shm_pid=$pid shm_fd=$fd
expect_eq "$("$SHMKIT" ls --noheadings --raw -o segment,status)" "posix:/unl -" "before"
expect_status 0 "$SHMKIT" rm --force posix:/unl
[[ ! -e /dev/shm/unl ]] || fail "rm left the name"
addr=file:/proc/$shm_pid/fd/$shm_fd
row="$addr posix /unl unlinked in-use ${shm_pid}mwf 12345 4096"
expect_eq "$("$SHMKIT" ls --noheadings --raw --bytes -o $cols)" "$row" "unlinked row"
expect_eq "$("$SHMKIT" ls --noheadings --raw --bytes -o $cols --type posix)" "$row" "--type posix"
expect_eq "$("$SHMKIT" ls --noheadings --raw -o segment --type sysv)" "" "--type sysv"
# The default listing shows it too (no column asks for the /proc scan there).
out=$("$SHMKIT" ls --noheadings --raw)
expect_eq "$out" "$addr posix - rw------- root 12K 1 - - unlinked" "default ls"
# Named by its address, it is the same object.
expect_eq "$("$SHMKIT" ls --noheadings --raw --bytes -o $cols "$addr")" "$row" "ls ADDRESS"
# JSON: status ["unlinked"], state in-use, the holder.
json=$("$SHMKIT" ls --json -o $cols)
expect_eq "$(jq -c '.segments[] | [.segment, .type, .name, .status, .state, .size, .alloc,
  [.pids[] | .pid, .mapped, .fds[0]]]' <<<"$json")" \
  "[\"$addr\",\"posix\",\"/unl\",[\"unlinked\"],\"in-use\",12345,4096,[$shm_pid,true,$shm_fd]]" "json"
# read through the holder's link shows what it holds.
expect_eq "$("$SHMKIT" read "$addr" --length 18)" "unlinked but alive" "read"
# rm of the address refuses, forced or not, and changes nothing.
for force in "" --force; do
  # shellcheck disable=SC2086 # $force is empty or one word
  expect_error 1 "cannot remove $addr: it is already unlinked" "$SHMKIT" rm $force "$addr"
done
expect_error 1 "cannot remove $addr: it is already unlinked" "$SHMKIT" rm --dry-run "$addr"
expect_eq "$("$SHMKIT" ls --noheadings --raw --bytes -o $cols)" "$row" "rm changed nothing"
# rm --all --orphaned never takes it (it is in use, and has no name to remove).
expect_status 0 "$SHMKIT" rm --all --orphaned --grace 0 --yes
expect_eq "$("$SHMKIT" read "$addr" --length 18)" "unlinked but alive" "still there"

# --summary counts it; --audit reports objects over 1 MiB only.
expect_status 0 "$SHMKIT" ls --summary --raw --bytes
expect_eq "$(grep '^status ' "$TEST_TMP/out")" "status unlinked 1 12345 4096 4096 0" "summary line"
expect_eq "$("$SHMKIT" ls --summary --json | jq -c '.summary.unlinked | [.segments, .size, .alloc]')" \
  "[1,12345,4096]" "summary json"
audit=$("$SHMKIT" ls --audit --json || true)
expect_eq "$(jq -c '[.findings[] | select(.id == "unlinked-held")]' <<<"$audit")" "[]" "small: no finding"
start shm /dev/shm/big $((2 * 1024 * 1024))
big_pid=$pid big_fd=$fd
expect_status 0 "$SHMKIT" rm --force posix:/big
audit=$("$SHMKIT" ls --audit --json || true)
expect_eq "$(jq -c '[.findings[] | select(.id == "unlinked-held") | [.subject, .severity, .message]]' <<<"$audit")" \
  "[[\"file:/proc/$big_pid/fd/$big_fd\",\"warning\",\"unlinked but still held: its 2097152 bytes are freed only when $big_pid (python3) exits or closes and unmaps it\"]]" \
  "audit"
expect_status 0 "$SHMKIT" ls --summary --json
expect_eq "$(jq -c '.summary.unlinked | [.segments, .size]' "$TEST_TMP/out")" "[2,2109497]" "two"

# When the holder exits, the object is freed and the row goes.
kill "$big_pid"
wait "$big_pid" 2>/dev/null || true
kill "$shm_pid"
wait "$shm_pid" 2>/dev/null || true
expect_eq "$("$SHMKIT" ls --noheadings --raw -o segment)" "" "gone with its holders"
expect_error 1 "cannot open $addr: no process $shm_pid with such an open fd" "$SHMKIT" read "$addr"

# Held only by a mapping (the fd closed): the address is the holder's map_files link.
start maponly /dev/shm/mo 5000
mo_pid=$pid mo_range=$start-$end
expect_status 0 "$SHMKIT" rm --force posix:/mo
maddr=file:/proc/$mo_pid/map_files/$mo_range
expect_eq "$("$SHMKIT" ls --noheadings --raw --bytes -o $cols)" \
  "$maddr posix /mo unlinked in-use ${mo_pid}mw 5000 4096" "map_files row"
expect_eq "$("$SHMKIT" read "$maddr" --length 18)" "unlinked but alive" "read map_files"

# Held only by an fd (no mapping): a POSIX object still counts.
start fdonly /dev/shm/fo 100
fo_pid=$pid fo_fd=$fd
rm /dev/shm/fo
expect_eq "$("$SHMKIT" ls --noheadings --raw --bytes -o $cols --type posix | grep ' /fo ')" \
  "file:/proc/$fo_pid/fd/$fo_fd posix /fo unlinked in-use ${fo_pid}f 100 4096" "fd-only POSIX"

# Files elsewhere: a shared mapping of an unlinked file is listed with --type file; a deleted
# file merely held open is not shared memory and is not listed.
start maponly "$TEST_TMP/ring" 8192
ring_pid=$pid ring_range=$start-$end
start fdonly "$TEST_TMP/log" 100
rm "$TEST_TMP/ring" "$TEST_TMP/log"
expect_eq "$("$SHMKIT" ls --noheadings --raw --bytes -o $cols --type file)" \
  "file:/proc/$ring_pid/map_files/$ring_range file $TEST_TMP/ring unlinked in-use ${ring_pid}mw 8192 4096" \
  "--type file"
# Not in the default listing (files are shown only when asked for).
out=$("$SHMKIT" ls --noheadings --raw -o segment,type)
[[ $out != *" file"* ]] || fail "a file in the default listing: $out"

# As nobody: root's holders cannot be read, so their unlinked objects are not listed (the
# warning says holders may be missing), and their links are refused with the reason.
expect_status 0 as_nobody "$SHMKIT" ls --noheadings --raw -o segment,status
expect_eq "$(cat "$TEST_TMP/out")" "" "nobody sees no unlinked rows"
grep -q "could not be read" "$TEST_TMP/err" || fail "no warning for nobody: $(cat "$TEST_TMP/err")"
expect_error 1 "cannot open file:/proc/$fo_pid/fd/$fo_fd: permission denied (another user's process: it needs ptrace access, as its owner or with CAP_SYS_PTRACE)" \
  as_nobody "$SHMKIT" read "file:/proc/$fo_pid/fd/$fo_fd"
expect_error 1 "cannot open $maddr: permission denied (map_files links need CAP_SYS_ADMIN)" \
  as_nobody "$SHMKIT" read "$maddr"
expect_error 1 "cannot open file:/proc/$fo_pid/fd/$fo_fd: permission denied" \
  as_nobody "$SHMKIT" write "file:/proc/$fo_pid/fd/$fo_fd" --data x

# --target: a process with its own /dev/shm (another mount namespace). Its unlinked object is
# found the same way, through that process's /dev/shm; the host's listing does not show it.
fifo=$TEST_TMP/ready.target
mkfifo "$fifo"
# shellcheck disable=SC2016 # expanded by the inner bash
unshare --mount --propagation private -- bash -c \
  'mount -t tmpfs inner /dev/shm && exec python3 "$1" shm "$2" 4096 "$3"' \
  bash "$holder" "$(hexpath /dev/shm/inside)" "$fifo" &
on_exit "kill $!"
read_fifo "$fifo" in_pid in_fd _ _ || fail "the --target holder did not start"
expect_status 0 "$SHMKIT" --target "$in_pid" rm --force posix:/inside
expect_eq "$("$SHMKIT" --target "$in_pid" ls --noheadings --raw --bytes -o $cols)" \
  "file:/proc/$in_pid/fd/$in_fd posix /inside unlinked in-use ${in_pid}mwf 4096 4096" "--target"
out=$("$SHMKIT" ls --noheadings --raw -o name --type posix)
[[ $out != *inside* ]] || fail "the host lists another /dev/shm's object: $out"
expect_eq "$("$SHMKIT" --target "$in_pid" read "file:/proc/$in_pid/fd/$in_fd" --length 18)" \
  "unlinked but alive" "--target read"

# nobody's own holder that only maps its unlinked object: nobody may read its maps, but not
# follow its map_files link (CAP_SYS_ADMIN): left out, with a warning that counts it.
fifo=$TEST_TMP/ready.nobody
mkfifo "$fifo"
chmod 666 "$fifo"
# The system's python3: a per-user one (pyenv) may be out of nobody's reach.
[[ -x /usr/bin/python3 ]] || skip "no /usr/bin/python3 for nobody"
# A copy of the holder: the source tree may be out of nobody's reach (a mktemp -d clone).
cp "$holder" "$TEST_TMP/holder-nobody.py"
chmod 644 "$TEST_TMP/holder-nobody.py"
as_nobody /usr/bin/python3 "$TEST_TMP/holder-nobody.py" maponly "$(hexpath /dev/shm/nb)" 4096 "$fifo" &
on_exit "kill $!"
read_fifo "$fifo" _ _ _ _ || fail "nobody's holder did not start"
rm /dev/shm/nb
expect_status 0 as_nobody "$SHMKIT" ls --noheadings --raw -o segment,status --type posix
expect_eq "$(cat "$TEST_TMP/out")" "" "nobody: no row for what it cannot inspect"
grep -qx "shmkit: warning: 1 unlinked object held only by mappings could not be inspected (following /proc/PID/map_files needs CAP_SYS_ADMIN): not listed" \
  "$TEST_TMP/err" || fail "no warning for the uninspectable object: $(cat "$TEST_TMP/err")"
