#!/bin/bash
# docs-sync.sh - the man page and the bash completion say what the program
# does: every option a command's --help lists is in docs/ccmdiag.1 and is
# offered by contrib/ccmdiag.bash, the versions agree, and the completion
# completes what it should (scenario names, file names with spaces,
# directories with a '/', only the formats a command takes).
srcdir=${CCMDIAG_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
ccmdiag=${CCMDIAG:-$srcdir/ccmdiag}
man=$srcdir/docs/ccmdiag.1
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "not ok - $*"; fail=$((fail + 1)); }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=contrib/ccmdiag.bash
. "$srcdir/contrib/ccmdiag.bash"
# complete WORD...: what _ccmdiag offers for the last word, one a line
complete_words() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	_ccmdiag
	[ "${#COMPREPLY[@]}" -eq 0 ] || printf '%s\n' "${COMPREPLY[@]}"
}

# --- versions ------------------------------------------------------------
v=$("$ccmdiag" --version | head -1)
th=$(sed -n 's/^\.TH [^"]*"[^"]*" "\([^"]*\)".*/\1/p' "$man")
[ "$v" = "$th" ] && ok || bad "the man page says '$th', the program '$v'"
[ "$("$ccmdiag" -V | head -1)" = "$v" ] && ok || bad "-V differs from --version"
for lib in krb5 libcurl OpenSSL libpcap libarchive; do
	"$ccmdiag" --version | grep -q "^  $lib  *[0-9]" && ok ||
	    bad "--version does not name $lib"
done

# --- every option of every command ----------------------------------------
cmds=$("$ccmdiag" help | sed -n '/^commands:/,/^$/s/^  \([a-z0-9-]*\) .*/\1/p')
[ "$(echo "$cmds" | wc -w)" -ge 7 ] && ok || bad "ccmdiag help lists: $cmds"
for c in $cmds; do
	grep -q "^\.SS ccmdiag $(echo "$c" | sed 's/-/\\\\-/g')" "$man" && ok ||
	    bad "the man page has no section for $c"
	"$ccmdiag" "$c" --help >"$tmp/help" 2>"$tmp/err"
	[ $? = 0 ] && [ -s "$tmp/help" ] && [ ! -s "$tmp/err" ] && ok ||
	    bad "$c --help: not on standard output with exit 0"
	longs=$(sed -n 's/^  \(-[A-Za-z], \)\{0,1\}--\([a-z0-9-]*\).*/\2/p' "$tmp/help")
	shorts=$(sed -n 's/^  -\([A-Za-z]\), .*/\1/p' "$tmp/help")
	[ -n "$longs" ] && ok || bad "$c --help lists no option"
	complete_words "$ccmdiag" "$c" - >"$tmp/offered"
	for o in $longs; do
		# "\-\-mp" followed by what ends a name ("\fR", " "), not
		# by more of one ("\-certs")
		pat=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
		grep -qE -- '\\-\\-'"$pat"'([^a-z0-9\\]|\\[^-]|$)' "$man" &&
		    ok || bad "$c --$o is not in docs/ccmdiag.1"
		grep -qx -- "--$o" "$tmp/offered" && ok ||
		    bad "$c --$o is not offered by the completion"
	done
	for o in $shorts; do
		grep -qE -- '\\-'"$o"'([^a-z0-9\\]|\\[^-]|$)' "$man" &&
		    ok || bad "$c -$o is not in docs/ccmdiag.1"
		grep -qx -- "-$o" "$tmp/offered" && ok ||
		    bad "$c -$o is not offered by the completion"
	done
	# what the completion offers for --format is what the command takes
	if grep -qx -- --format "$tmp/offered"; then
		for f in $(complete_words "$ccmdiag" "$c" --format ""); do
			"$ccmdiag" "$c" --format "$f" --help >/dev/null 2>&1 && ok ||
			    bad "$c --format $f is offered but refused"
		done
	fi
done
[ "$(complete_words "$ccmdiag" demo --format "" | tr '\n' ' ')" = "text json " ] &&
    ok || bad "demo --format offers more than text and json"
for c in probe fleet; do
	[ "$(complete_words "$ccmdiag" "$c" --format "" | sort | tr '\n' ' ')" = \
	    "html json jsonl markdown nagios text " ] && ok ||
	    bad "$c --format offers: $(complete_words "$ccmdiag" "$c" --format "" | tr '\n' ' ')"
done
[ "$(complete_words "$ccmdiag" analyze --format "" | sort | tr '\n' ' ')" = \
    "html json markdown text " ] && ok || bad "analyze --format offers more than it takes"
"$ccmdiag" analyze --format nagios x >/dev/null 2>&1
[ $? = 2 ] && ok || bad "analyze takes --format nagios"
complete_words "$ccmdiag" "" | grep -qx help && ok || bad "no 'help' command offered"

# --- arguments -------------------------------------------------------------
"$ccmdiag" demo --list | awk '{ print $1 }' >"$tmp/scen"
[ "$(wc -l <"$tmp/scen")" -ge 20 ] && ok || bad "demo --list lists few scenarios"
complete_words "$ccmdiag" demo "" >"$tmp/scen-offered"
cmp -s "$tmp/scen" "$tmp/scen-offered" && ok ||
    bad "ccmdiag demo <TAB> does not offer the scenarios"
complete_words "$ccmdiag" demo spn- | grep -qx spn-misbound && ok ||
    bad "ccmdiag demo spn-<TAB> does not offer spn-misbound"
mkdir -p "$tmp/w/case dir" "$tmp/w/cases"
: >"$tmp/w/my file.pcap"
cd "$tmp/w" || exit 99
[ "$(complete_words "$ccmdiag" analyze my)" = 'my\ file.pcap' ] && ok ||
    bad "a file name with a space: '$(complete_words "$ccmdiag" analyze my)'"
[ "$(complete_words "$ccmdiag" fleet my)" = 'my\ file.pcap' ] && ok ||
    bad "fleet FILE: '$(complete_words "$ccmdiag" fleet my)'"
[ "$(complete_words "$ccmdiag" analyze 'my\ f')" = 'my\ file.pcap' ] && ok ||
    bad "a file name typed with an escaped space"
complete_words "$ccmdiag" analyze ca | sort >"$tmp/dirs"
printf '%s\n' 'case\ dir/' 'cases/' | cmp -s - "$tmp/dirs" && ok ||
    bad "directories: $(tr '\n' ' ' <"$tmp/dirs")"
[ "$(complete_words "$ccmdiag" probe --evidence case | sort | tr '\n' ' ')" = \
    'case\ dir/ cases/ ' ] && ok || bad "--evidence does not offer directories"
complete_words "$ccmdiag" probe --evidence "" | grep -q 'my' &&
    bad "--evidence offers a file" || ok
[ "$(complete_words "$ccmdiag" probe --color = a | tr '\n' ' ')" = 'auto always ' ] &&
    ok || bad "--color=<TAB>"
[ "$(complete_words "$ccmdiag" probe --timeout "")" = "" ] && ok ||
    bad "--timeout offers words"
cd / || exit 99

echo "docs-sync: $pass passed, $fail failed"
[ "$fail" = 0 ]
