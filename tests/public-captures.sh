#!/bin/sh
# public-captures.sh - none of the public captures (tests/data/pcap/public,
# see SOURCES.md there) holds a Configuration Manager client's exchange with
# a management point, so `ccmdiag analyze` must not blame an MP, an SPN, a
# clock, a trust, DNS or Kerberos for a client's approval on any of them:
# no finding whose id is one of
#   mp-*  spn-*  clock-*  trust-*  iis-*  no-trust-path  kdc-unreachable
#   dns-no-address  dns-cname-alias  dns-ptr-mismatch  dns-no-ptr
#   dns-no-kdc-srv  kerberos-failed  enctype-unsupported
# Each capture must be read, and the report must say that it holds no
# exchange with an MP (basis "no-exchange", exit 3), not that a client
# would be approved.
srcdir=${CCMDIAG_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
ccmdiag=${CCMDIAG:-$srcdir/ccmdiag}
dir=$srcdir/tests/data/pcap/public
pass=0 fail=0

command -v jq >/dev/null 2>&1 || { echo "public-captures: no jq"; exit 77; }
ls "$dir"/*.pcap >/dev/null 2>&1 || {
	echo "public-captures: no captures in $dir"; exit 99; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

blame='^(mp-|spn-|clock-|trust-|iis-)|^(no-trust-path|kdc-unreachable|dns-no-address|dns-cname-alias|dns-ptr-mismatch|dns-no-ptr|dns-no-kdc-srv|kerberos-failed|enctype-unsupported)$'

for f in "$dir"/*.pcap "$dir"/*.pcapng "$dir"/*.cap; do
	[ -f "$f" ] || continue
	name=$(basename "$f")
	"$ccmdiag" analyze --format json "$f" >"$tmp/out.json" 2>"$tmp/err"
	rc=$?
	basis=$(jq -r '.verdict.basis' "$tmp/out.json" 2>/dev/null)
	if [ $rc != 3 ] || [ "$basis" != no-exchange ]; then
		echo "FAIL $name: exit $rc, basis $basis: $(head -1 "$tmp/err")"
		fail=$((fail + 1))
		continue
	fi
	# the number of findings, then "id (severity)" of each that blames
	# the approval path (xN when repeated)
	res=$(jq -r --arg re "$blame" '
	    (.findings | length) as $n |
	    [.findings[] | select(.id | test($re)) |
	     "\(.id) (\(.severity))"] | group_by(.) |
	    map(if length > 1 then "\(.[0]) x\(length)" else .[0] end) |
	    "\($n)\t\(length)\t\(join(", "))"' "$tmp/out.json" 2>&1)
	case $res in
	[0-9]*"	"[0-9]*"	"*) ;;
	*)	echo "FAIL $name: no findings array in the report:" \
		    "$(printf '%s' "$res" | head -c 200)"
		fail=$((fail + 1))
		continue ;;
	esac
	n=${res%%	*} res=${res#*	}
	nbad=${res%%	*} bad=${res#*	}
	if [ "$nbad" != 0 ]; then
		echo "FAIL $name: $bad"
		fail=$((fail + 1))
	else
		echo "ok   $name: $n findings, none blames the approval path"
		pass=$((pass + 1))
	fi
done
echo "public-captures: $pass passed, $fail failed"
[ $pass -gt 0 ] && [ $fail -eq 0 ]
