# bash completion for whopconf (installed as
# share/bash-completion/completions/whopconf).
#
# The option lists follow `whopconf <command> --help`; ctest
# man_page_matches_help fails when an option printed there is not offered
# here. Fault names and requirement ids are asked from the whopconf being
# completed, so they are never out of date.

# Words never hold spaces (options, fault names, requirement ids).
_whopconf_words() {
  COMPREPLY=($(compgen -W "$1" -- "$2"))
}

# A comma-separated list: completes the item after the last comma.
_whopconf_list() {
  local cur=$1 items=$2 done_part=
  [[ $cur == *,* ]] && done_part=${cur%,*},
  COMPREPLY=($(compgen -P "$done_part" -W "$items" -- "${cur##*,}"))
  [[ ${#COMPREPLY[@]} -eq 1 ]] && compopt -o nospace 2>/dev/null
}

_whopconf_files() {
  local IFS=$'\n'
  compopt -o filenames 2>/dev/null
  if [[ $1 == dirs ]]; then
    COMPREPLY=($(compgen -d -- "$2"))
  else
    COMPREPLY=($(compgen -f -- "$2"))
  fi
}

_whopconf() {
  local self=$1 cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
  local cmd=${COMP_WORDS[1]} opts=
  COMPREPLY=()

  if [[ $COMP_CWORD -eq 1 ]]; then
    _whopconf_words "run fuzz serve proxy validate check report version help --help --version" "$cur"
    return
  fi

  case $cmd in
  run)
    opts="--base-url --token --api-key --token-without-scope --account-id --allow-writes
          --allow-picture-writes --picture-id --api-version --known-version --spec --only --strict
          --seed -j --jobs --keep-going --report-dir --format --list-requirements --list-cases
          --timeout --connect-timeout --max-response-time --max-body --cacert --insecure --allow-http
          --http-client --rate --retries --phases --help"
    ;;
  fuzz)
    opts="--base-url --token --api-key --token-without-scope --account-id --allow-writes
          --allow-picture-writes --picture-id --api-version --known-version --spec --strict --seed
          --report-dir --format --timeout --connect-timeout --max-response-time --max-body --cacert
          --insecure --allow-http --http-client --rate --retries --phases --max-requests --duration --workers
          --shrink-budget --no-shrink --shard --max-request-body --help"
    ;;
  serve)
    opts="--host --port --fault --list-faults --lenient --list-lenient --user-token
          --token-without-scope --api-key --known-version --show-balances --max-body --help"
    ;;
  proxy)
    opts="--upstream --host --port --report-dir --format --duration --report-every --annotate
          --known-version --api-version --spec --cacert --insecure --allow-http --timeout
          --connect-timeout --idle-timeout --max-connections --max-body --max-response-body --help"
    ;;
  validate)
    opts="--schema --spec --no-format --max-depth --help"
    ;;
  check)
    opts="--base-path --api-version --known-version --spec --report-dir --format --strict
          --max-response-time --max-entry --help"
    ;;
  report)
    if [[ $COMP_CWORD -eq 2 ]]; then
      _whopconf_words "diff render merge --help" "$cur"
      return
    fi
    case ${COMP_WORDS[2]} in
    render) opts="--report-dir --format --spec --help" ;;
    merge) opts="--report-dir --format --spec --force --help" ;;
    *) opts="--help" ;;
    esac
    ;;
  *)
    return
    ;;
  esac

  case $prev in
  --spec | --cacert)
    _whopconf_files files "$cur"
    return
    ;;
  --report-dir)
    _whopconf_files dirs "$cur"
    return
    ;;
  --http-client)
    _whopconf_list "$cur" "auto curl"
    return
    ;;
  --format)
    _whopconf_list "$cur" "json junit sarif md html har all"
    return
    ;;
  --phases)
    _whopconf_list "$cur" "coverage fuzzing stateful all none"
    return
    ;;
  --fault)
    _whopconf_words "$("$self" serve --list-faults 2>/dev/null | cut -d' ' -f1)" "$cur"
    return
    ;;
  --lenient)
    # "max-name=N" completes to "max-name=", the user types N
    _whopconf_words "$("$self" serve --list-lenient 2>/dev/null | awk '{sub(/=N$/, "=", $1); print $1}')" "$cur"
    [[ ${COMPREPLY[0]-} == *= ]] && compopt -o nospace 2>/dev/null
    return
    ;;
  --only)
    _whopconf_words "$("$self" run --list-requirements 2>/dev/null | awk 'NR > 1 {print $1}')
$("$self" run --list-cases 2>/dev/null | awk '{print $2}')" "$cur"
    return
    ;;
  --schema)
    _whopconf_words "#/components/schemas/" "$cur"
    compopt -o nospace 2>/dev/null
    return
    ;;
  --base-url | --token | --api-key | --token-without-scope | --account-id | --picture-id | \
    --api-version | --known-version | --seed | -j | --jobs | --timeout | --connect-timeout | \
    --max-response-time | --max-body | --rate | --retries | --host | --port | --user-token | \
    --max-depth | --upstream | --duration | --report-every | --idle-timeout | --max-connections | \
    --max-response-body | --base-path | --max-entry | --max-requests | --workers | --shrink-budget | \
    --shard | --max-request-body)
    return # a value only the user knows
    ;;
  esac

  if [[ $cur == -* ]]; then
    _whopconf_words "$opts" "$cur"
    return
  fi
  case $cmd in
  validate | check | report) _whopconf_files files "$cur" ;;
  esac
}

complete -F _whopconf whopconf
