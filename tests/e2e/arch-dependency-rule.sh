#!/usr/bin/env bash
# DESIGN.md section 1: cmd never touches the kernel's shared-memory calls, lib never prints,
# exits or includes CLI11, and only the factory names all three backends.
source "$(dirname "$0")/common.sh"
cd "$SHMKIT_SOURCE_DIR"

bad=$(grep -nE '\b(shmget|shmat|shmdt|shmctl|shm_open|shm_unlink|mmap|munmap|opendir)\s*\(' cmd/*.cpp cmd/*.hpp | grep -vE '^[^:]+:[0-9]+:\s*//' || true)
[[ -z $bad ]] || fail "cmd/ calls kernel shared-memory functions directly:"$'\n'"$bad"

bad=$(grep -nE '#include <CLI/|std::cout|std::cerr|\bprintf\s*\(|\bputs\s*\(|std::exit|\bexit\s*\(|\babort\s*\(|fmt::print' lib/shmkit/*.cpp lib/shmkit/*.hpp | grep -vE '^[^:]+:[0-9]+:\s*//' || true)
[[ -z $bad ]] || fail "lib/ prints, exits or includes CLI11:"$'\n'"$bad"

named_all=()
for f in lib/shmkit/*.cpp cmd/*.cpp; do
  if grep -q 'SysvBackend' "$f" && grep -q 'PosixBackend' "$f" && grep -q 'FileBackend' "$f"; then
    named_all+=("$f")
  fi
done
expect_eq "${named_all[*]}" "lib/shmkit/backend.cpp" "files naming all three backends"
