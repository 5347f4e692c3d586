#!/bin/sh
# cli.sh - usage errors and unreadable inputs give one line and the right
# exit code (2 usage, 3 cannot run), never a crash.
srcdir=${CCMDIAG_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
ccmdiag=${CCMDIAG:-$srcdir/ccmdiag}
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect WANT_RC PATTERN ARGS...: exit code and a message matching PATTERN
expect() {
	want=$1 pat=$2
	shift 2
	"$ccmdiag" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	if [ "$rc" = "$want" ] && grep -qE -- "$pat" "$tmp/err" "$tmp/out"; then
		pass=$((pass + 1))
	else
		echo "not ok - ccmdiag $*: exit $rc (want $want), output:"
		head -3 "$tmp/err" "$tmp/out"
		fail=$((fail + 1))
	fi
}

expect 2 'usage' 
expect 2 'unknown command' frobnicate
expect 0 'commands' --help
expect 2 'not a host name' probe 'mp.example;rm -rf'
expect 2 'not a host name' probe "$(printf 'mp\r\nX-Injected: 1')"
expect 2 'not a host name' probe ''
expect 2 'timeout' probe --timeout -1 mp.example
expect 2 'timeout' probe --timeout abc mp.example
expect 2 'bad port' probe --port 70000 mp.example
expect 2 'bad port' probe --port 80abc mp.example
expect 2 'bad port' mp-info --port 0 mp.example
expect 2 'bad port' register --create-record --port x mp.example
expect 3 'keytab /etc/hostname is not a usable keytab' probe --keytab /etc/hostname mp.example
expect 2 'principal names a key in --keytab' probe --principal a@B mp.example
expect 3 'cannot read --keytab' probe --keytab "$tmp/none" --principal a@B mp.example
expect 3 'cannot read --cacert' probe --https --cafile "$tmp/none.pem" mp.example
expect 2 'unknown format' probe --format xml mp.example
expect 2 'usage' probe
expect 0 'usage: ccmdiag probe' probe --help
expect 3 'cannot open' analyze "$tmp/none.pcap"
head -c 100 /dev/urandom >"$tmp/random.bin"
printf '\000\001\002' >>"$tmp/random.bin"
expect 3 'not a capture' analyze "$tmp/random.bin"
expect 2 'usage' analyze
expect 0 'dns-no-address' findings

ok() { pass=$((pass + 1)); }
bad() { echo "not ok - $*"; fail=$((fail + 1)); }
logs=$srcdir/tests/data/logs
log=$logs/u_ex090520.log
version=$(sed -n 's/^AC_INIT(\[ccmdiag\], \[\([^]]*\)\].*/\1/p' \
    "$srcdir/configure.ac")

# --- help and version, as curl and git give them ---------------------------
for c in probe analyze register mp-info demo findings help; do
	for h in --help -h; do
		"$ccmdiag" "$c" $h >"$tmp/out" 2>"$tmp/err"
		[ $? = 0 ] && grep -q "^usage: ccmdiag $c" "$tmp/out" &&
		    [ ! -s "$tmp/err" ] && ok ||
		    bad "$c $h: not usage on stdout with exit 0"
	done
	"$ccmdiag" help "$c" >"$tmp/help" 2>&1
	cmp -s "$tmp/out" "$tmp/help" && ok || bad "help $c differs from $c -h"
	for v in -V --version; do
		[ "$("$ccmdiag" "$c" $v | head -1)" = "ccmdiag $version" ] && ok ||
		    bad "$c $v does not say ccmdiag $version"
	done
done
expect 0 '^ccmdiag [0-9]' -V
expect 0 'libarchive' --version
expect 0 'commands:' help
expect 2 "no command 'nosuch'" help nosuch
expect 2 "unknown option '--nosuch'" analyze --nosuch "$log"
expect 2 "'--format' wants an argument" analyze "$log" --format
expect 0 'html' register --help
# one name for the CA file everywhere, --cafile its alias; with --https only
expect 3 'cannot read --cacert' mp-info --https --cafile "$tmp/none.pem" mp.example
expect 3 'cannot read --cacert' register --create-record --https \
    --cacert "$tmp/none.pem" mp.example
expect 2 'cacert verifies an HTTPS MP: add --https' probe --cacert /etc/hostname \
    mp.example
expect 2 'cacert verifies an HTTPS MP' mp-info --cafile /etc/hostname mp.example
# the MP as people write it
expect 2 "'80x' after ':' is not a port; give the name alone and --port N" \
    probe mp01:80x
expect 2 "says port 80 but --port says 81" mp-info --port 81 mp01:80
expect 2 "not a path on it: mp01" probe http://mp01/ccm_system/request
expect 2 "says http:// but --https" probe --https http://mp01/
expect 2 "speaks http:// and https://, not ftp://" mp-info ftp://mp01/
expect 2 '--confirm-wait wants seconds' register --create-record \
    --confirm-wait 0 mp01
expect 2 '-q prints only the verdict line; give -o FILE' analyze -q \
    --format json "$log"
expect 2 '--color is auto, always or never' analyze --color=sometimes "$log"

# --- the user's files are never overwritten --------------------------------
mkdir -p "$tmp/case"
cp "$log" "$tmp/victim.log"
cp "$log" "$tmp/case/u.log"
ln "$tmp/victim.log" "$tmp/hardlink.log"
expect 2 '-o .*victim.log is the input' analyze -o "$tmp/victim.log" \
    "$tmp/victim.log"
expect 2 'is the input' analyze -o "$tmp/hardlink.log" "$tmp/victim.log"
expect 2 'is inside the input directory' analyze -o "$tmp/case/new.txt" \
    "$tmp/case"
expect 2 'holds the input' analyze --evidence "$tmp/case" "$tmp/case/u.log"
expect 2 'holds the input' analyze --evidence "$tmp" "$tmp/victim.log"
expect 2 'is inside the input directory' analyze --evidence "$tmp/case/ev" \
    "$tmp/case"
expect 2 'is inside --evidence' analyze --evidence "$tmp/ev0" \
    -o "$tmp/ev0/r.txt" "$log"
expect 2 'is the input' probe -o "$tmp/victim.log" --keytab "$tmp/victim.log" \
    mp.example
cmp -s "$log" "$tmp/victim.log" && cmp -s "$log" "$tmp/case/u.log" && ok ||
    bad "an input was changed"
[ ! -e "$tmp/case/new.txt" ] && [ ! -e "$tmp/case/ev" ] && [ ! -e "$tmp/ev0" ] &&
    ok || bad "a refused output was created"
# -o: checked before anything runs, kept when no report comes, and every
# failure names the path and the reason
expect 3 "cannot write the report to $tmp/no/such/r.txt: No such file" \
    probe -o "$tmp/no/such/r.txt" mp.example
expect 3 'cannot write the report to /dev/full: No space left on device' \
    analyze -o /dev/full "$log"
expect 3 "cannot write the report to $tmp: Is a directory" analyze -o "$tmp" \
    "$log"
echo keep >"$tmp/keep.txt"
expect 3 'cannot open' analyze -o "$tmp/keep.txt" "$tmp/none.pcap"
[ "$(cat "$tmp/keep.txt")" = keep ] && ok || bad "-o FILE emptied without a report"
expect 3 'cannot open' analyze -o "$tmp/fresh.txt" "$tmp/none.pcap"
[ ! -e "$tmp/fresh.txt" ] && ok || bad "-o FILE left behind without a report"
expect 1 'VERDICT' analyze -o - "$log"
# --evidence: new or empty, or --force; 0700 and 0600 whatever was there
mkdir -p "$tmp/ev"
echo old >"$tmp/ev/report.txt"
chmod 755 "$tmp/ev"
chmod 644 "$tmp/ev/report.txt"
echo outside >"$tmp/outside.txt"
ln -f "$tmp/outside.txt" "$tmp/ev/report.md"
expect 2 'is not empty; name a new directory, or add --force' \
    analyze --evidence "$tmp/ev" "$log"
[ "$(cat "$tmp/ev/report.txt")" = old ] && ok || bad "refused bundle wrote"
expect 1 'VERDICT' analyze --evidence "$tmp/ev" --force "$log"
[ "$(stat -c %a "$tmp/ev")" = 700 ] && ok || bad "bundle directory not 0700"
for f in "$tmp"/ev/*; do
	[ "$(stat -c %a "$f")" = 600 ] && ok || bad "$(basename "$f") not 0600"
done
[ "$(cat "$tmp/outside.txt")" = outside ] && ok ||
    bad "--force wrote through a link into another file"
(cd "$tmp/ev" && sha256sum --quiet --strict -c MANIFEST) && ok ||
    bad "MANIFEST after --force"
(umask 277 && "$ccmdiag" analyze --evidence "$tmp/ev2" "$log" >/dev/null 2>&1)
[ "$(stat -c %a "$tmp/ev2")" = 700 ] && [ -s "$tmp/ev2/MANIFEST" ] && ok ||
    bad "--evidence under umask 277"
expect 3 'exists and is not a directory' analyze --evidence "$tmp/keep.txt" \
    "$log"
# without root, --evidence cannot keep a capture: said before anything is
# made, with the way to keep the reports alone
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	chmod 711 "$tmp"
	mkdir -m 777 "$tmp/nobody"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$ccmdiag" probe \
	    --evidence "$tmp/nobody/ev" mp.example >"$tmp/out" 2>"$tmp/err"
	[ $? = 3 ] && grep -q 'add --no-capture to keep the reports alone' \
	    "$tmp/err" && [ ! -e "$tmp/nobody/ev" ] && ok ||
	    bad "--evidence without root: $(cat "$tmp/err")"
fi

# --- -q: the verdict line alone ---------------------------------------------
"$ccmdiag" analyze -q "$log" >"$tmp/q" 2>&1
[ $? = 1 ] && [ "$(wc -l <"$tmp/q")" = 1 ] &&
    grep -q '^VERDICT: FAILURE FOUND' "$tmp/q" && ok ||
    bad "-q: $(head -2 "$tmp/q")"
"$ccmdiag" analyze -q --format json -o "$tmp/q.json" "$log" >"$tmp/q" 2>&1
[ "$(wc -l <"$tmp/q")" = 1 ] &&
    jq -e '.schema == "ccmdiag/1"' "$tmp/q.json" >/dev/null && ok ||
    bad "-q with -o: the report is not whole in FILE"

# --- text for a terminal, files as they were --------------------------------
esc=$(printf '\033')
"$ccmdiag" analyze "$log" >"$tmp/plain.txt"
"$ccmdiag" analyze --color=never "$log" >"$tmp/never.txt"
cmp -s "$tmp/plain.txt" "$tmp/never.txt" && ok || bad "a pipe got colours"
grep -q "$esc" "$tmp/plain.txt" && bad "a pipe got colours" || ok
# the client table fits 80 columns in a file (the verdict, the findings'
# titles, the steps and the timeline stay one line each there, for grep)
sed -n '/^Clients on/,/^$/p' "$tmp/plain.txt" >"$tmp/table"
[ "$(wc -l <"$tmp/table")" -gt 4 ] &&
    awk 'length > 80 { bad = 1 } END { exit bad }' "$tmp/table" && ok ||
    bad "the client table runs past 80 columns in a file"
"$ccmdiag" analyze --color=always "$log" >"$tmp/always.txt"
grep -q "$esc\[1;31mFAILURE FOUND" "$tmp/always.txt" &&
    grep -q "$esc\[1;31m\[error\]" "$tmp/always.txt" && ok ||
    bad "--color=always: no red verdict and severities"
sed "s/$esc\[[0-9;]*m//g" "$tmp/always.txt" | cmp -s - "$tmp/plain.txt" &&
    ok || bad "the coloured report is not the plain one plus colours"
if command -v script >/dev/null 2>&1; then
	# a terminal (script's pseudo-terminal, which tells no width): colour
	# unless NO_COLOR, the width from COLUMNS
	tty_run() { script -qec "$*" /dev/null </dev/null | tr -d '\r'; }
	tty_run "COLUMNS=200 '$ccmdiag' analyze -v '$log'" >"$tmp/tty200"
	grep -q "$esc\[" "$tmp/tty200" && ok || bad "no colour on a terminal"
	sed "s/$esc\[[0-9;]*m//g" "$tmp/tty200" |
	    awk 'length > 120 { w = 1 } length > 200 { bad = 1 }
	    END { exit !(w && !bad) }' && ok || bad "not wrapped to 200 columns"
	tty_run "NO_COLOR=1 COLUMNS=60 '$ccmdiag' analyze -v '$log'" >"$tmp/tty60"
	grep -q "$esc\[" "$tmp/tty60" && bad "NO_COLOR: colours" || ok
	awk 'length > 60 { bad = 1 } END { exit bad }' "$tmp/tty60" && ok ||
	    bad "not wrapped to 60 columns: $(awk 'length > 60' "$tmp/tty60" |
	    head -1)"
	tty_run "'$ccmdiag' analyze -o '$tmp/tty.txt' -v '$log'" >/dev/null
	"$ccmdiag" analyze -v "$log" >"$tmp/pipe.txt"
	cmp -s "$tmp/tty.txt" "$tmp/pipe.txt" && ok ||
	    bad "-o FILE from a terminal differs from a pipe's"
fi

# --- demo: names checked first; a lab that is up is someone's ----------------
printf '%s\n' '#!/bin/sh' 'echo "$*" >>"$LAB_LOG"' 'case $1 in' \
    'env) [ -e "$LAB_UP" ] || exit 1' \
    '	echo "SCENARIO=$(cat "$LAB_UP")"; echo "CLIENT_KEYTAB=/k" ;;' \
    'up) echo healthy >"$LAB_UP" ;;' 'down) rm -f "$LAB_UP" ;;' \
    'scenario) [ -e "$LAB_UP" ] && echo "$2" >"$LAB_UP" ;;' \
    'run) echo "VERDICT: APPROVED - the stand-in lab" ;;' 'esac' \
    >"$tmp/lab.sh"
chmod +x "$tmp/lab.sh"
CCMDIAG_LAB=$tmp/lab.sh LAB_LOG=$tmp/lab.log LAB_UP=$tmp/lab.up
export CCMDIAG_LAB LAB_LOG LAB_UP
expect 2 "no scenario 'nosuch'; the scenarios are:" demo nosuch healthy
grep -q 'healthy spn-misbound' "$tmp/err" && ok || bad "demo nosuch: no list"
[ ! -e "$LAB_LOG" ] && ok || bad "demo nosuch touched the lab"
if [ "$(id -u)" = 0 ]; then
	echo wrong-ptr >"$LAB_UP"
	"$ccmdiag" demo spn-missing mp-skew >"$tmp/demo.out" 2>&1
	grep -qE '^(up|down)' "$LAB_LOG" &&
	    bad "demo took down or rebuilt a lab it did not start" || ok
	[ "$(cat "$LAB_UP")" = wrong-ptr ] && ok ||
	    bad "demo left the lab in scenario $(cat "$LAB_UP")"
	grep -q 'spn-missing *APPROVED' "$tmp/demo.out" && ok ||
	    bad "demo summary: $(tail -3 "$tmp/demo.out")"
	rm -f "$LAB_UP" "$LAB_LOG"
	"$ccmdiag" demo healthy >/dev/null 2>&1
	[ "$(head -2 "$LAB_LOG" | cut -d' ' -f1 | tr '\n' ' ')" = "env up " ] &&
	    [ "$(tail -1 "$LAB_LOG")" = down ] && [ ! -e "$LAB_UP" ] && ok ||
	    bad "demo and a lab it started: $(tr '\n' ';' <"$LAB_LOG")"
fi
unset CCMDIAG_LAB LAB_LOG LAB_UP

# --- live runs, inside a network namespace of loopback alone: --timeout
# bounds the whole run, the MP given as a URL, frame numbers only when the
# capture is kept -----------------------------------------------------------
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1 &&
    command -v python3 >/dev/null 2>&1 && command -v ktutil >/dev/null 2>&1
then
	printf '%s\n' 'import http.server, socketserver, sys, time' \
	    'class H(http.server.BaseHTTPRequestHandler):' \
	    '    def answer(self):' \
	    '        time.sleep(float(sys.argv[1]))' \
	    '        with open(sys.argv[2], "a") as f:' \
	    '            f.write(self.command + " " + self.path + "\n")' \
	    '        self.send_response(401)' \
	    '        self.send_header("WWW-Authenticate", "Negotiate")' \
	    '        self.send_header("Content-Length", "0")' \
	    '        self.end_headers()' \
	    '    do_GET = do_POST = do_CCM_POST = answer' \
	    '    def log_message(self, *a): pass' \
	    'class S(socketserver.ThreadingMixIn, http.server.HTTPServer):' \
	    '    daemon_threads = True' \
	    's = S(("127.0.0.1", 8089), H)' \
	    'open(sys.argv[3], "w").close()' \
	    's.serve_forever()' >"$tmp/mp.py"
	printf '[libdefaults]\n default_realm = NOWHERE.TEST\n dns_lookup_kdc = false\n' \
	    >"$tmp/krb5.conf"
	printf 'addent -password -p WS01$@NOWHERE.TEST -k 1 -e aes256-cts-hmac-sha1-96\nx\nwkt %s\nquit\n' \
	    "$tmp/t.keytab" | KRB5_CONFIG="$tmp/krb5.conf" ktutil >/dev/null 2>&1
	printf '%s\n' 'ip link set lo up' \
	    'python3 "$T/mp.py" 0.8 "$T/req.log" "$T/ready" & srv=$!' \
	    'while [ ! -e "$T/ready" ]; do sleep 0.1; done' \
	    't0=$(date +%s.%N)' \
	    '"$C" mp-info --timeout 2 --format json http://127.0.0.1:8089/ >"$T/mpi.json" 2>"$T/mpi.err"' \
	    'echo "$(date +%s.%N) - $t0" | bc >"$T/mpi.time"' \
	    'export KRB5_CONFIG="$T/krb5.conf"' \
	    '"$C" probe --keytab "$T/t.keytab" --timeout 5 --format json 127.0.0.1:8089 >"$T/p1.json" 2>/dev/null' \
	    '"$C" probe --keytab "$T/t.keytab" --timeout 5 --format json --evidence "$T/pev" 127.0.0.1:8089 >"$T/p2.json" 2>/dev/null' \
	    '"$C" probe --keytab "$T/t.keytab" --timeout 5 -q --format html -o "$T/p.html" 127.0.0.1:8089 >"$T/p.q" 2>/dev/null' \
	    'kill $srv' >"$tmp/live.sh"
	T=$tmp C=$ccmdiag unshare -n sh "$tmp/live.sh"
	grep -q '^GET /SMS_MP/.sms_aut?MPLIST' "$tmp/req.log" && ok ||
	    bad "mp-info http://127.0.0.1:8089/ did not reach port 8089"
	[ "$(echo "$(cat "$tmp/mpi.time") < 2.6" | bc)" = 1 ] && ok ||
	    bad "mp-info --timeout 2 took $(cat "$tmp/mpi.time") s"
	jq -e '[.steps[] | select(.summary | test("--timeout ran out"))] | length > 0' \
	    "$tmp/mpi.json" >/dev/null && ok || bad "mp-info: no step cut by --timeout"
	jq -e '[.steps[] | select(.frames)] | length == 0' "$tmp/p1.json" \
	    >/dev/null && ok || bad "frames cited without a kept capture"
	jq -e '[.steps[] | select(.frames)] | length > 0' "$tmp/p2.json" \
	    >/dev/null && [ -s "$tmp/pev/capture.pcapng" ] && ok ||
	    bad "no frames with the capture kept"
	[ "$(stat -c %a "$tmp/pev/capture.pcapng")" = 600 ] && ok ||
	    bad "capture.pcapng not 0600"
	# a live report's footer says when it ran; -q printed the verdict
	grep -q "<footer>Generated by ccmdiag $version on $(date -u +%Y-%m-%d) at [0-9:]* UTC" \
	    "$tmp/p.html" && ok || bad "live HTML: no time of the run in the footer"
	[ "$(wc -l <"$tmp/p.q")" = 1 ] && grep -q '^VERDICT: ' "$tmp/p.q" && ok ||
	    bad "probe -q -o: $(head -2 "$tmp/p.q")"
fi

echo "cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
