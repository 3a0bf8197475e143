#!/usr/bin/env bash
# Drift: every subcommand and every long option the binary has is documented in its man page
# and offered by both completion scripts; so is every ls column and every read --format value.
source "$(dirname "$0")/common.sh"
src=$SHMKIT_SOURCE_DIR
bash_script=$src/completions/shmkit.bash
zsh_script=$src/completions/_shmkit

subs=$("$SHMKIT" --help | awk '/^Subcommands:/ {on = 1; next} on && /^  [a-z]/ {print $1}')
[[ $(wc -w <<<"$subs") -eq 7 ]] || fail "expected 7 subcommands, got: $subs"

missing=()
for sub in $subs; do
  grep -q "\*$sub\*" "$src/man/shmkit.1.scd" || missing+=("shmkit(1) lacks subcommand $sub")
  grep -q "^_shmkit_subcommands=.*\b$sub\b" "$bash_script" || missing+=("bash lacks subcommand $sub")
  grep -q "$sub\\\\:" "$zsh_script" || missing+=("zsh lacks subcommand $sub")
  page=$src/man/shmkit-$sub.1.scd
  [[ -f $page ]] || { missing+=("no man page for $sub"); continue; }
  opts=$("$SHMKIT" "$sub" --help | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)
  bash_opts=$(grep "^_shmkit_opts_$sub=" "$bash_script")
  zsh_section=$(awk -v s="    $sub)" '$0 == s {on = 1; next} on && /^      ;;/ {exit} on' "$zsh_script")
  for opt in $opts; do
    grep -qE -- "(\*|, )$opt([*= ]|$)" "$page" || missing+=("shmkit-$sub(1) lacks $opt")
    grep -qE -- "(\"| )$opt( |\")" <<<"$bash_opts" || missing+=("bash lacks $sub $opt")
    grep -qF -- "$opt" <<<"$zsh_section" || missing+=("zsh lacks $sub $opt")
  done
  # And the other way round: the scripts offer nothing the binary does not have.
  for opt in $(grep -oE -- '--[a-z][a-z0-9-]*' <<<"$bash_opts"); do
    grep -qxF -- "$opt" <<<"$opts" || missing+=("bash offers $sub $opt, which does not exist")
  done
  for opt in $(grep -oE -- "'(\([^)]*\))?(\{[^}]*\}|--[a-z][a-z0-9-]*)" <<<"$zsh_section" | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u); do
    grep -qxF -- "$opt" <<<"$opts" || missing+=("zsh offers $sub $opt, which does not exist")
  done
done

# Every ls column.
cols=$("$SHMKIT" ls --help | awk '/Available:/ {on = 1; next} on && /^ +[A-Z]+ / {print $1} on && !/^ +[A-Z]+ / {on = 0}')
[[ $(wc -w <<<"$cols") -ge 20 ]] || fail "could not read the columns from ls --help: $cols"
for col in $cols; do
  grep -qF "*$col*" "$src/man/shmkit-ls.1.scd" || missing+=("shmkit-ls(1) lacks column $col")
  grep -q "^_shmkit_columns=.*\b$col\b" "$bash_script" || missing+=("bash lacks column $col")
  grep -qw "$col" <<<"$(awk '/^_shmkit_columns\(\)/,/^}/' "$zsh_script")" || missing+=("zsh lacks column $col")
done

# Every read --format value (listed in read --help as "raw|hexdump|...").
formats=$("$SHMKIT" read --help | grep -oE -- '--format [A-Z]+ +.*' | grep -oE '\b(raw|hexdump|xxd|hex|string|[a-z]+)\b' | sort -u)
for f in raw hexdump xxd hex string; do
  grep -qw "$f" <<<"$formats" || missing+=("read --help does not list format $f")
  grep -qF "*$f*" "$src/man/shmkit-read.1.scd" || missing+=("shmkit-read(1) lacks format $f")
  grep -qE -- "--format.*compgen -W \"[a-z ]*\b$f\b" "$bash_script" || missing+=("bash lacks format $f")
  grep -q "format:(.*\b$f\b" "$zsh_script" || missing+=("zsh lacks format $f")
done

# Every --help ends with the man page reference.
for sub in $subs; do
  last=$("$SHMKIT" "$sub" --help | tail -n 1)
  [[ $last == "See shmkit-$sub(1)." ]] || missing+=("$sub --help ends with '$last'")
done

if ((${#missing[@]})); then
  printf 'FAIL: %s\n' "${missing[@]}" >&2
  exit 1
fi
