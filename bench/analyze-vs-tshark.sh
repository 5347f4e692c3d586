#!/bin/bash
# analyze-vs-tshark.sh - build a capture of >= 1 GiB from the public
# captures in tests/data/pcap/public (the Kerberos, HTTP and DNS ones twice
# per round, the background ones once, each round shifted by a day), then in
# one run time `ccmdiag analyze --format json` on it against tshark
# dissecting the same Kerberos and HTTP fields, and print MB/s, the ratio
# and the peak RSS of each.  ccmdiag also reads a capture of half the rounds:
# its peak RSS should not follow the capture's size.  PROFILE=1 adds a perf
# profile of ccmdiag on a ~50 MB slice.  The captures are deleted on exit.
#
# env: PCAPS (capture dir), SIZE (bytes, default 1 GiB), TMPDIR, CCMDIAG
# shellcheck disable=SC2154 # secs_*, rss_*, rc_*: set by measure via eval
set -eu
srcdir=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$srcdir/bench/lib.sh"
ccmdiag=${CCMDIAG:-$srcdir/ccmdiag}
pcaps=${PCAPS:-$srcdir/tests/data/pcap/public}
size=${SIZE:-$((1024 * 1024 * 1024))}
need mergecap editcap capinfos tshark bc /usr/bin/time
[ -x "$ccmdiag" ] || { echo "$0: build ccmdiag first" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/ccmdiag-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
need_space "$work" $((5 * size / 2))

# One round: every Ethernet capture (pcap output needs one link type).
fg=() bg=()
for f in "$pcaps"/*.pcap "$pcaps"/*.pcapng "$pcaps"/*.cap; do
	[ -f "$f" ] || continue
	capinfos -E "$f" 2>/dev/null | grep -q 'encapsulation: *Ethernet$' ||
	    continue
	case $(basename "$f") in
	nDPI__1kxun.pcap | suricata-verify__tls-subjectaltname.pcap | \
	zeek__http_206_example_b.pcap | zeek__smb_smb3_multichannel.pcap)
		bg+=("$f") ;;
	*)	fg+=("$f") ;;
	esac
done
mergecap -a -F pcap -w "$work/round.pcap" "${fg[@]}" "${fg[@]}" "${bg[@]}"
round=$(stat -c %s "$work/round.pcap")
n=$(( (size + round - 1) / round ))
for i in $(seq 0 $((n - 1))); do
	editcap -F pcap -t $((i * 86400)) "$work/round.pcap" \
	    "$work/r$(printf %04d "$i").pcap"
done
mergecap -a -F pcap -w "$work/big.pcap" "$work"/r[0-9]*.pcap
rounds=("$work"/r[0-9]*.pcap)
mergecap -a -F pcap -w "$work/half.pcap" "${rounds[@]:0:$(( (n + 1) / 2 ))}"
rm -f "$work"/r[0-9]*.pcap
half=$(stat -c %s "$work/half.pcap")
bytes=$(stat -c %s "$work/big.pcap")
frames=$(capinfos -c -M "$work/big.pcap" | awk -F': *' '/Number of packets/ {print $2}')
printf 'capture: %d bytes (%.2f GiB), %s frames, %d rounds of %d files ' \
    "$bytes" "$(echo "$bytes / 1073741824" | bc -l)" "$frames" "$n" \
    $((2 * ${#fg[@]} + ${#bg[@]}))
printf '(%d Kerberos/HTTP/DNS x2, %d background)\n' "${#fg[@]}" "${#bg[@]}"
cat "$work/big.pcap" "$work/half.pcap" >/dev/null	# from the page cache
# Write the files out before timing: on a virtual machine the host's work
# writing back a gigabyte shows as CPU time stolen from the runs.
sync
sleep 2

timed half "$ccmdiag" analyze --format json "$work/half.pcap"
timed ccm "$ccmdiag" analyze --format json "$work/big.pcap"
timed tshark tshark -r "$work/big.pcap" -Y 'kerberos || http' -T fields \
    -e frame.number -e frame.time_epoch -e ip.src -e ip.dst \
    -e kerberos.msg_type -e kerberos.error_code -e kerberos.realm \
    -e kerberos.SNameString -e kerberos.CNameString -e kerberos.etype \
    -e http.request.method -e http.request.uri -e http.response.code \
    -e http.www_authenticate -e http.authorization 2>"$work/tshark.err"

if ! jq -e .verdict "$work/ccm.out" >/dev/null 2>&1; then
	echo "$0: ccmdiag gave no report (exit $rc_ccm)" >&2
	exit 1
fi
printf 'ccmdiag: %s timeline events, %s findings; tshark: %s Kerberos/HTTP frames\n' \
    "$(jq '.timeline | length' "$work/ccm.out")" \
    "$(jq '.findings | length' "$work/ccm.out")" \
    "$(wc -l <"$work/tshark.out")"
printf '%-34s %8s %10s %12s\n' tool seconds MB/s 'peak RSS'
printf '%-34s %8.2f %10.1f %9d MiB\n' 'ccmdiag analyze --format json' \
    "$secs_ccm" "$(mbps "$bytes" "$secs_ccm")" $((rss_ccm / 1024))
printf '%-34s %8.2f %10.1f %9d MiB\n' "ccmdiag, half ($((half / 1048576)) MiB)" \
    "$secs_half" "$(mbps "$half" "$secs_half")" $((rss_half / 1024))
printf '%-34s %8.2f %10.1f %9d MiB\n' "tshark -Y 'kerberos || http'" \
    "$secs_tshark" "$(mbps "$bytes" "$secs_tshark")" $((rss_tshark / 1024))
r=$(ratio "$secs_tshark" "$secs_ccm")
printf 'ccmdiag is %.1fx tshark\n' "$r"
met() { [ "$(echo "$1" | bc -l)" = 1 ] && echo met || echo MISSED; }
printf 'target >= 50x tshark: %s; >= 1 GB/s: %s; RSS < 256 MiB: %s\n' \
    "$(met "$r >= 50")" "$(met "$bytes / $secs_ccm >= 1000000000")" \
    "$(met "$rss_ccm < 262144 && $rss_half < 262144")"

if [ "${PROFILE:-0}" = 1 ] && command -v perf >/dev/null; then
	slice=$work/slice.pcap
	editcap -F pcap -r "$work/big.pcap" "$slice" \
	    1-$((frames * 50000000 / bytes))
	perf record -q -o "$work/perf.data" "$ccmdiag" analyze \
	    --format json "$slice" >/dev/null 2>&1 || true
	echo "where ccmdiag's time goes ($(stat -c %s "$slice") byte slice):"
	perf report -i "$work/perf.data" --no-children --stdio 2>/dev/null |
	    grep -E '^ +[0-9.]+%' | head -20
fi
