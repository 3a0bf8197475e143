#!/usr/bin/env bash
# lib/README.md, the dependency rule: cmd never touches the kernel's shared-memory calls, lib never prints,
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

# Issue 9: kind decisions live in lib (kind_traits() in the factory). cmd/ may print a kind's
# name (kind_name) or parse one, but never tests a Kind, and no array in cmd/ is indexed by it.
bad=$(grep -nE '\bKind::(sysv|posix|file)\b|static_cast<std::size_t>\([a-z_.>-]*kind\)' cmd/*.cpp cmd/*.hpp |
  grep -vE '^[^:]+:[0-9]+:\s*//' || true)
[[ -z $bad ]] || fail "cmd/ tests backend kinds (use kind_traits() from lib):"$'\n'"$bad"

# lib decides no exit status: only cmd/command.cpp maps outcomes to statuses, and no subcommand
# prints usage errors itself (plan() returns them).
bad=$(grep -nE '(^|[^.>a-z_])(usage_error|report)\(' cmd/*.cpp | grep -vE '^cmd/(main|output|command)\.cpp:' |
  grep -vE '^[^:]+:[0-9]+:\s*//' || true)
[[ -z $bad ]] || fail "subcommands decide statuses themselves (return errors from plan/work):"$'\n'"$bad"

# Issue 11, --target: every location cmd/ uses comes from system_paths() (cmd/target.hpp), so no
# backend or scan can look at our own namespaces while the others look at the target's.
bad=$(grep -nE 'Paths\{\}|Paths [a-z_]+;|make_backend\([^,()]*\)|BackendSet [a-z_]+;' cmd/*.cpp cmd/*.hpp |
  grep -v "^cmd/target\.cpp:" |
  grep -vE '^[^:]+:[0-9]+:\s*//' || true)
[[ -z $bad ]] || fail "cmd/ makes its own Paths (use system_paths()):"$'\n'"$bad"
echo ok
