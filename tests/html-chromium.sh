#!/bin/sh
# html-chromium.sh - the HTML report opens in headless Chromium without a
# console error, renders its parts, escapes hostile log text, and leaves a
# screenshot (tests/html-chromium.png) to look at.
srcdir=${CCMDIAG_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
ccmdiag=${CCMDIAG:-$srcdir/ccmdiag}
logs=$srcdir/tests/data/logs
pcap=$srcdir/tests/data/pcap/public/wswiki__rbcd_win_trasitive_trust.pcapng
shot=${HTML_SCREENSHOT:-tests/html-chromium.png}
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

# the screenshot: every part on one page (capture, logs, findings)
# shellcheck disable=SC2086
"$ccmdiag" analyze --format html -o "$tmp/all.html" $inputs \
    "$logs/u_ex090520.log" "$logs/MP_RegistrationManager.log"
mkdir -p "$(dirname "$shot")"
browse "$tmp/shot" --screenshot="$shot" --window-size=1280,2000 \
    "file://$tmp/all.html"
[ -s "$shot" ] && ok || bad "no screenshot"
grep -E 'Uncaught|ERROR:CONSOLE|CONSOLE\(' "$tmp/shot.err" && bad "console"

echo "html-chromium: $pass passed, $fail failed; screenshot $shot"
[ $fail = 0 ]
