# bash completion for shmkit(1)                                      -*- shell-script -*-
# Installed as ${datadir}/bash-completion/completions/shmkit and loaded on demand by
# bash-completion. Segment arguments complete from the live system through
# `shmkit ls --noheadings --raw -o SEGMENT` (capped, so 30,000 segments do not hang the shell).

_shmkit_subcommands="ls create rm read write attach watch"

# Long and short options of each subcommand. tests/e2e/completion-drift.sh checks these lists
# against `shmkit SUB --help`, the man pages and the zsh script.
_shmkit_opts_ls="--help --output --noheadings --raw --json --export --bytes --numeric-perms --time-format --sort --type --owner --all --limits --color -h -o -r -J -e -b -t -u -a"
_shmkit_opts_create="--help --size --mode --from --exist-ok --hugetlb --noreserve --allocate -h -s -m"
_shmkit_opts_rm="--help --all --type --owner --match --older-than --orphaned --dry-run --yes --force --verbose -h -a -t -u -n -y -f -v"
_shmkit_opts_read="--help --offset --length --format --type --count --endian --no-squeeze -h -s -n -f -t -c -v"
_shmkit_opts_write="--help --offset --data --hex --file --type --endian --fill --length --zero --grow --atomic --verbose -h -s -d -x -t -n -v"
_shmkit_opts_attach="--help --readonly --lock --prefault --timeout -h"
_shmkit_opts_watch="--help --offset --length --interval --type --count --endian --json --until --changes --timeout -h -s -n -t -c -J"

# Options that take a value, per subcommand (the next word is that value, not a segment).
_shmkit_args_ls="--output -o --time-format --sort --type -t --owner -u --color"
_shmkit_args_create="--size -s --mode -m --from"
_shmkit_args_rm="--type -t --owner -u --match --older-than"
_shmkit_args_read="--offset -s --length -n --format -f --type -t --count -c --endian"
_shmkit_args_write="--offset -s --data -d --hex -x --file --type -t --endian --fill --length -n"
_shmkit_args_attach="--timeout"
_shmkit_args_watch="--offset -s --length -n --interval --type -t --count -c --endian --until --changes --timeout"

_shmkit_columns="SEGMENT TYPE KEY ID NAME PERMS OWNER GROUP UID GID CUID CGID CUSER CGROUP SIZE RSS SWAP ALLOC NATTCH CPID LPID STATUS ATIME DTIME CTIME MTIME"
_shmkit_value_types="u8 i8 u16 i16 u32 i32 u64 i64 f32 f64"
_shmkit_max_segments=1000

_shmkit_has_word() { # WORD LIST...
  local w=$1
  shift
  local x
  for x in $*; do [[ $x == "$w" ]] && return 0; done
  return 1
}

# Canonical addresses of live segments (and key: forms of SysV keys), at most
# _shmkit_max_segments of them.
_shmkit_live_segments() {
  local cmd=${_shmkit_cmd:-shmkit}
  {
    "$cmd" ls --noheadings --raw -o SEGMENT 2>/dev/null
    "$cmd" ls --noheadings --raw -o KEY --type sysv 2>/dev/null |
      while read -r key; do [[ $key == 0x00000000 || $key == - ]] || printf 'key:%s\n' "$key"; done
  } | head -n "$_shmkit_max_segments"
}

_shmkit_complete_segment() {
  local cur=$1
  if [[ $cur == file:* ]]; then
    local path=${cur#file:} f
    local IFS=$'\n'
    for f in $(compgen -f -- "$path"); do
      [[ -d $f ]] && f+=/
      COMPREPLY+=("file:$f")
    done
    compopt -o nospace 2>/dev/null
  elif [[ $cur == ./* || $cur == ../* || ($cur == /*/* ) ]]; then
    _filedir
  else
    local IFS=$'\n'
    COMPREPLY+=($(compgen -W "$(_shmkit_live_segments)" -- "$cur"))
    if [[ -z $cur || file: == "$cur"* ]]; then
      COMPREPLY+=("file:")
      compopt -o nospace 2>/dev/null
    fi
  fi
}

# Comma-separated lists (-o COLS, --type sysv,posix): complete the last item.
_shmkit_complete_list() { # CUR ITEMS
  local cur=$1 items=$2
  local prefix="" last=$cur
  if [[ $cur == *,* ]]; then
    prefix=${cur%,*},
    last=${cur##*,}
  elif [[ $cur == +* ]]; then
    prefix=+
    last=${cur#+}
  fi
  local upper=${last^^} x
  for x in $items; do
    [[ $x == "$upper"* || $x == "$last"* ]] && COMPREPLY+=("$prefix$x")
  done
  compopt -o nospace 2>/dev/null
}

_shmkit() {
  local cur prev words cword
  _init_completion -n =: || return

  local sub="" i
  for ((i = 1; i < cword; i++)); do
    if _shmkit_has_word "${words[i]}" $_shmkit_subcommands; then
      sub=${words[i]}
      break
    fi
  done
  if [[ -z $sub ]]; then
    COMPREPLY=($(compgen -W "$_shmkit_subcommands --help --version" -- "$cur"))
    return
  fi

  # --opt=value is completed like --opt value.
  local value_of="" eq_prefix=""
  if [[ $cur == --*=* ]]; then
    value_of=${cur%%=*}
    eq_prefix=$value_of=
    cur=${cur#*=}
  elif [[ $cword -gt 1 ]]; then
    local args_var=_shmkit_args_$sub
    _shmkit_has_word "$prev" ${!args_var} && value_of=$prev
  fi

  if [[ -n $value_of ]]; then
    case $sub:$value_of in
      ls:--output | ls:-o | ls:--sort)
        _shmkit_complete_list "$cur" "$_shmkit_columns" ;;
      ls:--type | ls:-t | rm:--type | rm:-t)
        _shmkit_complete_list "$cur" "sysv posix file" ;;
      *:--type | *:-t) COMPREPLY=($(compgen -W "$_shmkit_value_types" -- "$cur")) ;;
      *:--format | *:-f) COMPREPLY=($(compgen -W "raw hexdump xxd hex string" -- "$cur")) ;;
      *:--endian) COMPREPLY=($(compgen -W "little big native" -- "$cur")) ;;
      *:--color) COMPREPLY=($(compgen -W "auto always never" -- "$cur")) ;;
      *:--time-format) COMPREPLY=($(compgen -W "short full iso" -- "$cur")) ;;
      *:--owner | *:-u) COMPREPLY=($(compgen -u -- "$cur")) ;;
      *:--from | *:--file) _filedir ;;
      *:--mode | *:-m) COMPREPLY=($(compgen -W "600 640 644 660 664 666" -- "$cur")) ;;
      *) ;;
    esac
    if [[ -n $eq_prefix ]]; then
      local k
      for k in "${!COMPREPLY[@]}"; do COMPREPLY[k]=$eq_prefix${COMPREPLY[k]}; done
    fi
    return
  fi

  if [[ $cur == -* ]]; then
    local opts_var=_shmkit_opts_$sub
    COMPREPLY=($(compgen -W "${!opts_var}" -- "$cur"))
    return
  fi
  _shmkit_complete_segment "$cur"
  __ltrim_colon_completions "$cur"
}
complete -F _shmkit shmkit
