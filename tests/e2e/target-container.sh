#!/usr/bin/env bash
# shmkit --target PID (issue 11, containers): a simulated container (its own IPC namespace and
# its own /dev/shm) seen from outside: ls equals what shmkit lists inside, field by field
# (PIDs and the target fields aside); read sees what the holder wrote, write changes what the
# holder sees, rm and create act inside (ipcs inside confirms); the host's segments and the
# container's never mix.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/target-lib.sh"
command -v jq >/dev/null || skip "no jq"
command -v nsenter >/dev/null || skip "no nsenter"
python3 -c 'from multiprocessing import shared_memory' 2>/dev/null || skip "no shared_memory"

# The host's own segments (this test's namespaces).
host_id=$("$SHMKIT" create key:0x7e570001 --size 4K)
"$SHMKIT" create posix:/host_only --size 4K >/dev/null

start_container c1 own own
pid=$CTR_PID
ipc_ns=$(readlink "/proc/$pid/ns/ipc")
ipc_ns=${ipc_ns#ipc:[}
ipc_ns=${ipc_ns%]}
[[ $(readlink /proc/self/ns/ipc) != "ipc:[$ipc_ns]" ]] || fail "the container shares our IPC ns"

# ls --json: the same rows outside and inside, but for the process ids and the target fields.
strip='.segments | map(with_entries(select(.key | test("pid|^target$") | not)))'
outside=$("$SHMKIT" --target "$pid" ls --json)
in_ctr=$(inside "$pid" "$SHMKIT" ls --json)
expect_eq "$(jq -S "$strip" <<<"$outside")" "$(jq -S "$strip" <<<"$in_ctr")" "ls --json outside vs inside"
expect_eq "$(jq -r '.segments[].segment' <<<"$outside" | sort | paste -sd' ')" \
  "$(printf '%s\n' "id:$CTR_SHMID" "id:$CTR_SPARE_SHMID" posix:/ctr_c1 posix:/spare_c1 | sort | paste -sd' ')" \
  "the container's segments"
# The fields that name what was read.
expect_eq "$(jq -c '.target' <<<"$outside")" \
  "{\"pid\":$pid,\"command\":\"python3\",\"ipc_ns\":$ipc_ns,\"dev_shm\":{\"path\":\"/dev/shm\",\"dev\":\"$(stat -c '%Hd:%Ld' "/proc/$pid/root/dev/shm")\"}}" \
  "the target member"
expect_eq "$(jq "[.segments[] | select(.target != $pid)] | length" <<<"$outside")" 0 "row targets"
expect_eq "$("$SHMKIT" --target "$pid" ls --detail --json posix:/ctr_c1 | jq '[.segment, .target]' -c)" \
  "[\"posix:/ctr_c1\",$pid]" "ls --detail --json"
# Inside, and without --target, no target member.
expect_eq "$(jq 'has("target")' <<<"$in_ctr")" false "no target member without --target"
expect_eq "$("$SHMKIT" ls --json | jq '[.segments[] | has("target")] | any')" false "rows without --target"

# The table names the namespace; --noheadings, --raw and no --target print no such line.
expect_eq "$("$SHMKIT" --target "$pid" ls | head -n 1)" "# ipc:[$ipc_ns] /dev/shm of pid $pid (python3)" "header"
[[ $("$SHMKIT" --target "$pid" ls | sed -n 2p) == SEGMENT* ]] || fail "column headings after the line"
[[ $("$SHMKIT" --target "$pid" ls --noheadings) != *'#'* ]] || fail "--noheadings prints the line"
[[ $("$SHMKIT" --target "$pid" ls --raw) != '#'* ]] || fail "--raw prints the line"
[[ $("$SHMKIT" ls) != '#'* ]] || fail "a header line without --target"
expect_eq "$("$SHMKIT" --target="$pid" ls | head -n 1)" "# ipc:[$ipc_ns] /dev/shm of pid $pid (python3)" "--target=PID"

# The host's segments are not shown under --target, nor the container's without it.
jq -e '[.segments[] | select(.segment == "posix:/host_only" or .key == "0x7e570001")] | length == 0' \
  <<<"$outside" >/dev/null || fail "host segments under --target"
host=$("$SHMKIT" ls --json)
jq -e '[.segments[] | select(.segment == "posix:/ctr_c1" or .segment == "posix:/spare_c1")] | length == 0' \
  <<<"$host" >/dev/null || fail "container segments on the host"
jq -e '[.segments[] | select(.key == "0x7e570001")] | length == 1' <<<"$host" >/dev/null ||
  fail "the host segment is missing on the host"

# read sees what the holder wrote; write changes what the holder sees.
expect_eq "$("$SHMKIT" --target "$pid" read "id:$CTR_SHMID" --type u32 --count 1)" 1111 "read SysV"
expect_eq "$("$SHMKIT" --target "$pid" read posix:/ctr_c1 --type u32 --count 1)" 2222 "read POSIX"
"$SHMKIT" --target "$pid" write "id:$CTR_SHMID" --type u32 4321
"$SHMKIT" --target "$pid" write posix:/ctr_c1 --type u32 8765
wait_file "$TEST_TMP/c1.sysv-seen" || fail "the holder did not see the SysV write"
wait_file "$TEST_TMP/c1.posix-seen" || fail "the holder did not see the POSIX write"
# file: paths are looked up under the target's root; the same path on the host is absent.
expect_eq "$("$SHMKIT" --target "$pid" read file:/dev/shm/ctr_c1 --type u32 --count 1)" 8765 "read file"
expect_status 1 "$SHMKIT" read file:/dev/shm/ctr_c1 --type u32 --count 1

# create and rm act inside: ipcs and /dev/shm inside confirm it, the host is untouched.
expect_eq "$("$SHMKIT" --target "$pid" create posix:/made_outside --size 4K)" posix:/made_outside "create POSIX"
inside "$pid" test -f /dev/shm/made_outside || fail "created object missing inside"
[[ ! -e /dev/shm/made_outside ]] || fail "created object on the host"
made=$("$SHMKIT" --target "$pid" create key:0x7e570002 --size 4K)
[[ $(inside "$pid" ipcs -m) == *0x7e570002* ]] || fail "created SysV segment missing inside"
[[ $(ipcs -m) != *0x7e570002* ]] || fail "created SysV segment on the host"

"$SHMKIT" --target "$pid" rm "id:$CTR_SPARE_SHMID" posix:/spare_c1 "$made" posix:/made_outside
# (ipcs -i of a missing id exits 0: look for the shmid column of ipcs -m.)
inside "$pid" ipcs -m | awk -v id="$CTR_SPARE_SHMID" '$2 == id {exit 1}' || fail "spare SysV segment still inside"
[[ $(inside "$pid" ipcs -m) != *0x7e570002* ]] || fail "created SysV segment still inside"
! inside "$pid" test -e /dev/shm/spare_c1 || fail "spare POSIX object still inside"
[[ -n $(sysv_field "${host_id#id:}" key) ]] || fail "the host segment was removed"
[[ -e /dev/shm/host_only ]] || fail "the host object was removed"
# The holder's own segments are still there.
expect_eq "$("$SHMKIT" --target "$pid" ls --noheadings --raw -o SEGMENT | sort | paste -sd' ')" \
  "$(printf '%s\n' "id:$CTR_SHMID" posix:/ctr_c1 | sort | paste -sd' ')" "left inside"
echo ok
