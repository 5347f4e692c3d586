#!/bin/bash
# probe-vs-curl.sh - time `ccmdiag probe` on the healthy lab against the
# reference round trip done by hand (kinit -k, then curl --negotiate with
# CCM_POST), in the same run, and print both times and their ratio.
# Needs root; brings the lab up and down itself.
set -eu
srcdir=$(cd "$(dirname "$0")/.." && pwd)
ccmdiag=${CCMDIAG:-$srcdir/ccmdiag}
lab=$srcdir/tests/lab/lab.sh
runs=${RUNS:-10}
export CCMDIAG_LAB_DIR=${CCMDIAG_LAB_DIR:-/tmp/ccmdiag-lab-bench}

trap '"$lab" down >/dev/null 2>&1' EXIT INT TERM
"$lab" up >/dev/null
"$lab" scenario healthy >/dev/null
eval "$("$lab" env)"
cc=$STATEDIR/bench.ccache

probe() {
	"$lab" run "$ccmdiag" probe --keytab "$CLIENT_KEYTAB" \
	    --principal "$CLIENT_PRINCIPAL" --format json "$MP_FQDN" >/dev/null
}
probe_nocap() {
	"$lab" run "$ccmdiag" probe --no-capture --keytab "$CLIENT_KEYTAB" \
	    --principal "$CLIENT_PRINCIPAL" --format json "$MP_FQDN" >/dev/null
}
reference() {
	"$lab" run env KRB5CCNAME="FILE:$cc" sh -c \
	    "kinit -k -t '$CLIENT_KEYTAB' '$CLIENT_PRINCIPAL' &&
	     curl -s -o /dev/null -w '%{http_code}' --negotiate -u : \
	     -X CCM_POST -d '' http://$MP_FQDN/ccm_system_windowsauth/request \
	     | grep -q 200 && kdestroy -q"
}

# warm both paths once (page cache, KDC replay cache)
probe || true
reference

time_runs() {
	local fn=$1 t0 t1 i
	t0=$(date +%s.%N)
	for i in $(seq "$runs"); do
		$fn || true
	done
	t1=$(date +%s.%N)
	echo "($t1 - $t0) / $runs" | bc -l
}

tp=$(time_runs probe)
tn=$(time_runs probe_nocap)
tr=$(time_runs reference)
printf 'runs: %d each, healthy lab scenario\n' "$runs"
printf 'ccmdiag probe, all steps, with its own capture:           %.3f s\n' "$tp"
printf 'ccmdiag probe --no-capture:                                %.3f s\n' "$tn"
printf 'kinit -k + curl --negotiate CCM_POST (reference):          %.3f s\n' "$tr"
printf 'ratio ccmdiag/reference: %.2f (without capture %.2f)\n' \
    "$(echo "$tp / $tr" | bc -l)" "$(echo "$tn / $tr" | bc -l)"
printf 'target: probe under 1 s wall: %s\n' \
    "$( [ "$(echo "$tp < 1" | bc)" = 1 ] && echo met || echo MISSED)"
