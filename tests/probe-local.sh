#!/bin/bash
# probe-local.sh - `ccmdiag probe` on an engineer's machine: names only the
# hosts file knows, short names, addresses, a trailing dot, a user's
# ticket, the engineer's own mistakes (keytab, cache, CA file, timeout), an
# MP that never answers, a broken trust key, a skewed clock.  Each case
# asserts the exit code, the root cause (or the one exit-3 line), that no
# other finding blames the MP, the KDC or the network, and that the report
# holds no unreadable leftovers.  Needs root (network namespaces).
set -u

srcdir=${CCMDIAG_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
ccmdiag=${CCMDIAG:-$srcdir/ccmdiag}
lab=$srcdir/tests/lab/lab.sh
out=${CCMDIAG_TEST_OUT:-$PWD/tests/probe-local-results}
. "$srcdir/tests/lab/testenv.sh"
lab_names ccml
timeout_s=6

if [ "$(id -u)" != 0 ]; then
	echo "probe-local: needs root for network namespaces; skipped"
	exit 77
fi
command -v jq >/dev/null || { echo "probe-local: jq is missing"; exit 99; }
# shellcheck source=tests/report-text.sh
. "$srcdir/tests/report-text.sh"

mkdir -p "$out"
trap '"$lab" down >/dev/null 2>&1' EXIT INT TERM
if ! "$lab" up >"$out/lab-up.log" 2>&1; then
	echo "probe-local: the lab did not start:"
	tail -20 "$out/lab-up.log"
	exit 99
fi

pass=0
fail=0
summary=""

# Findings that blame someone other than the engineer: every error but the
# expected one.
others() {
	jq -r --arg want "$2" '[.findings[] | select(.severity == "error" and
	    .id != $want) | .id] | join(",")' "$1"
}

record() {
	summary="$summary$(printf '  %-20s %s' "$1" "$2")
"
}

# lcase NAME SCENARIO WANT_RC WANT ALSO [WRAP... --] ARGS...
#   WANT: the root cause ("-" none) for exit 0/1, or an extended regex the
#   one stderr line must match for exit 3.  ALSO: a finding that must be
#   there too ("-" none); with WANT "-" it is the only warning allowed.
lcase() {
	local name=$1 scen=$2 want_rc=$3 want=$4 also=$5 rc root msg="" wrap=()
	shift 5
	if [ "$1" = wrap ]; then
		shift
		while [ "$1" != -- ]; do
			wrap+=("$1")
			shift
		done
		shift
	fi
	if ! "$lab" scenario "$scen" >"$out/$name.lab.log" 2>&1; then
		echo "not ok - $name: lab scenario $scen failed"
		fail=$((fail + 1))
		return
	fi
	eval "$("$lab" env)"
	[ -z "${PRE:-}" ] || eval "$PRE"
	"$lab" run ${wrap[@]+"${wrap[@]}"} "$ccmdiag" probe --timeout "$timeout_s" \
	    --format json "$@" >"$out/$name.json" 2>"$out/$name.err"
	rc=$?
	[ "$rc" = "$want_rc" ] || msg="$msg exit $rc (want $want_rc);"
	if [ "$want_rc" = 3 ]; then
		[ ! -s "$out/$name.json" ] || msg="$msg a report was written;"
		[ "$(wc -l <"$out/$name.err")" = 1 ] ||
		    msg="$msg $(wc -l <"$out/$name.err") lines on stderr;"
		grep -qE -e "$want" "$out/$name.err" ||
		    msg="$msg stderr does not say /$want/;"
		root=$(cat "$out/$name.err")
	else
		root=$(jq -r '[.findings[] | select(.severity == "error")][0].id // "-"' \
		    "$out/$name.json" 2>/dev/null)
		[ "$root" = "$want" ] || msg="$msg root cause $root (want $want);"
		local o
		o=$(others "$out/$name.json" "$want")
		[ -z "$o" ] || msg="$msg also blames: $o;"
		if [ "$also" != - ] && ! jq -e --arg id "$also" \
		    'any(.findings[]; .id == $id)' "$out/$name.json" >/dev/null; then
			msg="$msg no $also finding;"
		fi
		if [ "$want" = - ]; then
			o=$(jq -r --arg also "$also" '[.findings[] | select(
			    .severity == "warning" and .id != $also) | .id] |
			    join(",")' "$out/$name.json")
			[ -z "$o" ] || msg="$msg other warnings: $o;"
		fi
		o=$(report_leftovers "$out/$name.json")
		[ -z "$o" ] || msg="$msg leftovers: $o;"
		o=$(report_uncited "$out/$name.json")
		[ -z "$o" ] || msg="$msg findings citing no evidence: $o;"
		root="$root ($(jq -r '.verdict.summary' "$out/$name.json"))"
	fi
	record "$name" "exit $rc: $root"
	if [ -z "$msg" ]; then
		echo "ok - $name: exit $rc, $root"
		pass=$((pass + 1))
	else
		echo "not ok - $name:$msg"
		head -c 1500 "$out/$name.err"
		fail=$((fail + 1))
	fi
}

eval "$("$lab" env)"
kt=(--keytab "$TRUSTED_KEYTAB" --principal "$TRUSTED_PRINCIPAL")

# --- names as the system resolver knows them ------------------------------
lcase hosts-only      hosts-only 0 - dns-hosts-file-only "${kt[@]}" "$MP_FQDN"
lcase search-list     search-list 0 - - "${kt[@]}" mp
lcase ip-literal      healthy 1 mp-name-is-address - "${kt[@]}" "$MP_IP"
lcase trailing-dot    healthy 0 - - "${kt[@]}" "$MP_FQDN."
# the report names the FQDN it built the SPN from
for n in search-list trailing-dot; do
	if jq -e '.steps[0].summary | test("SPN HTTP/mp.parent.lab;")' \
	    "$out/$n.json" >/dev/null 2>&1; then
		pass=$((pass + 1))
	else
		echo "not ok - $n: the dns step does not name HTTP/mp.parent.lab"
		fail=$((fail + 1))
	fi
done
if jq -e '.mp_realm == "" or .mp_realm == null' "$out/ip-literal.json" \
    >/dev/null 2>&1 && ! grep -q '"realm": *"0' "$out/ip-literal.json"; then
	pass=$((pass + 1))
else
	echo "not ok - ip-literal: a realm was made up from the address"
	fail=$((fail + 1))
fi

# --- identities ---------------------------------------------------------------
PRE='echo "$CLIENT_USER_PASSWORD" | "$lab" run kinit "$CLIENT_USER" >/dev/null 2>&1'
lcase user-principal  healthy 0 - identity-not-machine "$MP_FQDN"
PRE=
if jq -e '.verdict.summary | test("machine account")' \
    "$out/user-principal.json" >/dev/null 2>&1; then
	pass=$((pass + 1))
else
	echo "not ok - user-principal: the verdict does not say it holds for the user only"
	fail=$((fail + 1))
fi
lcase keytab-default  healthy 0 - - --keytab "$TRUSTED_KEYTAB" "$MP_FQDN"
grep -qF 'acting as WS01$@CHILD.PARENT.LAB' "$out/keytab-default.err" &&
    pass=$((pass + 1)) || { echo "not ok - keytab-default: does not say which principal"; fail=$((fail + 1)); }

# --- the engineer's own mistakes: one line, exit 3 -------------------------------
lcase keytab-wrong-principal healthy 3 \
    "holds no key for WS02\\\$@CHILD.PARENT.LAB; it holds: WS01\\\$@CHILD.PARENT.LAB" - \
    --keytab "$TRUSTED_KEYTAB" --principal 'WS02$@CHILD.PARENT.LAB' "$MP_FQDN"
lcase keytab-not-keytab healthy 3 "keytab /etc/hosts is not a usable keytab: .*KRB5_KEYTAB_BADVNO" - \
    --keytab /etc/hosts "$MP_FQDN"
lcase keytab-missing  healthy 3 "cannot read --keytab /nonexistent.keytab" - \
    --keytab /nonexistent.keytab "$MP_FQDN"
PRE='printf "not a credential cache" >"${KRB5CCNAME#FILE:}"'
lcase ccache-corrupt  healthy 3 "credential cache FILE:.*ccache \\(KRB5CCNAME\\) is not readable" - "$MP_FQDN"
PRE='rm -f "${KRB5CCNAME#FILE:}"'
lcase ccache-missing  healthy 3 "no credential cache at FILE:.*ccache \\(KRB5CCNAME\\)" - "$MP_FQDN"
PRE=
lcase cafile-missing  healthy 3 "cannot read --cacert /nonexistent.pem" - \
    "${kt[@]}" --https --cafile /nonexistent.pem "$MP_FQDN"
timeout_s=0.05
lcase timeout-short   healthy 3 "--timeout 0.05 s is too short" - "${kt[@]}" "$MP_FQDN"
timeout_s=6

# --- root causes still to be named right ----------------------------------------
lcase mp-hang         mp-hang 1 mp-no-answer - "${kt[@]}" "$MP_FQDN"
lcase trust-broken    trust-broken 1 trust-broken - "${kt[@]}" "$MP_FQDN"
# the KDC that failed is the MP realm's, and the referral is evidence
if jq -e '[.findings[] | select(.id == "trust-broken") | .evidence[]] |
    (any(.type == "krb-error" and .realm == "PARENT.LAB")) and
    (any(.type == "krb-referral"))' "$out/trust-broken.json" >/dev/null 2>&1; then
	pass=$((pass + 1))
else
	echo "not ok - trust-broken: evidence lacks the parent KDC's error or the referral"
	fail=$((fail + 1))
fi
lcase client-skew     client-skew 1 clock-skew - wrap faketime -f +20m -- \
    "${kt[@]}" "$MP_FQDN"
# the step, and every finding that shows the offset, say it is an error
if jq -e '(.steps[] | select(.name == "clock") | .status == "failed") and
    ([.findings[] | select(.id == "clock-offset")] | length == 0)' \
    "$out/client-skew.json" >/dev/null 2>&1; then
	pass=$((pass + 1))
else
	echo "not ok - client-skew: the clock step or clock-offset calls -1200 s fine"
	fail=$((fail + 1))
fi

# --- an interrupted run leaves nothing behind ------------------------------------
"$lab" scenario mp-hang >/dev/null 2>&1
eval "$("$lab" env)"
# in a directory of its own: other tests' probes may run meanwhile
rm -rf "$out/tmp" && mkdir -p "$out/tmp"
before=$(ls -A "$out/tmp")
TMPDIR=$out/tmp "$lab" run "$ccmdiag" probe --timeout 20 "${kt[@]}" \
    "$MP_FQDN" >"$out/interrupt.out" 2>"$out/interrupt.err" &
pid=$!
sleep 1.5
kill -INT "$pid"
wait "$pid"
rc=$?
after=$(ls -A "$out/tmp")
if [ "$rc" = 3 ] && [ "$before" = "$after" ] &&
    grep -q "interrupted" "$out/interrupt.err"; then
	echo "ok - interrupt: exit 3, $(cat "$out/interrupt.err")"
	record interrupt "exit 3: $(cat "$out/interrupt.err")"
	pass=$((pass + 1))
else
	echo "not ok - interrupt: exit $rc, left: $(comm -13 <(echo "$before") <(echo "$after"))"
	fail=$((fail + 1))
fi

printf 'what each case printed:\n%s' "$summary" >"$out/summary.txt"
cat "$out/summary.txt"
echo "probe-local: $pass passed, $fail failed"
[ "$fail" = 0 ]
