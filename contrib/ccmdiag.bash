# bash completion for ccmdiag
_ccmdiag() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "probe analyze demo findings --help --version" -- "$cur"))
		return
	fi
	case $prev in
	--format) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
	--keytab|--cafile|-o|--output) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--timeout|--port|--principal) return ;;
	esac
	case ${COMP_WORDS[1]} in
	probe) COMPREPLY=($(compgen -W "--keytab --principal --timeout --port --https --cafile --format -o -v --help" -- "$cur")) ;;
	analyze) COMPREPLY=($(compgen -f -W "--format -o -v --help" -- "$cur")) ;;
	demo) COMPREPLY=($(compgen -W "--format --help" -- "$cur")) ;;
	findings) COMPREPLY=($(compgen -W "--markdown" -- "$cur")) ;;
	esac
}
complete -F _ccmdiag ccmdiag
