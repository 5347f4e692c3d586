#!/bin/bash
# hostile.sh - `ccmdiag probe` against servers that misbehave on purpose
# (tests/lab/hostile.py: a KDC, a DNS server and an LDAP server that keep
# silent, drip, answer garbage, cut their answer short, announce 2 GiB,
# answer the wrong message, reset, say PREAUTH_REQUIRED for ever or send a
# 60 KB KRB-ERROR), and against a KDC on another port than 88.  Each case
# asserts the exit code, the finding it names (the root cause when it is an
# error), the words of its evidence that tell silence, refusal and garbage
# apart (address, port, protocol), that no finding cites nothing, and that
# the run ended within --timeout + 1 s.  Needs root (network namespaces).
set -u

srcdir=${CCMDIAG_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
ccmdiag=${CCMDIAG:-$srcdir/ccmdiag}
lab=$srcdir/tests/lab/lab.sh
out=${CCMDIAG_TEST_OUT:-$PWD/tests/hostile-results}
export CCMDIAG_LAB_DIR=${CCMDIAG_LAB_DIR:-/tmp/ccmdiag-lab-hostile}
export CCMDIAG_LAB_NS=${CCMDIAG_LAB_NS:-ccmhs}
timeout_s=5

if [ "$(id -u)" != 0 ]; then
	echo "hostile: needs root for network namespaces; skipped"
	exit 77
fi
command -v jq >/dev/null || { echo "hostile: jq is missing"; exit 99; }
command -v bc >/dev/null || { echo "hostile: bc is missing"; exit 99; }
# shellcheck source=tests/report-text.sh
. "$srcdir/tests/report-text.sh"

mkdir -p "$out"
trap '"$lab" down >/dev/null 2>&1' EXIT INT TERM
if ! "$lab" up >"$out/lab-up.log" 2>&1; then
	echo "hostile: the lab did not start:"
	tail -20 "$out/lab-up.log"
	exit 99
fi

pass=0
fail=0

# hcase NAME SCENARIO WANT_RC FINDING EVIDENCE [KRB5_CONFIG_VAR]
#   FINDING: the finding that must be there ("-" no finding but infos);
#   the first error when WANT_RC is 1.  EVIDENCE: an extended regex one of
#   its evidence lines must match ("-" none).  KRB5_CONFIG_VAR: a variable
#   of `lab.sh env` naming the client's krb5.conf for this case.
hcase() {
	local name=$1 scen=$2 want_rc=$3 finding=$4 want_ev=$5 conf=${6:-}
	local rc t0 t1 elapsed msg="" root ev left
	if ! "$lab" scenario "$scen" >"$out/$name.lab.log" 2>&1; then
		echo "not ok - $name: lab scenario $scen failed"
		tail -5 "$out/$name.lab.log"
		fail=$((fail + 1))
		return
	fi
	eval "$("$lab" env)"
	[ -z "$conf" ] || KRB5_CONFIG=${!conf}
	t0=$(date +%s.%N)
	"$lab" run env KRB5_CONFIG="$KRB5_CONFIG" "$ccmdiag" probe \
	    --keytab "$CLIENT_KEYTAB" --principal "$CLIENT_PRINCIPAL" \
	    --timeout "$timeout_s" --format json "$MP_FQDN" \
	    >"$out/$name.json" 2>"$out/$name.err"
	rc=$?
	t1=$(date +%s.%N)
	elapsed=$(echo "$t1 - $t0" | bc)
	[ "$rc" = "$want_rc" ] || msg="$msg exit $rc (want $want_rc);"
	root=$(jq -r '[.findings[] | select(.severity == "error")][0].id // "-"' \
	    "$out/$name.json" 2>/dev/null)
	if [ "$want_rc" = 1 ]; then
		[ "$root" = "$finding" ] || msg="$msg root cause $root (want $finding);"
	elif [ "$finding" = - ]; then
		[ "$root" = - ] || msg="$msg error finding $root;"
	elif ! jq -e --arg id "$finding" 'any(.findings[]; .id == $id)' \
	    "$out/$name.json" >/dev/null 2>&1; then
		msg="$msg no $finding finding;"
	fi
	if [ "$want_ev" != - ]; then
		ev=$(jq -r --arg id "$finding" '.findings[] | select(.id == $id) |
		    .evidence[].text' "$out/$name.json" 2>/dev/null)
		echo "$ev" | grep -qE -e "$want_ev" ||
		    msg="$msg evidence does not say /$want_ev/: $(echo "$ev" | head -c 300);"
	fi
	left=$(report_uncited "$out/$name.json")
	[ -z "$left" ] || msg="$msg findings citing no evidence: $left;"
	left=$(report_leftovers "$out/$name.json")
	[ -z "$left" ] || msg="$msg unreadable text: $left;"
	if [ "$(echo "$elapsed > $timeout_s + 1" | bc)" = 1 ]; then
		msg="$msg took ${elapsed}s, over --timeout $timeout_s + 1 s;"
	fi
	if [ -z "$msg" ]; then
		printf 'ok - %-24s exit %s, %s (%.2fs)\n' "$name" "$rc" \
		    "${root/#-/$finding}" "$elapsed"
		pass=$((pass + 1))
	else
		echo "not ok - $name:$msg"
		head -c 1000 "$out/$name.err"
		fail=$((fail + 1))
	fi
}

# deadline NAME FINDING: that finding's evidence says the wait ran out
deadline() {
	if jq -e --arg id "$2" 'any(.findings[] | select(.id == $id) |
	    .evidence[]; .deadline == true)' "$out/$1.json" >/dev/null 2>&1; then
		pass=$((pass + 1))
	else
		echo "not ok - $1: no $2 evidence marked \"deadline\""
		fail=$((fail + 1))
	fi
}

H=10.77.0.40
D=10.77.0.41

# --- the KDC's port, as the SRV records or krb5.conf give it ---------------
hcase kdc-port           kdc-port 0 - -
jq -e '.steps[] | select(.name == "clock") | .summary | test(":30088 ")' \
    "$out/kdc-port.json" >/dev/null 2>&1 && pass=$((pass + 1)) ||
    { echo "not ok - kdc-port: the clock step did not use port 30088"; fail=$((fail + 1)); }
hcase kdc-port-stale-srv kdc-port-conf 1 kdc-unreachable \
    'UDP 10\.77\.0\.11:88 .*refused.*TCP 10\.77\.0\.11:88 .*refused'
hcase kdc-port-conf      kdc-port-conf 0 - - KRB5_CONFIG_KDC_PORT

# --- a KDC that misbehaves (every request; -tgs: only the ticket's) --------
hcase kdc-proxy          hostile-kdc-proxy 0 - -
hcase kdc-silent         hostile-kdc-silent 1 kdc-unreachable \
    "UDP $H:88 .*no answer in .*TCP $H:88 .*sent the request; no answer"
deadline kdc-silent kdc-unreachable
hcase kdc-drip           hostile-kdc-drip 1 kdc-unreachable \
    "TCP $H:88 .*of [0-9]+ bytes of a reply in .*the rest never came"
deadline kdc-drip kdc-unreachable
hcase kdc-garbage        hostile-kdc-garbage 1 kdc-unreachable \
    "UDP $H:88 .*answered garbage: [0-9]+ bytes that are no Kerberos message"
hcase kdc-truncated      hostile-kdc-truncated 1 kdc-unreachable \
    "TCP $H:88 .*closed after [0-9]+ of [0-9]+ bytes"
hcase kdc-hugelen        hostile-kdc-hugelen 1 kdc-unreachable \
    "TCP $H:88 .*length prefix announcing 2147483647 bytes"
hcase kdc-wrongtype      hostile-kdc-wrongtype 1 kdc-unreachable \
    "UDP $H:88 .*AP-REP \(msg-type 15\) to AS-REQ"
hcase kdc-rst            hostile-kdc-rst 1 kdc-unreachable \
    "TCP $H:88 .*was reset"
hcase kdc-err25          hostile-kdc-err25 1 kerberos-failed \
    'Looping detected .*KRB5_GET_IN_TKT_LOOP'
hcase kdc-bigerror       hostile-kdc-bigerror 1 kerberos-failed \
    'KRB-ERROR 12 KDC_ERR_POLICY .*KDC policy rejects request'
hcase kdc-silent-tgs     hostile-kdc-silent-tgs 1 kdc-unreachable \
    "TCP $H:88 .*sent the request; no answer"
deadline kdc-silent-tgs kdc-unreachable
jq -e '[.findings[] | select(.id == "kdc-unreachable") | .evidence[]] |
    any(.source == "probe ticket" and .port == 88 and .server == "10.77.0.40")' \
    "$out/kdc-silent-tgs.json" >/dev/null 2>&1 && pass=$((pass + 1)) ||
    { echo "not ok - kdc-silent-tgs: the ticket step's exchange is not the evidence"; fail=$((fail + 1)); }
hcase kdc-drip-tgs       hostile-kdc-drip-tgs 1 kdc-unreachable \
    "TCP $H:88 .*the rest never came"

# --- a DNS server that misbehaves ----------------------------------------
hcase dns-silent         hostile-dns-silent 1 dns-unreachable \
    "UDP $D:53: no answer in"
deadline dns-silent dns-unreachable
hcase dns-garbage        hostile-dns-garbage 1 dns-unreachable \
    "UDP $D:53: answered garbage"
hcase dns-wrongid        hostile-dns-wrongid 1 dns-unreachable \
    "UDP $D:53: answered garbage: [0-9]+ datagrams? that (is|are) no reply"
hcase dns-truncated      hostile-dns-truncated 1 dns-unreachable \
    "UDP $D:53: a truncated answer; TCP $D:53: connected and sent the request; no answer"
hcase dns-drip           hostile-dns-drip 1 dns-unreachable \
    "TCP $D:53: .*the rest never came"
hcase dns-rst            hostile-dns-rst 1 dns-unreachable \
    "TCP $D:53: the connection was reset"
hcase dns-silent-srv     hostile-dns-silent-srv 1 dns-unreachable \
    "SRV _kerberos\._udp\.CHILD\.PARENT\.LAB .*UDP $D:53: no answer"
hcase dns-truncated-srv  hostile-dns-truncated-srv 1 dns-unreachable \
    "SRV _kerberos\._udp\.CHILD\.PARENT\.LAB .*a truncated answer"

# --- the same worlds for a fleet: before its first target the run finds
# its realms' KDCs (within a second), then each target is bounded as a
# probe is; each target's root cause is the probe's ----------------------------
fcase() {
	local name=$1 scen=$2 want_rc=$3 finding=$4 conf=${5:-}
	local rc t0 t1 elapsed msg="" roots
	if ! "$lab" scenario "$scen" >"$out/fleet-$name.lab.log" 2>&1; then
		echo "not ok - fleet $name: lab scenario $scen failed"
		fail=$((fail + 1))
		return
	fi
	eval "$("$lab" env)"
	[ -z "$conf" ] || KRB5_CONFIG=${!conf}
	printf '%s %s %s\n%s %s %s\n' "$MP_FQDN" "$CLIENT_PRINCIPAL" \
	    "$CLIENT_KEYTAB" "$MP_FQDN" "$CLIENT3_PRINCIPAL" "$CLIENT3_KEYTAB" \
	    >"$out/fleet-$name.targets"
	t0=$(date +%s.%N)
	"$lab" run env KRB5_CONFIG="$KRB5_CONFIG" "$ccmdiag" fleet \
	    --timeout "$timeout_s" --format jsonl "$out/fleet-$name.targets" \
	    >"$out/fleet-$name.jsonl" 2>"$out/fleet-$name.err"
	rc=$?
	t1=$(date +%s.%N)
	elapsed=$(echo "$t1 - $t0" | bc)
	[ "$rc" = "$want_rc" ] || msg="$msg exit $rc (want $want_rc);"
	roots=$(jq -r '[.findings[] | select(.severity == "error")][0].id // "-"' \
	    "$out/fleet-$name.jsonl" 2>/dev/null | sort -u | tr '\n' ' ')
	[ "$roots" = "$finding " ] || msg="$msg root causes '$roots' (want $finding);"
	if [ "$(echo "$elapsed > $timeout_s + 2" | bc)" = 1 ]; then
		msg="$msg took ${elapsed}s, over --timeout $timeout_s + 2 s;"
	fi
	if [ -z "$msg" ]; then
		printf 'ok - fleet %-18s exit %s, %s (%.2fs)\n' "$name" "$rc" \
		    "$finding" "$elapsed"
		pass=$((pass + 1))
	else
		echo "not ok - fleet $name:$msg"
		head -c 1000 "$out/fleet-$name.err"
		fail=$((fail + 1))
	fi
}

fcase kdc-port           kdc-port 0 -
fcase kdc-port-stale-srv kdc-port-conf 1 kdc-unreachable
fcase kdc-port-conf      kdc-port-conf 0 - KRB5_CONFIG_KDC_PORT
fcase kdc-silent         hostile-kdc-silent 1 kdc-unreachable
fcase dns-silent         hostile-dns-silent 1 dns-unreachable
fcase dns-silent-srv     hostile-dns-silent-srv 1 dns-unreachable
fcase dns-truncated-srv  hostile-dns-truncated-srv 1 dns-unreachable

# --- an LDAP server that misbehaves: the directory check cannot run, the
# verdict rests on the wire ---------------------------------------------------
hcase ldap-silent        hostile-ldap-silent 0 directory-unavailable \
    "ldap://ldap\.parent\.lab:389: SASL/GSSAPI bind: .*\(ldap LDAP_TIMEOUT\)"
hcase ldap-drip          hostile-ldap-drip 0 directory-unavailable \
    "ldap://ldap\.parent\.lab:389: SASL/GSSAPI bind: .*\(ldap LDAP_[A-Z_]+\)"
hcase ldap-garbage       hostile-ldap-garbage 0 directory-unavailable \
    "ldap://ldap\.parent\.lab:389: SASL/GSSAPI bind: .*\(ldap LDAP_SERVER_DOWN\)"
hcase ldap-hugelen       hostile-ldap-hugelen 0 directory-unavailable \
    "ldap://ldap\.parent\.lab:389: SASL/GSSAPI bind: .*\(ldap LDAP_[A-Z_]+\)"
hcase ldap-rst           hostile-ldap-rst 0 directory-unavailable \
    "ldap://ldap\.parent\.lab:389: SASL/GSSAPI bind: .*\(ldap LDAP_SERVER_DOWN\)"

echo "hostile: $pass passed, $fail failed"
[ "$fail" = 0 ]
