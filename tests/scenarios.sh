#!/bin/bash
# scenarios.sh - run `ccmdiag probe` in every lab scenario and assert the
# root cause and the exit code.  Needs root (network namespaces).
set -u

srcdir=${CCMDIAG_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
ccmdiag=${CCMDIAG:-$srcdir/ccmdiag}
lab=$srcdir/tests/lab/lab.sh
out=${CCMDIAG_TEST_OUT:-$PWD/tests/scenario-results}
. "$srcdir/tests/lab/testenv.sh"
lab_names ccms
timeout_s=6

if [ "$(id -u)" != 0 ]; then
	echo "scenarios: needs root for network namespaces; skipped"
	exit 77
fi
command -v jq >/dev/null || { echo "scenarios: jq is missing"; exit 99; }
# shellcheck source=tests/report-text.sh
. "$srcdir/tests/report-text.sh"

mkdir -p "$out"
trap '"$lab" down >/dev/null 2>&1' EXIT INT TERM
if ! "$lab" up >"$out/lab-up.log" 2>&1; then
	echo "scenarios: the lab did not start:"
	tail -20 "$out/lab-up.log"
	exit 99
fi

pass=0
fail=0

# check NAME TARGET WANT_EXIT WANT_ROOT WANT_ALSO OFFLINE [WRAP...]
#   OFFLINE: 1 when the saved capture alone must give the same root cause
#   WANT_ROOT: the first finding's id, or "-" for no error finding
check() {
	local name=$1 target=$2 want_rc=$3 want_root=$4 also=$5 offline_too=$6
	shift 6
	local rc root t0 t1 elapsed msg="" left

	if ! "$lab" scenario "$name" >"$out/$name.lab.log" 2>&1; then
		echo "not ok - $name: lab scenario failed"
		fail=$((fail + 1))
		return
	fi
	eval "$("$lab" env)"
	case $target in
	'$MP_FQDN') target=$MP_FQDN ;;
	'$MP_ALIAS') target=$MP_ALIAS ;;
	esac
	t0=$(date +%s.%N)
	rm -rf "$out/$name.evidence"
	"$lab" run "$@" "$ccmdiag" probe --keytab "$CLIENT_KEYTAB" \
	    --principal "$CLIENT_PRINCIPAL" --timeout "$timeout_s" \
	    --evidence "$out/$name.evidence" \
	    --format json "$target" >"$out/$name.json" 2>"$out/$name.err"
	rc=$?
	t1=$(date +%s.%N)
	elapsed=$(echo "$t1 - $t0" | bc)
	"$lab" run "$@" "$ccmdiag" probe --keytab "$CLIENT_KEYTAB" \
	    --principal "$CLIENT_PRINCIPAL" --timeout "$timeout_s" -v \
	    "$target" >"$out/$name.txt" 2>&1
	root=$(jq -r '[.findings[] | select(.severity == "error")][0].id // "-"' \
	    "$out/$name.json" 2>/dev/null)
	[ "$rc" = "$want_rc" ] || msg="$msg exit $rc (want $want_rc);"
	[ "$root" = "$want_root" ] || msg="$msg root cause $root (want $want_root);"
	if [ "$also" != "-" ] &&
	    ! jq -e --arg id "$also" 'any(.findings[]; .id == $id)' \
	    "$out/$name.json" >/dev/null 2>&1; then
		msg="$msg no $also finding;"
	fi
	left=$(report_leftovers "$out/$name.json")
	[ -z "$left" ] || msg="$msg unreadable text: $left;"
	left=$(report_uncited "$out/$name.json")
	[ -z "$left" ] || msg="$msg findings citing no evidence: $left;"
	if [ "$(echo "$elapsed > $timeout_s + 1" | bc)" = 1 ]; then
		msg="$msg took ${elapsed}s, over --timeout $timeout_s;"
	fi
	# the saved capture, analysed offline, must name the same root cause
	offline=-
	if [ "$offline_too" = 1 ]; then
		"$ccmdiag" analyze --format json \
		    "$out/$name.evidence/capture.pcapng" >"$out/$name.offline.json" \
		    2>>"$out/$name.err"
		offline=$(jq -r '[.findings[] | select(.severity == "error")][0].id // "-"' \
		    "$out/$name.offline.json" 2>/dev/null)
		[ "$offline" = "$want_root" ] ||
		    msg="$msg offline analysis says $offline (want $want_root);"
		left=$(report_uncited "$out/$name.offline.json")
		[ -z "$left" ] || msg="$msg offline findings citing no evidence: $left;"
	fi
	if [ -z "$msg" ]; then
		printf 'ok - %-18s exit %s, %s, offline %s (%.2fs)\n' "$name" \
		    "$rc" "$root" "$offline" "$elapsed"
		pass=$((pass + 1))
	else
		echo "not ok - $name:$msg"
		head -c 2000 "$out/$name.err"
		fail=$((fail + 1))
	fi
}

check healthy          '$MP_FQDN'        0 -                     -                1
check spn-misbound     '$MP_FQDN'        1 spn-misbound          -                1
check mp-key-stale     '$MP_FQDN'        1 mp-key-stale          -                1
check spn-missing      '$MP_FQDN'        1 spn-missing           -                1
check no-trust-path    '$MP_FQDN'        1 no-trust-path         -                1
check trust-broken     '$MP_FQDN'        1 trust-broken          -                1
# faketime moves only the client process's clock, not the kernel's packet
# timestamps, so this capture cannot show the skew the live probe measures
check client-skew      '$MP_FQDN'        1 clock-skew            -                0 faketime -f +20m
check mp-skew          '$MP_FQDN'        1 clock-skew-mp         -                1
check dns-unresolvable nosuch.parent.lab 1 dns-no-address        -                1
check mp-gone          '$MP_FQDN'        1 dns-no-address        -                1
check cname-alias      '$MP_ALIAS'       0 -                     dns-cname-alias  1
check wrong-ptr        '$MP_FQDN'        0 -                     dns-ptr-other-host 1
check no-kdc-srv       '$MP_FQDN'        1 dns-no-kdc-srv        -                1
check kdc-down         '$MP_FQDN'        1 kdc-unreachable       -                1
check kdc-stopped      '$MP_FQDN'        1 kdc-unreachable       -                1
check mp-no-negotiate  '$MP_FQDN'        1 mp-no-negotiate       -                1
check mp-anonymous     '$MP_FQDN'        1 mp-anonymous-accepted -                1
check mp-not-mp        '$MP_FQDN'        1 mp-not-mp             -                1
check mp-closed        '$MP_FQDN'        1 mp-unreachable        -                1
check mp-hang          '$MP_FQDN'        1 mp-no-answer          -                1
check mp-garbage       '$MP_FQDN'        1 mp-protocol-error     -                1
check mp-bigheader     '$MP_FQDN'        1 mp-protocol-error     -                1

# HTTPS to the MP: an untrusted server certificate is mp-tls-failure; with
# the lab's certificate as trust anchor the path is healthy.
check_https() {
	local label=$1 want_rc=$2 want_root=$3 trust=$4 rc root
	"$lab" scenario healthy >/dev/null 2>&1
	eval "$("$lab" env)"
	set -- --https
	[ "$trust" = trusted ] && set -- --https --cafile "$MP_CA"
	"$lab" run "$ccmdiag" probe "$@" --keytab "$CLIENT_KEYTAB" \
	    --principal "$CLIENT_PRINCIPAL" --timeout "$timeout_s" \
	    --format json "$MP_FQDN" >"$out/$label.json" 2>"$out/$label.err"
	rc=$?
	root=$(jq -r '[.findings[] | select(.severity == "error")][0].id // "-"' \
	    "$out/$label.json" 2>/dev/null)
	if [ "$rc" = "$want_rc" ] && [ "$root" = "$want_root" ] &&
	    [ -z "$(report_leftovers "$out/$label.json")" ] &&
	    [ -z "$(report_uncited "$out/$label.json")" ]; then
		printf 'ok - %-18s exit %s, %s\n' "$label" "$rc" "$root"
		pass=$((pass + 1))
	else
		echo "not ok - $label: exit $rc (want $want_rc), root cause $root (want $want_root)"
		fail=$((fail + 1))
	fi
}
check_https https-untrusted 1 mp-tls-failure untrusted
check_https https-trusted 0 - trusted

# The user's credential cache: used (read) when no keytab is given, and
# left exactly as it was.
check_ccache() {
	local before after rc
	"$lab" scenario healthy >/dev/null 2>&1
	eval "$("$lab" env)"
	echo "$CLIENT_USER_PASSWORD" | "$lab" run kinit "$CLIENT_USER" \
	    >/dev/null 2>&1
	before=$(md5sum "${KRB5CCNAME#FILE:}" | cut -d' ' -f1)
	"$lab" run "$ccmdiag" probe --format json "$MP_FQDN" \
	    >"$out/ccache.json" 2>&1
	rc=$?
	after=$(md5sum "${KRB5CCNAME#FILE:}" | cut -d' ' -f1)
	if [ "$rc" = 0 ] && [ "$before" = "$after" ] &&
	    jq -e '.client | startswith("alice@")' "$out/ccache.json" \
	    >/dev/null; then
		echo "ok - user ccache       exit 0, cache unchanged"
		pass=$((pass + 1))
	else
		echo "not ok - user ccache: exit $rc, cache $before -> $after"
		fail=$((fail + 1))
	fi
}
check_ccache

# No keytab and no credential cache: the user's own mistake, one line
# naming the cache, exit 3, no report.
check_no_creds() {
	local rc root
	"$lab" run kdestroy -q >/dev/null 2>&1
	"$lab" run "$ccmdiag" probe --format json "$MP_FQDN" \
	    >"$out/no-creds.json" 2>"$out/no-creds.err"
	rc=$?
	root=$(cat "$out/no-creds.err")
	if [ "$rc" = 3 ] && [ ! -s "$out/no-creds.json" ] &&
	    [ "$(wc -l <"$out/no-creds.err")" = 1 ] &&
	    grep -q "no credential cache at FILE:.*ccache (KRB5CCNAME)" \
	    "$out/no-creds.err"; then
		echo "ok - no credentials     exit 3, $root"
		pass=$((pass + 1))
	else
		echo "not ok - no credentials: exit $rc, root cause $root"
		fail=$((fail + 1))
	fi
}
check_no_creds

echo "scenarios: $pass passed, $fail failed"
[ "$fail" = 0 ]
