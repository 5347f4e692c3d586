#!/bin/sh
# cli.sh - usage errors and unreadable inputs give one line and the right
# exit code (2 usage, 3 cannot run), never a crash.
srcdir=${CCMDIAG_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
ccmdiag=${CCMDIAG:-$srcdir/ccmdiag}
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect WANT_RC PATTERN ARGS...: exit code and a message matching PATTERN
expect() {
	want=$1 pat=$2
	shift 2
	"$ccmdiag" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	if [ "$rc" = "$want" ] && grep -qE "$pat" "$tmp/err" "$tmp/out"; then
		pass=$((pass + 1))
	else
		echo "not ok - ccmdiag $*: exit $rc (want $want), output:"
		head -3 "$tmp/err" "$tmp/out"
		fail=$((fail + 1))
	fi
}

expect 2 'usage' 
expect 2 'unknown command' frobnicate
expect 0 'commands' --help
expect 2 'not a host name' probe 'mp.example;rm -rf'
expect 2 'not a host name' probe "$(printf 'mp\r\nX-Injected: 1')"
expect 2 'not a host name' probe ''
expect 2 'timeout' probe --timeout -1 mp.example
expect 2 'timeout' probe --timeout abc mp.example
expect 2 'bad port' probe --port 70000 mp.example
expect 2 'bad port' probe --port 80abc mp.example
expect 2 'bad port' mp-info --port 0 mp.example
expect 2 'bad port' register --create-record --port x mp.example
expect 3 'keytab /etc/hostname is not a usable keytab' probe --keytab /etc/hostname mp.example
expect 2 'principal names a key in --keytab' probe --principal a@B mp.example
expect 3 'cannot read --keytab' probe --keytab "$tmp/none" --principal a@B mp.example
expect 3 'cannot read --cacert' probe --https --cafile "$tmp/none.pem" mp.example
expect 2 'unknown format' probe --format xml mp.example
expect 2 'usage' probe
expect 0 'usage: ccmdiag probe' probe --help
expect 3 'cannot open' analyze "$tmp/none.pcap"
head -c 100 /dev/urandom >"$tmp/random.bin"
printf '\000\001\002' >>"$tmp/random.bin"
expect 3 'not a capture' analyze "$tmp/random.bin"
expect 2 'usage' analyze
expect 0 'dns-no-address' findings

echo "cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
