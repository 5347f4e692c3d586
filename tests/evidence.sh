#!/bin/sh
# evidence.sh - `ccmdiag analyze --evidence DIR`: every report format, the
# capture, the cited log lines and a MANIFEST that sha256sum verifies; and
# no Negotiate token, ticket or key from the inputs in any report or excerpt.
srcdir=${CCMDIAG_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
ccmdiag=${CCMDIAG:-$srcdir/ccmdiag}
logs=$srcdir/tests/data/logs
pcap=$srcdir/tests/data/pcap/public/wswiki__rbcd_win_trasitive_trust.pcapng
pass=0 fail=0

[ -f "$pcap" ] || { echo "evidence: $pcap is missing"; exit 99; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ev=$tmp/bundle
ok() { pass=$((pass + 1)); }
bad() { echo "not ok - $*"; fail=$((fail + 1)); }

"$ccmdiag" analyze --evidence "$ev" "$pcap" "$logs/u_ex090520.log" \
    "$logs/hostile.log" >"$tmp/stdout" 2>"$tmp/stderr"
rc=$?
[ $rc = 1 ] && ok || { bad "exit $rc"; cat "$tmp/stderr"; }
for f in report.txt report.json report.md report.html MANIFEST \
    "capture-$(basename "$pcap")" log-u_ex090520.log.txt log-hostile.log.txt
do
	[ -s "$ev/$f" ] && ok || bad "no $f in the bundle"
done
[ "$(stat -c %a "$ev")" = 700 ] && ok || bad "bundle directory not 0700"
cmp -s "$pcap" "$ev/capture-$(basename "$pcap")" && ok || bad "capture copy"

# the manifest covers every file and verifies
(cd "$ev" && sha256sum --quiet --strict -c MANIFEST) && ok || bad "MANIFEST"
ls "$ev" | grep -vx MANIFEST >"$tmp/files"
awk '{ print $2 }' "$ev/MANIFEST" | sort | diff - "$tmp/files" >/dev/null &&
    ok || bad "MANIFEST does not list exactly the bundle's files"

# the JSON is the one --format json prints; the text has the timeline
"$ccmdiag" analyze --format json "$pcap" "$logs/u_ex090520.log" \
    "$logs/hostile.log" >"$tmp/plain.json"
cmp -s "$tmp/plain.json" "$ev/report.json" && ok || bad "report.json differs"
grep -q '^Timeline:' "$ev/report.txt" && ok || bad "report.txt: no timeline"

# excerpts: the cited lines, the #Fields line, nothing else
grep -q '^     12  2009-05-20 19:37:12 W3SVC1 CCM_POST' \
    "$ev/log-u_ex090520.log.txt" && ok || bad "excerpt lacks line 12"
grep -q '^      4  #Fields:' "$ev/log-u_ex090520.log.txt" && ok ||
    bad "excerpt lacks #Fields"
grep -q 'GET /SMS_MP' "$ev/log-u_ex090520.log.txt" &&
    bad "excerpt holds an uncited line" || ok
grep -q '\[redacted: [0-9]* characters\]' "$ev/log-hostile.log.txt" && ok ||
    bad "hostile excerpt: base64 run not redacted"

# redaction: no 40-character piece of any token from the inputs' HTTP
# Authorization/WWW-Authenticate headers (and the hostile log's query)
{
	grep -aoE '(Negotiate|Kerberos|NTLM) [A-Za-z0-9+/]{40,}=*' "$pcap" |
	    cut -d' ' -f2
	if command -v tshark >/dev/null 2>&1; then
		tshark -r "$pcap" -Y http -T fields -e http.authorization \
		    -e http.www_authenticate 2>/dev/null | tr '\t, ' '\n\n\n' |
		    grep -E '^[A-Za-z0-9+/]{40,}=*$'
	fi
	grep -oE 'auth=[A-Za-z0-9+/]{40,}' "$logs/hostile.log" | cut -c6-
} | sort -u >"$tmp/tokens"
grep -q '^YII' "$tmp/tokens" && ok || bad "no Kerberos AP-REQ token found in the input"
awk '{ for (i = 1; i + 39 <= length($0); i++) print substr($0, i, 40) }' \
    "$tmp/tokens" >"$tmp/pieces"
for f in "$ev"/report.* "$ev"/log-*; do
	if grep -qF -f "$tmp/pieces" "$f"; then
		bad "$(basename "$f") holds a piece of a token"
	else
		ok
	fi
done
echo "evidence: $pass passed, $fail failed ($(wc -l <"$tmp/tokens") tokens checked)"
[ $fail = 0 ]
