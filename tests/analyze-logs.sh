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
# One client's 401.2 at 23:59:59 in one day's log, its 200 at 00:00:00 in
# the next: one story, Kerberos, whichever log comes first.
m=$logs/midnight
one='def rows(ip): [.clients[] | select(.client == ip)] | length;'
for order in "$m/u_ex090520.log $m/u_ex090521.log" \
    "$m/u_ex090521.log $m/u_ex090520.log"; do
	# shellcheck disable=SC2086 # two file names
	check "midnight ${order##*/}" "$v $one"'v("192.0.2.85") == "kerberos"
	    and rows("192.0.2.85") == 1 and v("192.0.2.90") == "ntlm"
	    and (.clients | length) == 4 and .clients[0].client == "192.0.2.51"
	    and ([.findings[].id] | index("iis-never-authenticated") == null)
	    and ([.findings[].id] | index("iis-ntlm-only") != null)' $order
done
# Two machines' ClientIDManagerStartup.log, one GUID, two hardware ids on
# other lines than the GUID: duplicate-guid citing both logs' lines.
check cm-clones '[.findings[] | select(.id == "duplicate-guid") | .evidence[].source]
    | index("ClientIDManagerStartup.log:2") != null
    and index("wk09/ClientIDManagerStartup.log:2") != null
    and index("wk09/ClientIDManagerStartup.log:16") != null' \
    "$logs/wk02/ClientIDManagerStartup.log" "$logs/wk09/ClientIDManagerStartup.log"
check cm-one-machine '[.findings[].id] | index("duplicate-guid") == null' \
    "$logs/wk02/ClientIDManagerStartup.log"
# Two MPs' logs of one name: their sources name their directories, and
# the evidence bundle cites each log's own lines.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/mp1" "$tmp/mp2"
cp "$m/u_ex090520.log" "$tmp/mp1/"
cp "$logs/u_ex090520.log" "$tmp/mp2/"
check same-name '[.clients[].source] | index("mp2/u_ex090520.log:12") != null
    and index("mp1/u_ex090520.log:9") != null' \
    "$tmp/mp1/u_ex090520.log" "$tmp/mp2/u_ex090520.log"
# (the clone's log two lines longer, so that its cited lines are not the
# other's)
mkdir "$tmp/wk09"
{ head -1 "$logs/wk09/ClientIDManagerStartup.log"
  head -1 "$logs/wk09/ClientIDManagerStartup.log"
  cat "$logs/wk09/ClientIDManagerStartup.log"; } >"$tmp/wk09/ClientIDManagerStartup.log"
"$ccmdiag" analyze --evidence "$tmp/ev" "$logs/wk02/ClientIDManagerStartup.log" \
    "$tmp/wk09/ClientIDManagerStartup.log" >/dev/null 2>&1
one=$tmp/ev/log-ClientIDManagerStartup.log.txt
two=$(ls "$tmp/ev"/[0-9]*-log-ClientIDManagerStartup.log.txt)
if grep -q 'HardwareID=2:D4D8AD' "$one" && grep -q 'HardwareID=2:01234567' "$two" &&
    grep -q 'the 5 lines the report cites' "$one" &&
    grep -q 'the 5 lines the report cites' "$two"
then
	pass=$((pass + 1))
else
	echo "not ok - evidence excerpts of two logs of one name"
	fail=$((fail + 1))
fi
if "$ccmdiag" analyze "$logs/garbage.bin" >/dev/null 2>&1; then
	echo "not ok - garbage accepted"; fail=$((fail + 1))
else
	[ $? = 3 ] && pass=$((pass + 1)) || { echo "not ok - garbage exit"; fail=$((fail + 1)); }
fi
echo "analyze-logs: $pass passed, $fail failed"
[ $fail = 0 ]
