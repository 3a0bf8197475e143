#!/usr/bin/env bash
# Every man page renders cleanly: groff -man -ww -z says nothing, mandoc -Tlint reports at most
# style notes, and each page has the sections a reference needs.
source "$(dirname "$0")/common.sh"
: "${SHMKIT_BUILD_DIR:?}"
command -v mandoc >/dev/null || skip "no mandoc"

count=0
for scd in "$SHMKIT_SOURCE_DIR"/man/*.1.scd; do
  page=$SHMKIT_BUILD_DIR/man/$(basename "$scd" .scd)
  [[ -f $page ]] || fail "$page was not built"
  out=$(groff -man -ww -z "$page" 2>&1)
  [[ -z $out ]] || fail "groff on $page: $out"
  out=$(mandoc -Tlint "$page" 2>&1 | grep -v ': STYLE: ' || true)
  [[ -z $out ]] || fail "mandoc on $page: $out"
  for section in NAME SYNOPSIS DESCRIPTION "EXIT STATUS" EXAMPLES "SEE ALSO"; do
    grep -q "^\.SH \"\?$section\"\?$" "$page" || grep -q "^\.SH $section" "$page" ||
      fail "$page has no $section section"
  done
  count=$((count + 1))
done
[[ $count -ge 4 ]] || fail "only $count man pages"
