#!/bin/sh
# analyze-logs.sh - `ccmdiag analyze --format json` on the IIS and CM log
# fixtures: per-client verdicts, findings and exit status.
srcdir=${CCMDIAG_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
ccmdiag=${CCMDIAG:-$srcdir/ccmdiag}
logs=$srcdir/tests/data/logs
pass=0 fail=0

check() {	# name, jq expression that must print true, files...
	name=$1 expr=$2
	shift 2
	out=$("$ccmdiag" analyze --format json "$@" 2>&1)
	rc=$?
	if [ $rc -le 1 ] && [ "$(printf '%s' "$out" | jq -r "$expr")" = true ]
	then
		pass=$((pass + 1))
	else
		echo "not ok - $name (exit $rc)"
		printf '%s\n' "$out" | head -40
		fail=$((fail + 1))
	fi
}

v='def v(ip): [.clients[] | select(.client == ip) | .verdict][0];'
check seed "$v"'v("192.0.2.51") == "kerberos" and v("192.0.2.60") == "ntlm"
    and v("192.0.2.70") == "rejected" and v("192.0.2.80") == "never-authenticated"
    and (.clients[] | select(.client == "192.0.2.70") | .status | test("SEC_E_LOGON_DENIED"))
    and .verdict.approved == false and .verdict.root_cause == "iis-kerberos-rejected"' \
    "$logs/u_ex090520.log"
check gzip "$v"'v("192.0.2.51") == "kerberos" and (.clients | length) == 4' \
    "$logs/u_ex090520.log.gz"
check utf16 "$v"'v("192.0.2.60") == "ntlm" and (.clients | length) == 4' \
    "$logs/utf16le.log"
check reordered "$v"'v("10.1.0.11") == "kerberos" and v("10.1.0.12") == "rejected"
    and v("10.1.0.13") == "ntlm-incomplete"' "$logs/reordered.log"
check long-line "$v"'v("10.2.0.1") == "kerberos" and .verdict.approved == true
    and ([.timeline[] | select(.text | test("longline.log.gz:4"))] | length) == 1' \
    "$logs/longline.log.gz"
f='[.findings[].id]'
check cmlog "$f"' | index("duplicate-guid") != null and index("registration-rejected") != null' \
    "$logs/MP_RegistrationManager.log"
check cmlog-pending "$f"' | index("registration-pending") != null' \
    "$logs/ClientIDManagerStartup.log"
check iis+cmlog "$v"'v("192.0.2.51") == "kerberos" and ([.findings[].id] | index("duplicate-guid") != null)' \
    "$logs/u_ex090520.log" "$logs/MP_RegistrationManager.log"
if "$ccmdiag" analyze "$logs/garbage.bin" >/dev/null 2>&1; then
	echo "not ok - garbage accepted"; fail=$((fail + 1))
else
	[ $? = 3 ] && pass=$((pass + 1)) || { echo "not ok - garbage exit"; fail=$((fail + 1)); }
fi
echo "analyze-logs: $pass passed, $fail failed"
[ $fail = 0 ]
