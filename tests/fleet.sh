#!/bin/bash
# fleet.sh - ccmdiag fleet on the lab's fleet of MPs (lab.sh fleet): a
# healthy MP, one with a misbound SPN, one with a skewed clock, one whose
# name does not resolve, each asked by a client of the child realm, of the
# parent realm and of the untrusted realm.  Every cell of the matrix, the
# findings grouped by root cause, the JSON Lines (one document a line, the
# right target in each, valid against docs/ccmdiag-1.schema.json), the
# HTML links, the monitoring plugin's output and exit codes, one TGT per
# identity at the KDCs, each DNS question once.  Needs root.
set -u

srcdir=${CCMDIAG_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
ccmdiag=${CCMDIAG:-$srcdir/ccmdiag}
lab=$srcdir/tests/lab/lab.sh
schema=$srcdir/docs/ccmdiag-1.schema.json
out=${CCMDIAG_TEST_OUT:-$PWD/tests/fleet-results}
. "$srcdir/tests/lab/testenv.sh"
lab_names ccmf

if [ "$(id -u)" != 0 ]; then
	echo "fleet: needs root for network namespaces; skipped"
	exit 77
fi
command -v jq >/dev/null || { echo "fleet: jq is missing"; exit 99; }
# Debian's python3-jsonschema (tools/debian-packages)
py=/usr/bin/python3
"$py" -c 'import jsonschema' 2>/dev/null ||
	{ echo "fleet: python3-jsonschema is missing (apt install python3-jsonschema)"; exit 99; }

mkdir -p "$out"
rm -f "$out"/*
trap '"$lab" down >/dev/null 2>&1' EXIT INT TERM
if ! "$lab" up >"$out/lab-up.log" 2>&1 || ! "$lab" fleet >>"$out/lab-up.log" 2>&1; then
	echo "fleet: the lab did not start:"
	tail -20 "$out/lab-up.log"
	exit 99
fi
eval "$("$lab" env)"

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "not ok - $*"; fail=$((fail + 1)); }
# want WHAT GOT EXPECTED
want() { [ "$2" = "$3" ] && ok || bad "$1: '$2' (want '$3')"; }

run() { "$lab" run "$ccmdiag" "$@"; }

mps="mp01.parent.lab $FLEET_SPN_MP $FLEET_SKEW_MP $FLEET_GONE_MP"
ids="$TRUSTED_PRINCIPAL $PARENT_PRINCIPAL $UNTRUSTED_PRINCIPAL"
keytab_of() {
	case $1 in
	"$TRUSTED_PRINCIPAL") echo "$TRUSTED_KEYTAB" ;;
	"$PARENT_PRINCIPAL") echo "$PARENT_KEYTAB" ;;
	"$UNTRUSTED_PRINCIPAL") echo "$UNTRUSTED_KEYTAB" ;;
	esac
}
# what each cell must say: MP, then a word per identity in $ids' order
expected="mp01.parent.lab approved approved no-trust-path
$FLEET_SPN_MP spn-misbound spn-misbound no-trust-path
$FLEET_SKEW_MP clock-skew-mp clock-skew-mp no-trust-path
$FLEET_GONE_MP dns-no-address dns-no-address dns-no-address"

targets=$out/targets
{
	echo "# the lab's fleet: every MP, asked by every client domain"
	echo
	for id in $ids; do
		for mp in $mps; do
			printf '%s\t%s %s   # %s\n' "$mp" "$id" "$(keytab_of "$id")" "$id"
		done
	done
} >"$targets"

# counts KDC_LOG PRINCIPAL: "AS_REQ-lines ISSUE-lines" for the principal
counts() {
	local n i
	n=$(grep -F "AS_REQ" "$1" | grep -cF " $2 for krbtgt/")
	i=$(grep -F "AS_REQ" "$1" | grep -F " $2 for krbtgt/" | grep -c ": ISSUE:")
	echo "$n $i"
}
kdc_log_of() {
	case $1 in
	*@"$CHILD_REALM") echo "$KDC_CHILD_LOG" ;;
	*@"$PARENT_REALM") echo "$KDC_PARENT_LOG" ;;
	*) echo "$KDC_UNTRUSTED_LOG" ;;
	esac
}

# --- what one probe asks the KDC, for each identity ------------------------
declare -A single
for id in $ids; do
	log=$(kdc_log_of "$id")
	read -r a0 _ <<<"$(counts "$log" "$id")"
	run probe --no-capture --keytab "$(keytab_of "$id")" --principal "$id" \
	    --format json mp01.parent.lab >"$out/single.json" 2>&1
	read -r a1 _ <<<"$(counts "$log" "$id")"
	single[$id]=$((a1 - a0))
	[ "${single[$id]}" -gt 0 ] && ok || bad "no AS-REQ of $id in $log after one probe"
done

# --- the fleet, as JSON: every cell, and the KDCs' load ----------------------
declare -A before
for id in $ids; do before[$id]=$(counts "$(kdc_log_of "$id")" "$id"); done
dns0=$(wc -l <"$DNS_LOG")
t0=$(date +%s.%N)
run fleet -j 8 --timeout 8 --format json "$targets" >"$out/fleet.json" 2>"$out/fleet.err"
rc=$?
t1=$(date +%s.%N)
want "fleet exit status (an error finding)" "$rc" 1
[ "$(echo "$t1 - $t0 < 8" | bc)" = 1 ] && ok || bad "12 targets took $(echo "$t1 - $t0" | bc) s, over one --timeout"
[ ! -s "$out/fleet.err" ] && ok || bad "fleet said on stderr: $(head -2 "$out/fleet.err")"
jq -e . "$out/fleet.json" >/dev/null 2>&1 && ok || bad "fleet --format json is not JSON"
"$py" "$srcdir/tests/jsonschema-check.py" "$schema" document "$out/fleet.json" >"$out/schema.log" 2>&1 &&
    ok || bad "fleet --format json against the schema: $(head -3 "$out/schema.log")"
# the cell of identity I and MP M
cell() {
	jq -r --arg i "$1" --arg m "$2" '(.matrix.clients | index($i)) as $r |
	    (.matrix.mps | index($m)) as $c |
	    if $r == null or $c == null then "missing" else
	    .matrix.cells[$r][$c].cell end' "$out/fleet.json"
}
while read -r mp w1 w2 w3; do
	set -- $ids
	want "cell $1 x $mp" "$(cell "$1" "$mp")" "$w1"
	want "cell $2 x $mp" "$(cell "$2" "$mp")" "$w2"
	want "cell $3 x $mp" "$(cell "$3" "$mp")" "$w3"
done <<<"$expected"
want "targets in the JSON" "$(jq '.targets | length' "$out/fleet.json")" 12
want "fleet verdict state" "$(jq -r .verdict.state "$out/fleet.json")" critical
# one AS exchange per identity: the KDC saw what one probe makes it see,
# whatever the number of MPs, and issued one TGT
for id in $ids; do
	read -r a0 i0 <<<"${before[$id]}"
	read -r a1 i1 <<<"$(counts "$(kdc_log_of "$id")" "$id")"
	want "AS-REQs of $id for 4 MPs (one probe's)" "$((a1 - a0))" "${single[$id]}"
	want "TGTs issued to $id for 4 MPs" "$((i1 - i0))" 1
done
# each DNS question once: the MP's A record asked by ccmdiag once and by
# the system resolver once, though three clients ask for it
for mp in $mps; do
	n=$(tail -n +$((dns0 + 1)) "$DNS_LOG" | grep -cF "query[A] $mp from")
	[ "$n" -ge 1 ] && [ "$n" -le 2 ] && ok ||
	    bad "DNS asked for the A of $mp $n times in one run (want 1 or 2)"
done
# each realm's KDCs looked up once in the run: not again by the Kerberos
# library before each of its requests (the run's profile names them)
for realm in CHILD.PARENT.LAB PARENT.LAB UNTRUSTED.LAB; do
	for proto in _udp _tcp; do
		n=$(tail -n +$((dns0 + 1)) "$DNS_LOG" | grep -cF "query[SRV] _kerberos.$proto.$realm from")
		[ "$n" -le 1 ] && ok ||
		    bad "DNS asked for _kerberos.$proto.$realm $n times in one run (want at most 1)"
	done
done

# --- the same as text: the matrix and the causes ------------------------------
run fleet --format text "$targets" >"$out/fleet.txt" 2>&1
want "text exit status" "$?" 1
# rows: the MPs (more of them than identities), columns in the file's order
while read -r mp w1 w2 w3; do
	row=$(awk -v l="${mp%%.*}" '$1 == l { $1 = ""; print substr($0, 2) }' "$out/fleet.txt" | head -1)
	want "text row ${mp%%.*}" "$row" "$w1 $w2 $w3"
done <<<"$expected"
head -1 "$out/fleet.txt" | grep -q '^FLEET: 2 of 12 targets approved, 10 failing$' && ok ||
    bad "text summary: $(head -1 "$out/fleet.txt")"
for c in "[error] dns-no-address: ${FLEET_GONE_MP%%.*} - for every client domain" \
    "[error] spn-misbound: ${FLEET_SPN_MP%%.*} - for $TRUSTED_PRINCIPAL, $PARENT_PRINCIPAL" \
    "[error] clock-skew-mp: ${FLEET_SKEW_MP%%.*} - for $TRUSTED_PRINCIPAL, $PARENT_PRINCIPAL" \
    "[error] no-trust-path: $UNTRUSTED_PRINCIPAL - at mp01, ${FLEET_SPN_MP%%.*}, ${FLEET_SKEW_MP%%.*}"; do
	grep -qxF "  $c" "$out/fleet.txt" && ok || bad "text has no cause line '$c'"
done
# -j 1 and standard input: the same matrix
run fleet -j 1 --format json - <"$targets" >"$out/fleet-j1.json" 2>/dev/null
want "-j 1 from stdin: the matrix" "$(jq -c .matrix "$out/fleet-j1.json")" \
    "$(jq -c .matrix "$out/fleet.json")"

# --- JSON Lines: one document a line, the right target in each ------------------
run fleet --format jsonl "$targets" >"$out/fleet.jsonl" 2>/dev/null
want "jsonl exit status" "$?" 1
want "jsonl lines" "$(wc -l <"$out/fleet.jsonl")" 12
"$py" "$srcdir/tests/jsonschema-check.py" "$schema" lines "$out/fleet.jsonl" >"$out/schema.log" 2>&1 &&
    ok || bad "jsonl against the schema: $(head -3 "$out/schema.log")"
host=$(hostname)
i=0
grep -n -v -e '^#' -e '^$' "$targets" | while IFS=: read -r lineno text; do
	i=$((i + 1))
	read -r mp id _ <<<"$text"
	doc=$(sed -n "${i}p" "$out/fleet.jsonl")
	got=$(jq -r '[.target, .principal, .client, (.run.line|tostring),
	    (.run.index|tostring), .run.host, .time, ."@timestamp"] | join("|")' <<<"$doc" 2>/dev/null)
	IFS='|' read -r gt gp gc gl gi gh gtime gts <<<"$got"
	[ "$gt|$gp|$gc|$gl|$gi|$gh" = "$mp|$id|$id|$lineno|$i|$host" ] ||
	    echo "not ok - jsonl line $i: $gt $gp $gc line $gl index $gi host $gh (want $mp $id line $lineno on $host)"
	[[ $gtime =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$ ]] &&
	    [ "$gtime" = "$gts" ] || echo "not ok - jsonl line $i: time '$gtime', @timestamp '$gts'"
done >"$out/jsonl.log"
[ ! -s "$out/jsonl.log" ] && ok || { bad "jsonl documents:"; cat "$out/jsonl.log"; }
want "jsonl: one run id" "$(jq -r .run.id "$out/fleet.jsonl" | sort -u | wc -l)" 1
want "jsonl states" "$(jq -r .state "$out/fleet.jsonl" | sort | uniq -c | awk '{printf "%s %s;", $1, $2}')" \
    "10 critical;2 ok;"
want "jsonl root causes" "$(jq -r '.verdict.root_cause // "-"' "$out/fleet.jsonl" | tr '\n' ' ')" \
    "- spn-misbound clock-skew-mp dns-no-address - spn-misbound clock-skew-mp dns-no-address no-trust-path no-trust-path no-trust-path dns-no-address "
# docs/opensearch-ccmdiag-template.json types what the lines hold
"$py" "$srcdir/tests/template-check.py" "$srcdir/docs/opensearch-ccmdiag-template.json" \
    "$out/fleet.jsonl" >"$out/template.log" 2>&1 && ok ||
    bad "the OpenSearch template does not fit the lines: $(head -3 "$out/template.log")"
sed '1s/"approved":true/"approved":"yes"/' "$out/fleet.jsonl" >"$out/broken.jsonl"
"$py" "$srcdir/tests/template-check.py" "$srcdir/docs/opensearch-ccmdiag-template.json" \
    "$out/broken.jsonl" >/dev/null 2>&1 && bad "the template check took a string for a boolean" || ok
# the validator rejects what the schema forbids
sed '1s/"state":"ok"/"state":"fine"/' "$out/fleet.jsonl" >"$out/broken.jsonl"
"$py" "$srcdir/tests/jsonschema-check.py" "$schema" lines "$out/broken.jsonl" >/dev/null 2>&1 &&
    bad "a line with state 'fine' passed the schema" || ok
sed '2s/"target":"[^"]*",//' "$out/fleet.jsonl" >"$out/broken.jsonl"
"$py" "$srcdir/tests/jsonschema-check.py" "$schema" lines "$out/broken.jsonl" >/dev/null 2>&1 &&
    bad "a line without target passed the schema" || ok

# --- HTML: the matrix's cells link to their targets ----------------------------
run fleet --format html -o "$out/fleet.html" "$targets" 2>/dev/null
want "html exit status" "$?" 1
links=$(grep -o 'href="#t[0-9]*"' "$out/fleet.html" | sort -u | wc -l)
want "html cells linking to a target" "$links" 12
for l in $(grep -o 'href="#t[0-9]*"' "$out/fleet.html" | sed 's/href="#\(t[0-9]*\)"/\1/' | sort -u); do
	grep -q "id=\"$l\"" "$out/fleet.html" || bad "html link #$l goes nowhere"
done
grep -q '<a href="#t2">spn-misbound</a>' "$out/fleet.html" && ok ||
    bad "html: the cell of target 2 does not say spn-misbound"
run fleet --format markdown "$targets" >"$out/fleet.md" 2>/dev/null
want "markdown rows" "$(grep -c '^| mp' "$out/fleet.md")" 4

# --- the monitoring plugin --------------------------------------------------
# nagios TARGET KEYTAB PRINCIPAL: the output of probe --format nagios, exit
nagios() {
	run probe --no-capture --timeout 8 --keytab "$2" --principal "$3" \
	    --format nagios "$1" >"$out/nagios.out" 2>"$out/nagios.err"
	echo $?
}
perf="'dns'=[0-9.]+s;;;0 'anon-post'=[0-9.]+s;;;0 'clock'=[0-9.]+s;;;0 'ticket'=[0-9.]+s;;;0 'spnego-post'=[0-9.]+s;;;0 'ldap'=[0-9.]+s;;;0 'kdc_offset'=[0-9.]+s;120;300;0 'mp_offset'=[0-9.]+s;120;300;0$"
want "nagios OK exit" "$(nagios mp01.parent.lab "$TRUSTED_KEYTAB" "$TRUSTED_PRINCIPAL")" 0
head -1 "$out/nagios.out" | grep -qE "^CCMDIAG OK - [^|]+ \| $perf" && ok ||
    bad "nagios OK line: $(head -1 "$out/nagios.out")"
want "nagios WARNING exit" "$(nagios mp01.parent.lab "$USER_KEYTAB" "$CLIENT_USER")" 1
head -1 "$out/nagios.out" | grep -qE "^CCMDIAG WARNING - identity-not-machine: [^|]+ \| $perf" && ok ||
    bad "nagios WARNING line: $(head -1 "$out/nagios.out")"
grep -qx "warning identity-not-machine: .*" "$out/nagios.out" && ok ||
    bad "nagios WARNING: no long output line for the finding"
want "nagios CRITICAL exit" "$(nagios "$FLEET_SPN_MP" "$TRUSTED_KEYTAB" "$TRUSTED_PRINCIPAL")" 2
head -1 "$out/nagios.out" | grep -qE "^CCMDIAG CRITICAL - spn-misbound: [^|]+ \| $perf" && ok ||
    bad "nagios CRITICAL line: $(head -1 "$out/nagios.out")"
want "nagios CRITICAL (skew) exit" "$(nagios "$FLEET_SKEW_MP" "$TRUSTED_KEYTAB" "$TRUSTED_PRINCIPAL")" 2
head -1 "$out/nagios.out" | grep -qE "'mp_offset'=(8[0-9][0-9]|9[0-9][0-9])\.[0-9]s;120;300;0$" && ok ||
    bad "nagios: the skewed MP's offset is not in the performance data: $(head -1 "$out/nagios.out")"
want "nagios UNKNOWN exit" "$(nagios mp01.parent.lab /nonexistent.keytab "$TRUSTED_PRINCIPAL")" 3
want "nagios UNKNOWN line" "$(cat "$out/nagios.out")" \
    "CCMDIAG UNKNOWN - cannot read --keytab /nonexistent.keytab: No such file or directory"
run probe --no-capture --format nagios --no-such-option mp01 >"$out/nagios.out" 2>/dev/null
want "nagios usage error exit" "$?" 3
grep -q '^CCMDIAG UNKNOWN - ' "$out/nagios.out" && ok || bad "nagios usage error: no UNKNOWN line"
run fleet --format nagios "$targets" >"$out/fleet.nagios" 2>/dev/null
want "fleet nagios exit" "$?" 2
head -1 "$out/fleet.nagios" | grep -qE "^CCMDIAG CRITICAL - 2 of 12 targets approved, 10 failing: [^|]+ \| 'targets'=12;;;0 'ok'=2;;;0 'warning'=0;;;0 'critical'=10;;;0 'unknown'=0;;;0 'time'=[0-9.]+s;;;0$" &&
    ok || bad "fleet nagios line: $(head -1 "$out/fleet.nagios")"
want "fleet nagios long output" "$(grep -c '^CRITICAL ' "$out/fleet.nagios")" 10

# --- lines that cannot serve --------------------------------------------------
printf '# nothing here\nmp01 a b c\nnot/a/host\n' >"$out/bad-targets"
run fleet "$out/bad-targets" >/dev/null 2>"$out/bad.err"
want "a file with no usable line: exit" "$?" 2
grep -q "^ccmdiag: $out/bad-targets:2: more words than MP_FQDN \[PRINCIPAL \[KEYTAB\]\]; line skipped$" "$out/bad.err" &&
    ok || bad "bad line 2 not reported: $(head -2 "$out/bad.err")"
grep -q "^ccmdiag: $out/bad-targets:3: " "$out/bad.err" && ok || bad "bad line 3 not reported"
{ echo "mp01.parent.lab $TRUSTED_PRINCIPAL $TRUSTED_KEYTAB"; echo "mp01 x"; } >"$out/some-targets"
run fleet --format json "$out/some-targets" >"$out/some.json" 2>"$out/some.err"
want "one usable line: exit" "$?" 0
want "one usable line: targets" "$(jq '.targets | length' "$out/some.json")" 1
grep -q ":2: the principal x names a key in a keytab" "$out/some.err" && ok ||
    bad "line 2's principal without a keytab: $(cat "$out/some.err")"

echo "fleet: $pass passed, $fail failed"
[ "$fail" = 0 ]
