#!/bin/sh
# pcap-bad-input.sh - broken captures: no crash, exit 3 with one line for
# what cannot be read at all, a counted note for what can.
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
grep -q 'capture ends early' "$tmp/out" || { echo "FAIL cut: no note"; fail=1; }
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
exit $fail
