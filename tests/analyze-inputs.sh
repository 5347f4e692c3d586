#!/bin/sh
# analyze-inputs.sh - inputs as customers send them: standard input, a FIFO,
# a directory, gzip, zip, a bad file among good ones, mergecap's output of
# two link types, captures cut by truncate and editcap; every input listed
# in the report, every event naming its file, the same bytes on every run.
CCMDIAG=${CCMDIAG:-./ccmdiag}
SRCDIR=${CCMDIAG_SRCDIR:-.}
corpus=$SRCDIR/tests/fuzz/corpus/pcap
eth=$SRCDIR/tests/data/pcap/kdc-failover.pcap	# Ethernet, KDC exchanges
sll=$corpus/sll.pcap				# Linux cooked capture
krb=$corpus/arkime__krb5-tcp.pcap
log=$SRCDIR/tests/data/logs/u_ex090520.log
for f in "$eth" "$sll" "$krb" "$log"; do
	[ -f "$f" ] || { echo "analyze-inputs: no $f"; exit 77; }
done
for t in jq mergecap editcap capinfos zip gzip; do
	command -v $t >/dev/null || { echo "analyze-inputs: needs $t"; exit 77; }
done

tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "not ok - $*"; fail=$((fail + 1)); }

# run NAME ARGS...: analyze --format json into $tmp/NAME.json, stderr in
# $tmp/NAME.err, exit status in $rc
run() {
	name=$1
	shift
	"$CCMDIAG" analyze --format json "$@" >"$tmp/$name.json" \
	    2>"$tmp/$name.err"
	rc=$?
}
# the verdict and the findings' ids, which must not depend on how the
# bytes arrived
verdict() { jq -c '[.verdict.summary, [.findings[].id]]' "$tmp/$1.json"; }
# jq -e FILTER on NAME.json, or say what failed
check() {
	if jq -e "$2" "$tmp/$1.json" >/dev/null 2>&1; then ok; else
		bad "$1: $2"; jq -c .inputs "$tmp/$1.json" 2>/dev/null |
		    head -c 600; echo; fi
}

# --- standard input, /dev/stdin, a FIFO: the verdict of the file -------------
run file "$eth"
want=$(verdict file)
# (exit 3: the capture holds Kerberos but no exchange with an MP)
[ "$rc" -le 1 ] || [ "$rc" -eq 3 ] || bad "file: exit $rc"
run dash - <"$eth"
[ "$(verdict dash)" = "$want" ] && ok || bad "analyze - <file: $(verdict dash) != $want"
check dash '[.inputs[] | [.path, .kind, .status]] == [["-","capture","read"]]'
check dash '[.timeline[].source | select(test("^stdin frame [0-9]+$"))] | length > 0'
cat "$eth" | "$CCMDIAG" analyze --format json /dev/stdin >"$tmp/pipe.json" 2>"$tmp/pipe.err"
[ "$(verdict pipe)" = "$want" ] && ok || bad "cat | analyze /dev/stdin: $(cat "$tmp/pipe.err")"
mkfifo "$tmp/fifo"
for i in 1 2 3; do
	cat "$eth" >"$tmp/fifo" &
	timeout 30 "$CCMDIAG" analyze --format json "$tmp/fifo" >"$tmp/fifo.json" 2>"$tmp/fifo.err"
	rc=$?
	wait
	[ $rc -ne 2 ] && [ "$(verdict fifo)" = "$want" ] && ok ||
	    bad "FIFO, try $i: exit $rc $(cat "$tmp/fifo.err")"
done
# a log on standard input: sources are stdin:LINE
run logstdin - <"$log"
check logstdin '.inputs[0].kind == "iis" and .inputs[0].status == "read"'
check logstdin '[.timeline[].source | select(test("^stdin:[0-9]+$"))] | length > 0'

# --- gzip and zip ------------------------------------------------------------
gzip -c "$eth" >"$tmp/kdc.pcap.gz"
run gz "$tmp/kdc.pcap.gz"
[ "$(verdict gz)" = "$want" ] && ok || bad "gzip'd capture: $(verdict gz)"
check gz '.inputs[0].kind == "capture" and .inputs[0].status == "read" and (.inputs[0].detail | test("gzip"))'
check gz '[.timeline[].source | select(startswith("kdc.pcap.gz frame "))] | length > 0'
gzip -c "$eth" | run gzpipe -
[ "$(verdict gzpipe)" = "$want" ] && ok || bad "gzip'd capture on stdin"
mkdir "$tmp/z"
cp "$eth" "$tmp/z/client.pcap"
cp "$log" "$tmp/z/u_ex090520.log"
echo "notes from the customer" >"$tmp/z/notes.txt"
(cd "$tmp/z" && zip -q -X ../case.zip client.pcap u_ex090520.log notes.txt)
run zip "$tmp/case.zip"
run both "$eth" "$log" "$tmp/z/notes.txt"
[ "$(verdict zip)" = "$(verdict both)" ] && ok ||
    bad "zip: $(verdict zip) != the files': $(verdict both)"
check zip '[.inputs[] | [.path, .kind, .status]] == [["'"$tmp"'/case.zip:client.pcap","capture","read"],["'"$tmp"'/case.zip:u_ex090520.log","iis","read"],["'"$tmp"'/case.zip:notes.txt","unknown","unreadable"]]'
check zip '[.timeline[].source | select(test("^u_ex090520.log:[0-9]+$"))] | length > 0'
check zip '[.timeline[].source | select(test("^client.pcap frame [0-9]+$"))] | length > 0'
[ ! -s "$tmp/zip.err" ] && ok || bad "zip: a file of another kind is not worth a line: $(cat "$tmp/zip.err")"
# a zip cut short: the members before the cut stand, the zip is cut
head -c $(($(wc -c <"$tmp/case.zip") - 200)) "$tmp/case.zip" >"$tmp/cut.zip"
run cutzip "$tmp/cut.zip"
[ "$rc" -lt 2 ] && ok || bad "cut zip: exit $rc"
check cutzip '[.inputs[] | select(.status == "read")] | length >= 1'
check cutzip '[.findings[].id] | index("input-cut") != null or index("input-unreadable") != null'

# --- a directory -------------------------------------------------------------
mkdir -p "$tmp/d/b-logs/iis" "$tmp/d/.hidden" "$tmp/empty"
cp "$eth" "$tmp/d/c.pcap"
cp "$krb" "$tmp/d/a.pcap"
cp "$log" "$tmp/d/b-logs/iis/u_ex090520.log"
cp "$krb" "$tmp/d/.hidden/x.pcap"
run dir "$tmp/d"
check dir '[.inputs[].path] == ["'"$tmp"'/d/a.pcap","'"$tmp"'/d/b-logs/iis/u_ex090520.log","'"$tmp"'/d/c.pcap"]'
check dir '[.inputs[].status] == ["read","read","read"]'
echo "just text" >"$tmp/empty/readme.txt"
run empty "$tmp/empty"
[ "$rc" -eq 3 ] && [ "$(wc -l <"$tmp/empty.err")" -eq 1 ] &&
    grep -q "empty: no capture" "$tmp/empty.err" && ok ||
    bad "empty directory: exit $rc, $(cat "$tmp/empty.err")"

# --- a bad input among good ones ---------------------------------------------
head -c 300 /dev/urandom >"$tmp/garbage.bin"
printf '\001' >>"$tmp/garbage.bin"
run mixed "$eth" "$tmp/missing.pcap" "$tmp/garbage.bin" "$log"
[ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] && ok || bad "mixed: exit $rc"
[ "$(wc -l <"$tmp/mixed.err")" -eq 2 ] && grep -q "missing.pcap: cannot open" "$tmp/mixed.err" &&
    grep -q "garbage.bin: not a capture" "$tmp/mixed.err" && ok ||
    bad "mixed: one line per bad input: $(cat "$tmp/mixed.err")"
check mixed '[.inputs[].status] == ["read","unreadable","unreadable","read"]'
check mixed '[.findings[] | select(.id == "input-unreadable") | .evidence | length] == [2]'
check mixed '[.findings[] | select(.id == "input-unreadable") | .severity] == ["warning"]'
run allbad "$tmp/missing.pcap" "$tmp/garbage.bin"
[ "$rc" -eq 3 ] && [ "$(wc -l <"$tmp/allbad.err")" -eq 2 ] && ok ||
    bad "nothing readable: exit $rc (want 3), $(cat "$tmp/allbad.err")"

# --- mergecap: two link types in one pcapng ----------------------------------
mergecap -w "$tmp/merged.pcapng" "$eth" "$sll"
frames=$(capinfos -c -M "$tmp/merged.pcapng" | awk -F': *' '/Number of packets/ {print $2}')
run merged "$tmp/merged.pcapng"
check merged '.inputs[0].status == "read" and .inputs[0].detail == "'"$frames"' frames"'
run sll "$sll"
# every Kerberos message of each capture is in the merged one's timeline
for part in file sll; do
	jq -c '[.timeline[] | select(.type | startswith("krb")) | [.type, .name, .realm]] | sort' \
	    "$tmp/$part.json" >"$tmp/$part.krb"
done
jq -c '[.timeline[] | select(.type | startswith("krb")) | [.type, .name, .realm]] | sort' \
    "$tmp/merged.json" >"$tmp/merged.krb"
jq -e -n --slurpfile a "$tmp/file.krb" --slurpfile b "$tmp/sll.krb" \
    --slurpfile m "$tmp/merged.krb" '($a[0] + $b[0] | unique) - ($m[0] | unique) == []' \
    >/dev/null && ok || bad "merged: Kerberos messages of a part are missing"

# --- captures cut short: truncate and editcap --------------------------------
size=$(wc -c <"$tmp/merged.pcapng")
truncate -s $((size - 100)) "$tmp/merged.pcapng"
run cutng "$tmp/merged.pcapng"
check cutng '.inputs[0].status == "cut" and (.inputs[0].detail | test("^ends at byte [0-9]+, after frame [0-9]+: "))'
check cutng '[.findings[] | select(.id == "input-cut") | .severity] == ["warning"]'
check cutng '[.timeline[] | select(.type == "input") | .source] == ["merged.pcapng"]'
check cutng '[.timeline[] | select(.type == "input") | has("time")] == [false]'
editcap -F pcap -r "$SRCDIR/tests/data/pcap/frag-kpasswd.pcap" "$tmp/first.pcap" 1-20
size=$(wc -c <"$tmp/first.pcap")
head -c $((size - 10)) "$tmp/first.pcap" >"$tmp/cut.pcap"
run cutpcap "$tmp/cut.pcap"
check cutpcap '.inputs[0].status == "cut" and (.inputs[0].detail | test("after frame 19: inside a record"))'

# --- the same input, the same bytes ------------------------------------------
for f in "$tmp/merged.pcapng" "$eth" "$tmp/case.zip"; do
	for fmt in json text markdown html; do
		"$CCMDIAG" analyze -v --format $fmt "$f" >"$tmp/a.out" 2>&1
		"$CCMDIAG" analyze -v --format $fmt "$f" >"$tmp/b.out" 2>&1
		cmp -s "$tmp/a.out" "$tmp/b.out" && ok ||
		    bad "two runs on $(basename "$f") ($fmt) differ"
	done
done
! grep -q "$(date -u +%Y-%m-%dT)" "$tmp/a.out" && ok ||
    bad "a report carries today's date"

echo "analyze-inputs: $pass passed, $fail failed"
[ "$fail" = 0 ]
