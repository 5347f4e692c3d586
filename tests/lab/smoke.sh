#!/bin/bash
# shellcheck disable=SC2016 # the client environment is expanded by "lab.sh run"
# smoke.sh - bring the lab up, check two scenarios end to end, tear it down.
#   healthy:     kinit with the machine keytab, CCM_POST with Negotiate -> 200
#   spn-missing: kvno for HTTP/<MP> fails with "Server ... not found"
# Prints "N passed, M failed"; exit status 1 when anything failed.
set -eu

LAB=$(cd "$(dirname "$0")" && pwd)/lab.sh
passed=0
failed=0

trap '"$LAB" down' EXIT
"$LAB" up >/dev/null

result() {
	if [ "$2" = ok ]; then
		passed=$((passed + 1))
		echo "ok - $1"
	else
		failed=$((failed + 1))
		echo "not ok - $1: $3"
	fi
}

test_healthy() {
	local code
	"$LAB" scenario healthy
	if ! "$LAB" run sh -c 'kinit -k -t "$CLIENT_KEYTAB" "$CLIENT_PRINCIPAL"'; then
		result healthy fail "kinit failed"
		return
	fi
	code=$("$LAB" run curl -s -o /dev/null -w '%{http_code}' --max-time 10 \
		--negotiate -u : -X CCM_POST "http://mp.parent.lab/ccm_system_windowsauth/request" || :)
	if [ "$code" = 200 ]; then
		result healthy ok
	else
		result healthy fail "CCM_POST answered '$code', expected 200"
	fi
}

test_spn_missing() {
	local out
	"$LAB" scenario spn-missing
	if ! "$LAB" run sh -c 'kinit -k -t "$CLIENT_KEYTAB" "$CLIENT_PRINCIPAL"'; then
		result spn-missing fail "kinit failed"
		return
	fi
	# MIT prints "Server HTTP/mp.parent.lab@PARENT.LAB not found in
	# Kerberos database" (error 7 with the principal name inserted).
	if out=$("$LAB" run kvno -S HTTP mp.parent.lab 2>&1); then
		result spn-missing fail "kvno succeeded: $out"
	elif printf '%s\n' "$out" | grep -q 'Server .*not found'; then
		result spn-missing ok
	else
		result spn-missing fail "unexpected kvno error: $out"
	fi
}

test_healthy
test_spn_missing
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
