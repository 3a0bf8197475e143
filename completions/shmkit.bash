# bash completion for shmkit(1)                                      -*- shell-script -*-
# Installed as ${datadir}/bash-completion/completions/shmkit and loaded on demand by
# bash-completion. Segment arguments complete from the live system through
# `shmkit ls --noheadings --raw -o SEGMENT` (capped, so 30,000 segments do not hang the shell).

_shmkit_subcommands="ls create rm read write attach watch"

# Long and short options of each subcommand. tests/e2e/completion-drift.sh checks these lists
# against `shmkit SUB --help`, the man pages and the zsh script.
_shmkit_opts_ls="--help --output --noheadings --raw --json --export --bytes --numeric-perms --time-format --sort --type --owner --all --limits --summary --audit --openmetrics --per-segment --color --grace --pid --detail --watch --interval --timeout --changes --all-namespaces -h -o -r -J -e -b -t -u -a -w -A"
_shmkit_opts_create="--help --size --mode --from --exist-ok --hugetlb --noreserve --allocate -h -s -m"
_shmkit_opts_rm="--help --all --type --owner --any-owner --match --older-than --orphaned --grace --keep --dry-run --yes --force --verbose -h -a -t -u -n -y -f -v"
_shmkit_opts_read="--help --offset --length --format --type --count --endian --no-squeeze --layout --struct --json --stable --seqlock --atomic -h -s -n -f -t -c -v -J"
_shmkit_opts_write="--help --offset --data --hex --file --type --endian --fill --length --zero --grow --atomic --cas --add --or --and --xor --layout --struct --set --field --verbose -h -s -d -x -t -n -v"
_shmkit_opts_attach="--help --readonly --lock --prefault --timeout -h"
_shmkit_opts_watch="--help --offset --length --interval --type --layout --struct --count --endian --json --until --changes --timeout -h -s -n -t -c -J"

# Options that take a value, per subcommand (the next word is that value, not a segment).
_shmkit_args_ls="--output -o --time-format --sort --type -t --owner -u --color --grace --pid --interval --timeout --changes"
_shmkit_args_create="--size -s --mode -m --from"
_shmkit_args_rm="--type -t --owner -u --match --older-than --grace --keep"
_shmkit_args_read="--offset -s --length -n --format -f --type -t --count -c --endian --layout --struct --seqlock"
_shmkit_args_write="--offset -s --data -d --hex -x --file --type -t --endian --fill --length -n --cas --add --or --and --xor --layout --struct --set --field"
_shmkit_args_attach="--timeout"
_shmkit_args_watch="--offset -s --length -n --interval --type -t --layout --struct --count -c --endian --until --changes --timeout"

_shmkit_columns="SEGMENT TYPE KEY ID NAME PERMS OWNER GROUP UID GID CUID CGID CUSER CGROUP SIZE RSS SWAP ALLOC NATTCH CPID LPID PIDS COMMAND STATUS STATE REASON ATIME DTIME CTIME MTIME IPCNS SHMDEV NSPID NSCOMM CONTAINER"
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
# _shmkit_max_segments of them; in the namespaces of the process _shmkit_target names (the
# --target typed before the subcommand; digits only, passed as one argument, never expanded).
_shmkit_live_segments() {
  local cmd=${_shmkit_cmd:-shmkit}
  local -a target=()
  [[ $_shmkit_target =~ ^[0-9]+$ ]] && target=(--target "$_shmkit_target")
  {
    "$cmd" "${target[@]}" ls --noheadings --raw -o SEGMENT 2>/dev/null
    # memfd:PID:FD only once the word says memfd: (listing them scans every process's fds).
    [[ ${1-} == memfd:* ]] && "$cmd" "${target[@]}" ls --noheadings --raw -o SEGMENT --type memfd 2>/dev/null
    "$cmd" "${target[@]}" ls --noheadings --raw -o KEY --type sysv 2>/dev/null |
      while read -r key; do [[ $key == 0x00000000 || $key == - ]] || printf 'key:%s\n' "$key"; done
  } | head -n "$_shmkit_max_segments"
}

# Reads the word being completed, as typed, without evaluating it (bash-completion's `dequote`
# runs eval on it), into:
#   _shmkit_word   the word unquoted: backslashes, '...' and "..." (an unclosed quote runs to
#                  the end of the word)
#   _shmkit_quote  the quote left open (' or "), or empty
#   _shmkit_keep   how many characters of _shmkit_word precede the text readline replaces: that
#                  text starts after the open quote, or else after the last unquoted `:` or `=`
#                  (both are in COMP_WORDBREAKS)
_shmkit_parse_word() { # WORD
  local in=$1 c q="" i n=${#1} breaks=${COMP_WORDBREAKS//[^:=]/}
  _shmkit_word="" _shmkit_keep=0
  for ((i = 0; i < n; i++)); do
    c=${in:i:1}
    if [[ $q == "'" ]]; then
      if [[ $c == "'" ]]; then q=""; else _shmkit_word+=$c; fi
    elif [[ $q == '"' ]]; then
      if [[ $c == '"' ]]; then
        q=""
      elif [[ $c == \\ && ${in:i+1:1} == [\$\`\"\\] ]]; then
        _shmkit_word+=${in:i+1:1}
        ((++i))
      else
        _shmkit_word+=$c
      fi
    elif [[ $c == \\ ]]; then
      _shmkit_word+=${in:i+1:1}
      ((++i))
    elif [[ $c == "'" || $c == '"' ]]; then
      q=$c
      _shmkit_keep=${#_shmkit_word}
    else
      _shmkit_word+=$c
      [[ -n $breaks && $c == ["$breaks"] ]] && _shmkit_keep=${#_shmkit_word}
    fi
  done
  _shmkit_quote=$q
}

# Adds WORD (a whole word the completion offers) to COMPREPLY: the part readline replaces (after
# _shmkit_keep), quoted for where the cursor is (printf %q, or inside the open '...' or "..."),
# so that the completed line reads back as exactly WORD. Names in /dev/shm are planted by any
# local user ($(...), `...`, ;, *, quotes): they are data, never word-expanded (no compgen -W on
# them, no unquoted $(...)).
_shmkit_add_quoted() { # WORD
  local tail=${1:_shmkit_keep} q=""
  case $_shmkit_quote in
    "'") q=${tail//"'"/"'\\''"} ;;
    '"')
      q=${tail//\\/\\\\}
      q=${q//\$/\\\$}
      q=${q//\`/\\\`}
      q=${q//\"/\\\"}
      q=${q//!/\"\'!\'\"} ;; # history expansion: no backslash stops it inside "..."
    *) [[ -z $tail ]] || printf -v q %q "$tail" ;;
  esac
  COMPREPLY+=("$q")
}

_shmkit_complete_segment() {
  local x
  _shmkit_parse_word "$1"
  local word=$_shmkit_word
  if [[ $word == file:* ]]; then
    local path=${word#file:}
    local -a files
    # compgen -f takes the path literally (bash 5.2; older bash dequotes it once, so a path with
    # quotes in it finds nothing, and runs nothing) and prints names one a line: read them
    # without splitting or globbing.
    mapfile -t files < <(compgen -f -- "$path")
    for x in "${files[@]}"; do
      [[ $x == "$path"* ]] || continue # the tail of a name with a newline in it
      [[ -d $x ]] && x+=/
      _shmkit_add_quoted "file:$x"
    done
    compopt -o nospace 2>/dev/null
  elif [[ $word == ./* || $word == ../* || $word == /*/* ]]; then
    _filedir
  else
    while IFS= read -r x; do
      [[ $x == "$word"* ]] && _shmkit_add_quoted "$x"
    done < <(_shmkit_live_segments "$word")
    if [[ -z $word || file: == "$word"* ]]; then
      _shmkit_add_quoted file:
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

# --target PID: the process ids in /proc that start with CUR (digits: safe as they are).
_shmkit_complete_pids() { # CUR
  local p
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    [[ $p == "$1"* ]] && COMPREPLY+=("$p")
  done
}

_shmkit() {
  local cur prev words cword
  _init_completion -n =: || return
  local _shmkit_word="" _shmkit_quote="" _shmkit_keep=0 _shmkit_target=""

  local sub="" i
  for ((i = 1; i < cword; i++)); do
    if [[ ${words[i]} == --target ]]; then
      _shmkit_target=${words[i + 1]}
      ((i++))
    elif [[ ${words[i]} == --target=* ]]; then
      _shmkit_target=${words[i]#--target=}
    elif _shmkit_has_word "${words[i]}" $_shmkit_subcommands; then
      sub=${words[i]}
      break
    fi
  done
  if [[ -z $sub ]]; then
    if [[ $prev == --target ]]; then
      _shmkit_complete_pids "$cur"
    elif [[ $cur == --target=* ]]; then
      _shmkit_complete_pids "${cur#--target=}"
      [[ $COMP_WORDBREAKS == *=* ]] || COMPREPLY=("${COMPREPLY[@]/#/--target=}")
    else
      COMPREPLY=($(compgen -W "$_shmkit_subcommands --help --version --target" -- "$cur"))
    fi
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
        _shmkit_complete_list "$cur" "sysv posix file memfd" ;;
      *:--type | *:-t) COMPREPLY=($(compgen -W "$_shmkit_value_types" -- "$cur")) ;;
      *:--format | *:-f) COMPREPLY=($(compgen -W "raw hexdump xxd hex string" -- "$cur")) ;;
      *:--endian) COMPREPLY=($(compgen -W "little big native" -- "$cur")) ;;
      *:--color) COMPREPLY=($(compgen -W "auto always never" -- "$cur")) ;;
      *:--time-format) COMPREPLY=($(compgen -W "short full iso" -- "$cur")) ;;
      *:--owner | *:-u)
        local u
        while IFS= read -r u; do _shmkit_add_quoted "$u"; done < <(compgen -u -- "$cur") ;;
      *:--from | *:--file) _filedir ;;
      *:--mode | *:-m) COMPREPLY=($(compgen -W "600 640 644 660 664 666" -- "$cur")) ;;
      *) ;;
    esac
    # readline replaces only what follows the `=` when `=` is in COMP_WORDBREAKS (the default).
    if [[ -n $eq_prefix && $COMP_WORDBREAKS != *=* ]]; then
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
}
complete -F _shmkit shmkit
