# bash completion for ccmdiag
#
# Commands and options come from ccmdiag itself (`ccmdiag help`, `ccmdiag
# COMMAND --help`, `ccmdiag demo --list`), so they are always the ones the
# installed ccmdiag has.  File names are quoted as the shell needs them
# (spaces and all) and directories end in '/'.

# COMPREPLY: the files (or, with -d, directories) that start with $1
_ccmdiag_files() {
	local cur=$1 f IFS=$'\n'
	# what was typed, unquoted: 'my fi, "my fi, my\ fi -> my fi
	case $cur in
	\'* | \"*) cur=${cur:1} ;;
	*) cur=${cur//\\/} ;;
	esac
	COMPREPLY=()
	for f in $(compgen "${2:--f}" -- "$cur"); do
		if [ -d "$f" ]; then
			COMPREPLY+=("$(printf '%q' "$f")/")
		else
			COMPREPLY+=("$(printf '%q' "$f")")
		fi
	done
	# a directory is a step on the way: no space after it
	if [ "${#COMPREPLY[@]}" -gt 0 ] && [[ ${COMPREPLY[*]} == */ ]]; then
		compopt -o nospace 2>/dev/null
	fi
	return 0
}

# the options of command $2 of ccmdiag $1, one a line with the name of its
# argument: "--keytab FILE", "--capture =IFACE" (only as --capture=IFACE),
# "--https"
_ccmdiag_options() {
	"$1" "$2" --help 2>/dev/null | sed -n \
	    -e 's/^  \(-[A-Za-z], \)\{0,1\}\(--[a-z0-9-]*\)\[=\([A-Z|]*\)\].*/\2 =\3/p;t' \
	    -e 's/^  \(-[A-Za-z], \)\{0,1\}\(--[a-z0-9-]*\) \([A-Z][A-Z|]*\)\( .*\)\{0,1\}$/\2 \3/p;t' \
	    -e 's/^  \(-[A-Za-z], \)\{0,1\}\(--[a-z0-9-]*\)\( .*\)\{0,1\}$/\2/p'
}

# the words of $1 that start with $2
_ccmdiag_words() {
	mapfile -t COMPREPLY < <(compgen -W "$1" -- "$2")
}

# the formats command $2 of ccmdiag $1 takes, as its --help lists them
# ("report format: text, json, markdown or html (default text)")
_ccmdiag_formats() {
	"$1" "$2" --help 2>/dev/null | sed -n '/^  --format /,/(default/p' |
	    tr '\n' ' ' | sed -n 's/.*report format: \(.*\) (default.*/\1/p' |
	    sed 's/,//g; s/ or / /; s/  */ /g'
}

# ccmdiag $1's commands
_ccmdiag_commands() {
	"$1" help 2>/dev/null |
	    sed -n '/^commands:/,/^$/s/^  \([a-z0-9-]*\) .*/\1/p'
}

_ccmdiag() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local self=${COMP_WORDS[0]/#\~/$HOME} cmd=${COMP_WORDS[1]} arg
	local IFS=$' \t\n' words eq=
	COMPREPLY=()
	if [ "$COMP_CWORD" -eq 1 ]; then
		_ccmdiag_words "$(_ccmdiag_commands "$self") --help --version" \
		    "$cur"
		return 0
	fi
	# --opt=VALUE arrives as "--opt" "=" "VALUE"
	if [ "$prev" = = ] && [ "$COMP_CWORD" -ge 3 ]; then
		prev=${COMP_WORDS[COMP_CWORD-2]} eq=1
	elif [ "$cur" = = ]; then
		prev=${COMP_WORDS[COMP_CWORD-1]} eq=1
		cur=
	fi
	case $prev in
	-o) arg=FILE ;;
	--*) arg=$(_ccmdiag_options "$self" "$cmd" |
	    awk -v o="$prev" '$1 == o { print $2 }') ;;
	*) arg= ;;
	esac
	# an optional argument only follows '='
	case $arg in
	=*) if [ -n "$eq" ]; then arg=${arg#=}; else arg=; fi ;;
	esac
	case $arg in
	FILE | PEM | 'DIR|FILE') _ccmdiag_files "$cur"; return 0 ;;
	DIR) _ccmdiag_files "$cur" -d; return 0 ;;
	WHEN) _ccmdiag_words "auto always never" "$cur"; return 0 ;;
	IFACE) _ccmdiag_words "$(ls /sys/class/net 2>/dev/null)" "$cur"
	    return 0 ;;
	FORMAT)
		if [ "$cmd" = demo ]; then
			_ccmdiag_words "text json" "$cur"
		else
			_ccmdiag_words "$(_ccmdiag_formats "$self" "$cmd")" "$cur"
		fi
		return 0
		;;
	?*) return 0 ;;		# SECONDS, N, NAME: nothing to offer
	esac
	if [[ $cur == -* ]]; then
		words=$(_ccmdiag_options "$self" "$cmd" | awk '{ print $1 }')
		words="$words $("$self" "$cmd" --help 2>/dev/null |
		    sed -n 's/^  \(-[A-Za-z]\), .*/\1/p')"
		_ccmdiag_words "$words" "$cur"
		return 0
	fi
	case $cmd in
	analyze | fleet) _ccmdiag_files "$cur" ;;
	demo) _ccmdiag_words "$("$self" demo --list 2>/dev/null |
	    awk '{ print $1 }')" "$cur" ;;
	help) _ccmdiag_words "$(_ccmdiag_commands "$self")" "$cur" ;;
	esac
	return 0
}
complete -F _ccmdiag ccmdiag
