# bash completion for ccmdiag
_ccmdiag() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "probe analyze register mp-info demo findings --help --version" -- "$cur"))
		return
	fi
	case $prev in
	--format) COMPREPLY=($(compgen -W "text json markdown html" -- "$cur")); return ;;
	--keytab|--cafile|--cacert|--crl|--pkcs12|--mp-certs|-o|--output|--cert|--key) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--evidence) COMPREPLY=($(compgen -d -- "$cur")); return ;;
	--timeout|--port|--principal|--netbios|--fqdn|--confirm-wait) return ;;
	esac
	case ${COMP_WORDS[1]} in
	probe) COMPREPLY=($(compgen -W "--keytab --principal --timeout --port --https --cafile --capture --no-capture --evidence --format -o -v --help" -- "$cur")) ;;
	analyze) COMPREPLY=($(compgen -f -W "--format -o -v --evidence --help" -- "$cur")) ;;
	register) COMPREPLY=($(compgen -W "--create-record --anonymous --https --pkcs12 --cacert --crl --keytab --principal --netbios --fqdn --cert --key --mp-certs --confirm-wait --timeout --port --format -o -v --help" -- "$cur")) ;;
	mp-info) COMPREPLY=($(compgen -W "--https --cacert --port --timeout --format -o -v --help" -- "$cur")) ;;
	demo) COMPREPLY=($(compgen -W "--format --help" -- "$cur")) ;;
	findings) COMPREPLY=($(compgen -W "--markdown" -- "$cur")) ;;
	esac
}
complete -F _ccmdiag ccmdiag
