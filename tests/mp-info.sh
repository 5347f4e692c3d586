#!/bin/bash
# mp-info.sh - `ccmdiag mp-info` against the lab MP's .sms_aut CGI: a
# healthy MP over HTTP and HTTPS, and broken ones, each asserted by its
# finding ids and exit status with jq: TLS failure, nothing listening,
# MPLIST 500 while MPCERT answers (site database), an expired site signing
# certificate, an HTTPS-only MP (info), no getauth.dll.  The CGI's mode is
# the word in $STATEDIR/mp/sms_aut.mode.  Needs root (lab).
set -u

srcdir=${CCMDIAG_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
ccmdiag=${CCMDIAG:-$srcdir/ccmdiag}
lab=$srcdir/tests/lab/lab.sh
out=${CCMDIAG_TEST_OUT:-$PWD/tests/mp-info-results}
. "$srcdir/tests/lab/testenv.sh"
lab_names ccmi
pass=0 fail=0

# usage errors need no lab
for args in "" "--format pdf mp.parent.lab" "--port 0 mp.parent.lab" \
    "not..a..name"; do
	# shellcheck disable=SC2086
	"$ccmdiag" mp-info $args >/dev/null 2>&1
	rc=$?
	if [ $rc = 2 ]; then
		pass=$((pass + 1))
	else
		echo "not ok - mp-info $args: exit $rc, want 2"
		fail=$((fail + 1))
	fi
done
if [ "$(id -u)" != 0 ]; then
	echo "mp-info: needs root for network namespaces; skipped"
	exit 77
fi
command -v jq >/dev/null || { echo "mp-info: jq is missing"; exit 99; }

mkdir -p "$out"
trap '"$lab" down >/dev/null 2>&1' EXIT INT TERM
if ! "$lab" up >"$out/lab-up.log" 2>&1; then
	echo "mp-info: the lab did not start:"
	tail -20 "$out/lab-up.log"
	exit 99
fi
eval "$("$lab" env)"
modefile=$STATEDIR/mp/sms_aut.mode
trap 'rm -f "$modefile"; "$lab" down >/dev/null 2>&1' EXIT INT TERM

# check NAME MODE WANT_EXIT JQ_EXPR ARGS...
check() {
	local name=$1 mode=$2 want=$3 expr=$4 rc
	shift 4
	if [ -n "$mode" ]; then echo "$mode" >"$modefile"; else rm -f "$modefile"; fi
	"$lab" run "$ccmdiag" mp-info --timeout 5 --format json "$@" \
	    >"$out/$name.json" 2>"$out/$name.err"
	rc=$?
	"$lab" run "$ccmdiag" mp-info --timeout 5 -v "$@" >"$out/$name.txt" 2>&1
	rm -f "$modefile"
	if [ "$rc" = "$want" ] &&
	    [ "$(jq -r "(.command == \"mp-info\") and ($expr)" "$out/$name.json")" = true ]; then
		echo "ok - $name (exit $rc)"
		pass=$((pass + 1))
	else
		echo "not ok - $name: exit $rc (want $want)"
		head -c 3000 "$out/$name.json" "$out/$name.err"
		fail=$((fail + 1))
	fi
}

ids='[.findings[].id]'
errs='[.findings[] | select(.severity == "error") | .id]'
root='[.findings[] | select(.severity == "error")][0].id'
t='[.timeline[].text] | join("\n")'
healthy="($errs == []) and ($t | test(\"MPLIST answered HTTP 200\"))
    and ($t | test(\"SSLState 0 \\\\(HTTP\\\\)\"))
    and ($t | test(\"SITECODE: LAB\"))
    and ($t | test(\"certificate /CN=SMS Management Point Signing/O=mp-signing\"))
    and ($t | test(\"X509Certificate: certificate /CN=Lab Issuing CA\"))"
check healthy-http "" 0 "$healthy" "$MP_FQDN"
check healthy-https "" 0 "$healthy" --https --cacert "$MP_CA" "$MP_FQDN"
check tls-untrusted "" 1 "$root == \"mp-tls-failure\"" --https "$MP_FQDN"
check unreachable "" 1 "$root == \"mp-unreachable\"
    and ([.steps[] | select(.status == \"skipped\")] | length == 3)" \
    --port 8081 "$MP_FQDN"
check site-db-down sitedb-down 1 "$root == \"mp-site-db-unreachable\"
    and ($ids | index(\"mp-server-error\") == null)" "$MP_FQDN"
check cert-expired expired 1 "$root == \"mp-cert-expired\"
    and ($t | test(\"X509Certificate: certificate .*EXPIRED\"))" "$MP_FQDN"
check https-only https-only 0 "($errs == []) and ($ids | index(\"mp-https-only\") != null)" \
    "$MP_FQDN"
check getauth-missing missing 1 "$root == \"mp-getauth-unavailable\"" "$MP_FQDN"

# the other writers and -o
for f in markdown html; do
	"$lab" run "$ccmdiag" mp-info --format $f -o "$out/healthy.$f" "$MP_FQDN" \
	    >/dev/null 2>&1
	rc=$?
	if [ $rc = 0 ] && grep -q "$MP_FQDN" "$out/healthy.$f"; then
		pass=$((pass + 1))
	else
		echo "not ok - mp-info --format $f: exit $rc"
		fail=$((fail + 1))
	fi
done

# without -v the text report still says the site, the HTTPS state and how
# long the certificates hold
"$lab" run "$ccmdiag" mp-info "$MP_FQDN" >"$out/healthy-plain.txt" 2>&1
if grep -q "^  MPLIST .*MP $MP_FQDN HTTP (SSLState 0)" "$out/healthy-plain.txt" &&
    grep -q '^  MPKEYINFORMATION .*site LAB' "$out/healthy-plain.txt" &&
    grep -q '^  MPCERT .*valid to 20[0-9-]*' "$out/healthy-plain.txt"; then
	pass=$((pass + 1))
else
	echo "not ok - mp-info without -v hides the site, SSLState or validity"
	fail=$((fail + 1))
fi

echo "mp-info: $pass passed, $fail failed"
[ "$fail" = 0 ]
