#!/bin/sh
# pcap-bad-input.sh - broken captures: no crash, exit 3 with one line for
# what cannot be read at all, a cut listed in the report for what can,
# never a death by signal when the file is cut while being read.
CCMDIAG=${CCMDIAG:-./ccmdiag}
SRCDIR=${CCMDIAG_SRCDIR:-.}
CORPUS=$SRCDIR/tests/fuzz/corpus/pcap
good=$CORPUS/arkime__krb5-tcp.pcap
[ -f "$good" ] || { echo "pcap-bad-input: $good is missing"; exit 99; }

tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0

check() {	# name, wanted exit status (or "01"), file
	"$CCMDIAG" analyze --format json "$3" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	case "$2:$rc" in
	3:3)	if [ "$(wc -l <"$tmp/err")" -ne 1 ]; then
			echo "FAIL $1: error is not one line"; fail=1; return
		fi ;;
	01:0|01:1) ;;
	01:3)	# a report that says the evidence holds no MP exchange
		grep -q '"basis":"no-exchange"' "$tmp/out" || {
			echo "FAIL $1: exit 3 without a report"; fail=1; return; } ;;
	*)	echo "FAIL $1: exit $rc, wanted $2"; cat "$tmp/err"; fail=1
		return ;;
	esac
	echo "ok   $1 (exit $rc) $(head -c 150 "$tmp/err")"
}

# pcap magic then garbage: libpcap refuses the header
{ printf '\324\303\262\241'; head -c 200 /dev/urandom; } >"$tmp/magic-garbage.pcap"
check magic-then-garbage 3 "$tmp/magic-garbage.pcap"
# a global header only 10 bytes long
head -c 10 "$good" >"$tmp/short-header.pcap"
check short-header 3 "$tmp/short-header.pcap"
# cut inside a packet: what was read is analysed, the cut is a note
size=$(wc -c <"$good")
head -c $((size - 37)) "$good" >"$tmp/cut.pcap"
check cut-in-packet 01 "$tmp/cut.pcap"
jq -e '.inputs[0].status == "cut" and (.inputs[0].detail | test("^ends at byte [0-9]+, after frame [0-9]+: inside a record")) and ([.findings[].id] | index("input-cut"))' \
    "$tmp/out" >/dev/null || { echo "FAIL cut: not listed as cut"; fail=1; }
# cut after the first packet header
head -c 50 "$good" >"$tmp/cut-early.pcap"
check cut-after-header 01 "$tmp/cut-early.pcap"
# random bytes after a valid header and first packet
{ head -c 200 "$good"; head -c 3000 /dev/urandom; } >"$tmp/tail-random.pcap"
check random-tail 01 "$tmp/tail-random.pcap"
# an unknown link type (LINKTYPE 147, user 0): frames counted, not decoded
python3 - "$good" "$tmp/linktype.pcap" <<'PY' || fail=1
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
le = d[:4] == b"\xd4\xc3\xb2\xa1"
struct.pack_into("<I" if le else ">I", d, 20, 147)
open(sys.argv[2], "wb").write(d)
PY
check unknown-linktype 01 "$tmp/linktype.pcap"
grep -q 'unsupported link type' "$tmp/out" || {
	echo "FAIL unknown-linktype: not counted"; fail=1; }
# a file that does not exist
check missing 3 "$tmp/does-not-exist.pcap"

# A file cut while it is read (a capture still being copied, a disk
# filling): never a death by signal, and a report of what was read.  A
# 256 MB capture of UDP datagrams to an unused port, cut to 1 MB a moment
# after the read began.
python3 - "$tmp/big.pcap" <<'PY' || fail=1
import struct, sys
rec = struct.pack("<IIII", 1700000000, 0, 1442, 1442) + bytes(14) + \
    b"\x45" + bytes(27) + bytes(1400)
rec = rec[:16 + 12] + b"\x08\x00" + rec[16 + 14:]	# ethertype IPv4
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    block = rec * 4096
    for _ in range(256 * 1024 * 1024 // len(block)):
        f.write(block)
PY
cuts=0 died=0
for delay in 0.05 0.1 0.15 0.2 0.3; do
	cp "$tmp/big.pcap" "$tmp/shrinking.pcap"
	"$CCMDIAG" analyze --format json "$tmp/shrinking.pcap" >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	sleep $delay
	truncate -s 1000000 "$tmp/shrinking.pcap"
	wait $pid
	rc=$?
	# exit 3 with a report: no MP exchange in these datagrams
	if [ $rc = 2 ] || [ $rc -gt 3 ] || ! jq -e .verdict "$tmp/out" >/dev/null 2>&1; then
		echo "FAIL truncated while read (after ${delay}s): exit $rc"
		head -3 "$tmp/err"
		fail=1 died=$((died + 1))
	fi
	jq -e '.inputs[0].status == "cut"' "$tmp/out" >/dev/null 2>&1 &&
	    cuts=$((cuts + 1))
done
[ $died = 0 ] &&
    echo "ok   truncated while read: 5 runs, $cuts reported as cut, the others read after the cut"
rm -f "$tmp/big.pcap" "$tmp/shrinking.pcap"
exit $fail
