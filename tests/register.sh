#!/bin/bash
# register.sh - `ccmdiag register` against the lab MP: with Kerberos the
# registration goes Pending -> confirmation -> Registered and approved;
# with --anonymous it is registered but not approved.  The MP's reply
# signature against the right, a wrong and no --mp-certs; broken replies
# (the lab's CGI breaks its reply for the NetBIOS names LAB-*), each a
# named finding.  Needs root (lab).
set -u

srcdir=${CCMDIAG_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
ccmdiag=${CCMDIAG:-$srcdir/ccmdiag}
lab=$srcdir/tests/lab/lab.sh
out=${CCMDIAG_TEST_OUT:-$PWD/tests/register-results}
. "$srcdir/tests/lab/testenv.sh"
lab_names ccmr
pass=0 fail=0

if "$ccmdiag" register mp.parent.lab >/dev/null 2>&1; then
	echo "not ok - register without --create-record ran"; fail=$((fail + 1))
else
	[ $? = 2 ] && pass=$((pass + 1)) ||
		{ echo "not ok - register without --create-record: exit not 2"; fail=$((fail + 1)); }
fi
if [ "$(id -u)" != 0 ]; then
	echo "register: needs root for network namespaces; skipped"
	exit 77
fi
command -v jq >/dev/null || { echo "register: jq is missing"; exit 99; }

mkdir -p "$out"
trap '"$lab" down >/dev/null 2>&1' EXIT INT TERM
if ! "$lab" up >"$out/lab-up.log" 2>&1; then
	echo "register: the lab did not start:"
	tail -20 "$out/lab-up.log"
	exit 99
fi
eval "$("$lab" env)"

# check NAME WANT_EXIT JQ_EXPR ARGS...
check() {
	local name=$1 want=$2 expr=$3 rc
	shift 3
	"$lab" run "$ccmdiag" register --create-record --netbios WS01 \
	    --fqdn ws01.child.parent.lab --confirm-wait 0.5 --timeout 20 \
	    --format json "$@" "$MP_FQDN" >"$out/$name.json" 2>"$out/$name.err"
	rc=$?
	"$lab" run "$ccmdiag" register --create-record --netbios WS01 \
	    --fqdn ws01.child.parent.lab --confirm-wait 0.5 --timeout 20 \
	    -v "$@" "$MP_FQDN" >"$out/$name.txt" 2>&1
	if [ "$rc" = "$want" ] && [ "$(jq -r "$expr" "$out/$name.json")" = true ]; then
		echo "ok - $name (exit $rc)"
		pass=$((pass + 1))
	else
		echo "not ok - $name: exit $rc (want $want)"
		head -c 3000 "$out/$name.json" "$out/$name.err"
		fail=$((fail + 1))
	fi
}

t='[.timeline[].text] | join("\n")'
check kerberos 0 "([.findings[].id] | index(\"registration-approved\") != null)
    and ($t | test(\"Registration.*Status 1 \\\\(Pending\\\\)\"))
    and ($t | test(\"Confirmation.*Status 0 \\\\(Registered\\\\).*ApprovalStatus 1\"))" \
    --keytab "$CLIENT_KEYTAB" --principal "$CLIENT_PRINCIPAL"
check anonymous 1 "([.findings[] | select(.severity == \"error\")][0].id == \"registration-unapproved\")
    and ($t | test(\"Confirmation.*Status 0 \\\\(Registered\\\\).*ApprovalStatus 0\"))" \
    --anonymous


# The reply signature: good (file and directory), wrong certificate,
# tampered, unsigned.
root='[.findings[] | select(.severity == "error")][0].id'
check signed-good 1 "($root == \"registration-unapproved\")
    and ([.findings[].id] | index(\"registration-reply-verified\") != null)" \
    --anonymous --mp-certs "$MP_SIGNING_CERT"
check signed-good-dir 1 "($root == \"registration-unapproved\")
    and ([.findings[].id] | index(\"registration-reply-verified\") != null)" \
    --anonymous --mp-certs "$(dirname "$MP_SIGNING_CERT")"
check signed-wrong-cert 1 "$root == \"registration-reply-bad-signature\"" \
    --anonymous --mp-certs "$MP_WRONG_SIGNING_CERT"
check signed-tampered 1 "$root == \"registration-reply-bad-signature\"" \
    --anonymous --mp-certs "$MP_SIGNING_CERT" --netbios LAB-TAMPERED
check unsigned 1 "$root == \"registration-reply-unsigned\"" \
    --anonymous --mp-certs "$MP_SIGNING_CERT" --netbios LAB-UNSIGNED
# without --mp-certs the forged approval goes through: only noted
check tampered-unverified 0 "($t | test(\"not verified: no --mp-certs\"))" \
    --anonymous --netbios LAB-TAMPERED

# Broken replies, each its own finding.
for m in html:html empty:empty giant:too-large truncated:truncated \
    badzlib:bad-zlib badutf16:bad-utf16; do
	nb=LAB-$(echo "${m%%:*}" | tr a-z A-Z)
	check "reply-${m%%:*}" 1 "$root == \"registration-reply-${m#*:}\"" \
	    --anonymous --netbios "$nb"
done

# Native mode: HTTPS on the lab MP's port 8443, which requires a client
# certificate from the lab CA and checks it against the lab CRL.
native="--https --port $MP_NATIVE_PORT --cacert $LAB_CA"
check native-pem 0 "([.findings[].id] | index(\"registration-approved\") != null)
    and ($t | test(\"Confirmation.*Status 0 \\\\(Registered\\\\).*ApprovalStatus 2\"))" \
    $native --crl "$LAB_CRL" --cert "$CLIENT_CERT" --key "$CLIENT_KEY"
CCMDIAG_PKCS12_PASSWORD=$CLIENT_P12_PASSWORD \
check native-pkcs12 0 "[.findings[].id] | index(\"registration-approved\") != null" \
    $native --pkcs12 "$CLIENT_P12"
check native-no-client-cert 1 "$root == \"mp-client-cert-rejected\"" $native
check native-client-revoked 1 "$root == \"client-cert-revoked\"" \
    $native --cert "$REVOKED_CERT" --key "$REVOKED_KEY"
check native-mp-revoked 1 "$root == \"mp-cert-revoked\"" \
    $native --crl "$LAB_CRL_MP_REVOKED" --cert "$CLIENT_CERT" --key "$CLIENT_KEY"

# mp-info: the anonymous .sms_aut answers, over HTTP and HTTPS, in the
# text report's timeline (-v); tests/mp-info.sh checks its findings.
for proto in http https; do
	extra=()
	[ $proto = https ] && extra=(--https --cacert "$MP_CA")
	"$lab" run "$ccmdiag" mp-info -v "${extra[@]}" "$MP_FQDN" \
	    >"$out/mp-info-$proto.txt" 2>&1
	rc=$?
	if [ $rc = 0 ] &&
	    grep -q 'Property Name="SSLState" Value="0"' "$out/mp-info-$proto.txt" &&
	    grep -q 'SITECODE: LAB' "$out/mp-info-$proto.txt" &&
	    grep -q 'certificate /CN=SMS Management Point Signing/O=mp-signing' \
	    "$out/mp-info-$proto.txt" &&
	    grep -q 'X509Certificate: certificate /CN=Lab Issuing CA' \
	    "$out/mp-info-$proto.txt"; then
		echo "ok - mp-info over $proto"
		pass=$((pass + 1))
	else
		echo "not ok - mp-info over $proto: exit $rc"
		head -c 3000 "$out/mp-info-$proto.txt"
		fail=$((fail + 1))
	fi
done

echo "register: $pass passed, $fail failed"
[ "$fail" = 0 ]
