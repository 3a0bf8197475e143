#!/usr/bin/env bash
# `cpack -G DEB` builds shmkit_<version>_amd64.deb with real metadata and contents; unpacked
# into a throwaway root, the binary runs and its man page renders.
source "$(dirname "$0")/common.sh"
: "${SHMKIT_BUILD_DIR:?}"
command -v dpkg-deb >/dev/null || skip "no dpkg-deb"
command -v dpkg-shlibdeps >/dev/null || skip "no dpkg-shlibdeps (dpkg-dev)"

version=$("$SHMKIT" --version | cut -d' ' -f2)
(cd "$TEST_TMP" && cpack -G DEB -B "$TEST_TMP/pkg" --config "$SHMKIT_BUILD_DIR/CPackConfig.cmake" >/dev/null)
deb=$TEST_TMP/pkg/shmkit_${version}_amd64.deb
[[ -f $deb ]] || fail "no $deb: $(ls "$TEST_TMP/pkg")"

info=$(dpkg-deb -I "$deb")
for field in "Package: shmkit" "Version: $version" "Architecture: amd64" "Section: utils" \
  "Recommends: bash-completion"; do
  grep -qF " $field" <<<"$info" || fail "control lacks '$field'"
done
grep -qE '^ Depends: .*libc6 \(>= 2\.[0-9]+\)' <<<"$info" || fail "no dpkg-shlibdeps Depends: $info"
grep -q '^ Description: inspect, create, read, write, watch and remove Linux shared memory$' <<<"$info" ||
  fail "description"
[[ $(grep -c '^  ' <<<"$info") -ge 5 ]] || fail "no long description"

contents=$(dpkg-deb -c "$deb" | awk '{print $6}' | grep -v '/$' | sort)
expected="./usr/bin/shmkit
./usr/share/bash-completion/completions/shmkit
./usr/share/zsh/vendor-completions/_shmkit"
for scd in "$SHMKIT_SOURCE_DIR"/man/*.1.scd; do
  expected+=$'\n'"./usr/share/man/man1/$(basename "$scd" .scd).gz"
done
expect_eq "$contents" "$(sort <<<"$expected")" "package contents"

root=$TEST_TMP/root
dpkg -x "$deb" "$root"
file "$root/usr/bin/shmkit" | grep -q 'stripped' || fail "binary not stripped"
file "$root/usr/bin/shmkit" | grep -q 'not stripped' && fail "binary not stripped"
expect_eq "$("$root/usr/bin/shmkit" --version)" "shmkit $version" "installed --version"
# Whole, not `| grep -q`: under pipefail, man dying of SIGPIPE when grep quits first would fail.
[[ $(man -l "$root/usr/share/man/man1/shmkit.1.gz" 2>/dev/null) == *'ADDRESSING SEGMENTS'* ]] ||
  fail "man -l shmkit.1.gz"
