#!/usr/bin/env bash
# issue 12: a --cas loop implements a lock that two shells take turns holding, and no turn is
# lost. Word 0 (u32) is the lock: 0 free, else the holder's number. Inside the critical section
# each shell reads the u64 tally at offset 8 and writes it back plus one with a plain,
# non-atomic read and write, and logs enter/leave: a lock that let both in would lose a tally
# or interleave the log. Releasing is a --cas from the holder's number back to 0, which must
# succeed (exit 0): nobody else changed the lock meanwhile. The shells alternate strictly: a
# turn word at offset 4 says whose turn it is, and only the holder of the lock passes it on.
source "$(dirname "$0")/common.sh"

turns=15
if sanitized; then
  turns=4 # ASan build: every attempt is a slow start-up, and CI runs two tests at once
fi
id=$(ipcmk -M 16 | awk '{ print $NF }')
on_exit "ipcrm -m $id"
truncate -s 16 /dev/shm/lock

# worker SEGMENT ME OTHER: takes the lock $turns times, each time when it is ME's turn.
worker() {
  local seg=$1 me=$2 other=$3 i tally spins=0
  for ((i = 0; i < turns; i++)); do
    until "$SHMKIT" write "$seg" --type u32 --cas 0 "$me" >/dev/null; do
      spins=$((spins + 1))
      sleep 0.01 # back off: the holder needs the CPU more than a spinning start-up does
    done
    if [[ $("$SHMKIT" read "$seg" -s 4 --type u32) != "$me" ]]; then
      # Not our turn: let go and try again (the turn does not count).
      "$SHMKIT" write "$seg" --type u32 --cas "$me" 0 || return 1
      i=$((i - 1))
      continue
    fi
    echo "enter $me" >>"$TEST_TMP/log"
    tally=$("$SHMKIT" read "$seg" -s 8 --type u64)
    "$SHMKIT" write "$seg" -s 8 --type u64 $((tally + 1))
    echo "leave $me" >>"$TEST_TMP/log"
    "$SHMKIT" write "$seg" -s 4 --type u32 "$other"
    "$SHMKIT" write "$seg" --type u32 --cas "$me" 0 || return 1
  done
  echo "$spins" >"$TEST_TMP/spins.$me"
}

for seg in "id:$id" posix:/lock; do
  : >"$TEST_TMP/log"
  "$SHMKIT" write "$seg" --type u32 -- 0 1 0 0 # free, shell 1 first, tally 0
  worker "$seg" 1 2 &
  a=$!
  worker "$seg" 2 1 &
  b=$!
  wait "$a" || fail "$seg: shell 1 lost the lock it held"
  wait "$b" || fail "$seg: shell 2 lost the lock it held"
  expect_eq "$("$SHMKIT" read "$seg" -s 8 --type u64)" "$((2 * turns))" "$seg tally"
  expect_eq "$("$SHMKIT" read "$seg" --type u32)" 0 "$seg lock free at the end"
  # Strict turns, never two inside: enter 1, leave 1, enter 2, leave 2, ...
  expected=$(for ((i = 0; i < turns; i++)); do printf 'enter 1\nleave 1\nenter 2\nleave 2\n'; done)
  expect_eq "$(cat "$TEST_TMP/log")" "$expected" "$seg turns"
  echo "$seg: failed --cas attempts: shell 1 $(cat "$TEST_TMP/spins.1"), shell 2 $(cat "$TEST_TMP/spins.2")"
done
