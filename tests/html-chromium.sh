#!/bin/sh
# html-chromium.sh - the HTML report opens in headless Chromium without a
# console error, renders its parts, escapes hostile log text; its ladder
# fits 1200 px and an A4 page (no label cut, lanes that narrow), draws its
# rows in time order and in colours that mean something; its footer says
# what made it.  It leaves a screenshot at 1200 px (tests/html-chromium.png)
# and the ladder's page printed to PDF (tests/html-print.png) to look at;
# tests/screenshots/ keeps a pair of them as they were last looked at.
srcdir=${CCMDIAG_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
ccmdiag=${CCMDIAG:-$srcdir/ccmdiag}
logs=$srcdir/tests/data/logs
pcap=$srcdir/tests/data/pcap/public/wswiki__rbcd_win_trasitive_trust.pcapng
shot=${HTML_SCREENSHOT:-tests/html-chromium.png}
print_shot=${HTML_PRINT_SCREENSHOT:-tests/html-print.png}
pass=0 fail=0

chromium=$(command -v chromium || command -v chromium-browser)
[ -n "$chromium" ] || { echo "skip: no chromium"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); }
bad() { echo "not ok - $*"; fail=$((fail + 1)); }

browse() {	# out-prefix, extra chromium arguments...
	pre=$1
	shift
	timeout 60 "$chromium" --headless --no-sandbox --disable-gpu \
	    --disable-quic --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync --hide-scrollbars \
	    --user-data-dir="$(mktemp -d "$tmp/profile.XXXXXX")" \
	    --enable-logging=stderr --v=0 "$@" >"$pre.out" 2>"$pre.err"
}

# check NAME HTML: loads cleanly, has the page's parts
check() {
	name=$1 html=$2
	browse "$tmp/$name" --dump-dom "file://$html"
	if grep -E 'Uncaught|ERROR:CONSOLE|CONSOLE\(' "$tmp/$name.err"; then
		bad "$name: console errors"
	else
		ok
	fi
	for part in 'class="banner' '<h2 id="findings"' '<h2 id="timeline"' \
	    '</html>'; do
		grep -q "$part" "$tmp/$name.out" && ok ||
		    bad "$name: rendered page lacks $part"
	done
	if grep -qiE '<(script|img|iframe)|<[^>]* on[a-z]+=' "$html" \
	    "$tmp/$name.out"; then
		bad "$name: live markup in the page or its DOM"
	else
		ok
	fi
}

# no ConfigMgr exchange in it (exit 3), but a ladder of its Kerberos
"$ccmdiag" analyze --format html -o "$tmp/pcap.html" "$pcap"
rc=$?
[ $rc -le 1 ] || [ $rc = 3 ] && ok || bad "analyze of the rbcd capture failed"
check pcap "$tmp/pcap.html"
grep -q '<svg' "$tmp/pcap.out" && ok || bad "pcap: no ladder"
# one lane per realm the referrals walked, frame numbers on the rows
[ "$(grep -o '>KDC</text>' "$tmp/pcap.html" | wc -l)" -ge 4 ] && ok ||
    bad "pcap: fewer than 4 KDC lanes"
grep -q '>frame 17<' "$tmp/pcap.html" && ok || bad "pcap: no frame 17"
inputs=$pcap

# findings and per-client verdicts from the IIS and CM log fixtures
"$ccmdiag" analyze --format html -o "$tmp/logs.html" "$logs/u_ex090520.log" \
    "$logs/MP_RegistrationManager.log"
[ $? = 1 ] && ok || bad "analyze of the log fixtures: exit not 1"
check logs "$tmp/logs.html"
grep -q 'ROOT CAUSE' "$tmp/logs.html" && ok || bad "logs: no root cause"
grep -q 'id="clients"' "$tmp/logs.html" && ok || bad "logs: no clients"

# hostile text in cs-username: shown, never live
"$ccmdiag" analyze --format html -o "$tmp/hostile.html" "$logs/hostile.log"
check hostile "$tmp/hostile.html"
grep -q 'CORP\\&lt;script&gt;alert(1)&lt;/script&gt;' "$tmp/hostile.html" &&
    grep -q '&quot;&gt;&lt;img+src=x+onerror=alert(2)&gt;' "$tmp/hostile.html" &&
    ok || bad "hostile: the escaped user names are not shown"
"$ccmdiag" analyze --format markdown "$logs/hostile.log" >"$tmp/hostile.md"
if grep -qE '(^|[^\\])<(script|img)' "$tmp/hostile.md"; then
	bad "hostile: raw tag in the Markdown"
else
	ok
fi

# --- the ladder ------------------------------------------------------------
# ladder_rows HTML: one line per drawn row (each row is one line of SVG)
ladder_rows() { grep '<a href="#e[0-9]*"><g data-t=' "$1"; }
for f in pcap logs hostile; do
	h=$tmp/$f.html
	# fits 1200 px: every lane drawing is 1120 wide and scales down
	# (max-width 100%), nothing scrolls sideways
	if grep -q 'overflow-x' "$h" ||
	    grep '<svg xmlns' "$h" | grep -qv 'width="1120"'; then
		bad "$f: a ladder wider than the page"
	else
		ok
	fi
	grep -q '\.ladder svg{display:block;width:100%;max-width:1120px' "$h" &&
	    ok || bad "$f: the ladder does not shrink to its page"
	# labels and lane names wrap, never cut
	if ladder_rows "$h" | grep -q "$(printf '\342\200\246')</tspan>"; then
		bad "$f: a ladder label cut with an ellipsis"
	else
		ok
	fi
	# red (a fault) only on a row a finding cites (bold, a hit in the
	# timeline)
	ladder_rows "$h" | grep '#d92d20' | sed 's/.*href="#e\([0-9]*\)".*/\1/' |
	    sort -u >"$tmp/red"
	while read -r n; do
		grep -q "<tr id=\"e$n\" class=\"hit\">" "$h" && ok ||
		    bad "$f: event $n drawn red, cited by no finding"
	done <"$tmp/red"
	# in time order
	ladder_rows "$h" | sed 's/.*data-t="\([0-9.]*\)".*/\1/' >"$tmp/t"
	sort -n -c "$tmp/t" 2>/dev/null && ok || bad "$f: ladder rows out of time order"
done
[ -s "$tmp/red" ] || [ "$(ladder_rows "$tmp/logs.html" | grep -c '#d92d20')" -gt 0 ] &&
    ok || bad "logs: no fault drawn red"
# KRB-ERROR 25 (PREAUTH_REQUIRED) is a normal step of the protocol: grey
ladder_rows "$tmp/pcap.html" | grep 'PREAUTH_REQUIRED</tspan>' >"$tmp/preauth"
[ -s "$tmp/preauth" ] && ! grep -q '#d92d20' "$tmp/preauth" &&
    grep -q 'stroke="#667085"' "$tmp/preauth" && ok ||
    bad "pcap: PREAUTH_REQUIRED not drawn as a normal step"
# a ticket is a success: green
ladder_rows "$tmp/pcap.html" | grep 'TGS-REP' | grep -q '#12805c' && ok ||
    bad "pcap: a TGS-REP not drawn green"
# an approved client's exchange: no red at all, its 200 green
sed -n '1,4p;/ 192\.0\.2\.51 /p' "$logs/u_ex090520.log" >"$tmp/approved.log"
"$ccmdiag" analyze --format html -o "$tmp/approved.html" "$tmp/approved.log"
[ $? = 0 ] && ok || bad "the approved client's log: exit not 0"
grep -q 'class="banner good"' "$tmp/approved.html" && ok ||
    bad "approved: no green banner"
ladder_rows "$tmp/approved.html" | grep -q '#d92d20\|#c76a00' &&
    bad "approved: red or amber in the ladder" || ok
ladder_rows "$tmp/approved.html" | grep '200.0' | grep -q '#12805c' && ok ||
    bad "approved: its 200 not green"
# IIS logs of two days read together: rows by time, not by client or file
"$ccmdiag" analyze --format html -o "$tmp/midnight.html" "$logs/midnight"
ladder_rows "$tmp/midnight.html" | sed 's/.*data-t="\([0-9.]*\)".*/\1/' \
    >"$tmp/t"
[ "$(wc -l <"$tmp/t")" -ge 6 ] && sort -n -c "$tmp/t" 2>/dev/null && ok ||
    bad "midnight: ladder rows out of time order"

# --- the footer: version and command; the time only for a live run ------------
grep -q "<footer>Generated by ccmdiag $("$ccmdiag" -V | head -1 | cut -d' ' -f2) " \
    "$tmp/logs.html" && ok || bad "footer: no version"
grep -q '<br>Command: <code>ccmdiag analyze --format html -o ' "$tmp/logs.html" &&
    ok || bad "footer: no command line"
grep -q 'the times are the evidence' "$tmp/logs.html" &&
    ! grep -q "$(date -u +%Y-%m-%d)" "$tmp/logs.html" && ok ||
    bad "footer: an offline report carries a time of its own"
cp "$logs/hostile.log" "$tmp/<b>x'.log"
"$ccmdiag" analyze --format html -o "$tmp/name.html" "$tmp/<b>x'.log"
# as a shell takes it back ('...'\''...'), escaped for HTML
grep -qF "Command: <code>ccmdiag analyze --format html -o $tmp/name.html &#39;$tmp/&lt;b&gt;x&#39;\\&#39;&#39;.log&#39;</code>" \
    "$tmp/name.html" && ok || bad "footer: the command line is not quoted and escaped"

# the screenshot: every part on one page (capture, logs, findings), at 1200
# px, the width a report is pasted at
# shellcheck disable=SC2086
"$ccmdiag" analyze --format html -o "$tmp/all.html" $inputs \
    "$logs/u_ex090520.log" "$logs/MP_RegistrationManager.log"
mkdir -p "$(dirname "$shot")"
browse "$tmp/shot" --screenshot="$shot" --window-size=1200,2600 \
    "file://$tmp/all.html"
[ -s "$shot" ] && ok || bad "no screenshot"
grep -E 'Uncaught|ERROR:CONSOLE|CONSOLE\(' "$tmp/shot.err" && bad "console"

# printed: A4, the ladder whole on its page, nothing in the right margin
if command -v pdftoppm >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1
then
	browse "$tmp/pdf" --no-pdf-header-footer --print-to-pdf="$tmp/all.pdf" \
	    "file://$tmp/all.html"
	pdfinfo "$tmp/all.pdf" 2>/dev/null | grep -q 'Page size:.*(A4)' && ok ||
	    bad "print: not A4"
	pdftotext -layout "$tmp/all.pdf" "$tmp/all.txt"
	grep -q 'Management point' "$tmp/all.txt" && ok ||
	    bad "print: the MP lane's name is not whole"
	grep -q 'KDC_ERR_PREAUTH_REQUIRED' "$tmp/all.txt" && ok ||
	    bad "print: ladder labels missing"
	# the first page that draws the ladder, as a picture to look at
	pages=$(pdfinfo "$tmp/all.pdf" | sed -n 's/^Pages: *//p')
	page=0
	for i in $(seq 1 "${pages:-0}"); do
		if pdftotext -f "$i" -l "$i" "$tmp/all.pdf" - |
		    grep -qx 'Exchange'; then
			page=$i
			break
		fi
	done
	[ "$page" -gt 0 ] && ok || bad "print: no page with the ladder"
	pdftoppm -f "$page" -l "$page" -r 80 -png -singlefile "$tmp/all.pdf" \
	    "${print_shot%.png}"
	[ -s "$print_shot" ] && ok || bad "print: no picture of the page"
	# the right margin (the last 10 mm of 210) of every page is blank:
	# nothing spills past the printable width
	pdftoppm -r 40 -gray -x 315 -y 0 -W 15 -H 460 "$tmp/all.pdf" "$tmp/margin"
	for m in "$tmp"/margin*.pgm; do
		tail -c +16 "$m" | od -An -v -tu1 | tr -s ' ' '\n' |
		    awk 'NF && $1 < 240 { dark++ } END { exit dark > 0 }' && ok ||
		    bad "print: ink in the right margin of $(basename "$m")"
	done
fi

echo "html-chromium: $pass passed, $fail failed; pictures $shot $print_shot"
[ $fail = 0 ]
