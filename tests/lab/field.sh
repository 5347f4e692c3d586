# field.sh - evidence made the way the field makes it.  Sourced (bash).
#
# Captures taken with tcpdump in the lab while clients that are not
# ccmdiag talk to the management point: kinit with the machine's keytab,
# curl --negotiate posting CCM_POST (anonymous first, then with the
# ticket, as the ConfigMgr client does), kvno, and a browser-like Python
# client (python3-gssapi).  Every capture also holds the other traffic of a
# real workstation: a web server (200, 404, 500, an intranet page that asks
# for Negotiate and has no SPN), a user's logon and tickets for file shares
# and LDAP, tickets that fail with KDC_ERR_S_PRINCIPAL_UNKNOWN, DNS lookups
# that fail, and unrelated public traffic merged in (mergecap), time-shifted
# into the capture's time range (editcap -t) so that it interleaves.
#
# Each case writes one capture into FIELD_DIR and its expectations, one
# line per analyze run, into FIELD_DIR/expected.tsv (columns described at
# the top of that file).  Needs root, a running lab (lab.sh up) and the
# packages tcpdump, tshark (editcap, mergecap, capinfos), python3-gssapi,
# faketime.
#
#   field_init LAB DIR   the lab.sh to drive and the directory to write
#   field_all            every case, in order
#   field_case NAME      one case (field_names lists them)
#   field_fini           remove the work files (credential caches)
#
# The browser-like client is Python with python3-gssapi rather than a
# headless browser: a browser can only GET a URL it is pointed at (the MP
# wants CCM_POST), starts slowly on a two-core machine and fills the
# capture with its own start-up traffic in ways that change from version
# to version.  The Python client does what a browser does on the wire
# (browser headers, a keep-alive connection, the request first without
# credentials, then again on the same connection with "Negotiate <SPNEGO
# token>", mutual authentication checked on the reply) with an HTTP stack
# and token handling that are neither curl's nor ccmdiag's.

FIELD_BODY='<ClientRegistrationRequest><Data RequestType="Registration"
 TimeStamp="2026-01-01T00:00:00Z"><AgentInformation AgentIdentity="CCMSetup.exe"
 AgentVersion="5.00.9122.1000"/><ClientFqdn>ws01.child.parent.lab</ClientFqdn>
</Data></ClientRegistrationRequest>'
FIELD_MP_PATH=/ccm_system_windowsauth/request
# the public captures merged in (Ethernet): HTTP with another
# authentication, other realms' Kerberos and its errors, DNS, Windows
# Update; none holds a ConfigMgr request (zeek__http_methods.pcap does:
# CCM_POST / to a web server, so it is not among them).  Only their first
# second is merged, so some conversations end half-way, as in any capture
FIELD_NOISE="nDPI__http_auth.pcap nDPI__kerberos-error.pcap
nDPI__windowsupdate_over_http.pcap zeek__krb_smb_gssapi.pcap
suricata-verify__krb5-probing_krb.pcap zeek__krb_optional-service-name.pcap
wswiki__dns.cap nDPI__kerberos.pcap zeek__http_206_example_b.pcap"

field_log() {
	echo "field: $*" >&2
}

field_die() {
	echo "field: $*" >&2
	return 1
}

# field_init LAB DIR
field_init() {
	local t
	FIELD_LAB=$1
	FIELD_DIR=$2
	for t in tcpdump editcap mergecap capinfos tshark faketime kinit kvno curl getent; do
		command -v "$t" >/dev/null 2>&1 ||
			field_die "$t is missing (tests/lab/PACKAGES)" || return 1
	done
	/usr/bin/python3 -c 'import gssapi' 2>/dev/null ||
		field_die "python3-gssapi is missing (tests/lab/PACKAGES)" || return 1
	mkdir -p "$FIELD_DIR" || return 1
	FIELD_WORK=$(mktemp -d /tmp/ccmdiag-field.XXXXXX) || return 1
	chmod 755 "$FIELD_WORK"
	FIELD_PCAPS=${FIELD_PCAPS:-}
	if [ -z "$FIELD_PCAPS" ]; then
		t=$(dirname "$FIELD_LAB")/../data/pcap/public
		[ -d "$t" ] && FIELD_PCAPS=$(cd "$t" && pwd)
	fi
	[ -n "$FIELD_PCAPS" ] ||
		field_log "no public captures found (FIELD_PCAPS): no public traffic merged"
	FIELD_N=0
	field_browser_script >"$FIELD_WORK/browser.py"
	{
		echo "# Expectations for ccmdiag analyze on captures made by tests/lab/field.sh."
		echo "# Columns (tab-separated):"
		echo "#  case       name of the case (a capture may be analysed by several rows)"
		echo "#  capture    file name, next to this file"
		echo "#  exit       exit code of ccmdiag analyze"
		echo "#  root       verdict.root_cause, '-' when there is none (approved, incomplete, no exchange)"
		echo "#  exchanges  verdict.exchanges: 0, or + for at least one"
		echo "#  clients    space-separated ADDR:APPROVED:ROOT[:VERDICT[:MIN_ATTEMPTS[:HISTORY]]] for"
		echo "#             clients[] (select(.client==ADDR): .approved, .root_cause // '-', .verdict,"
		echo "#             .attempts at least, a word .history contains); empty or '-' fields unchecked;"
		echo "#             '-' for none; no other client address may appear"
		echo "#  args       options given to ccmdiag analyze before the file, '-' for none"
		echo "#  allowed    finding ids allowed besides the roots above, kerberos-other-service and"
		echo "#             clock-offset (comma-separated, '-' for none): any other finding blames"
		echo "#             the MP, the KDC or DNS for what the evidence does not show"
		echo "#  note       what the capture holds and why the expectation"
		echo "# Not applicable: client-skew (faketime moves the client's clock, not packet time"
		echo "# stamps, and MIT's kdc_timesync hides the skew: nothing on the wire shows it)."
	} >"$FIELD_DIR/expected.tsv"
}

field_fini() {
	[ -n "${FIELD_WORK:-}" ] && [ -d "$FIELD_WORK" ] && rm -rf "$FIELD_WORK"
	FIELD_WORK=
}

# field_expect CASE CAPTURE EXIT ROOT EXCHANGES CLIENTS ARGS ALLOWED NOTE
field_expect() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$FIELD_DIR/expected.tsv"
}

# ---- the lab ------------------------------------------------------------------

# field_scenario NAME: switch the lab; L_* are the variables of lab.sh env
field_scenario() {
	"$FIELD_LAB" scenario "$1" >"$FIELD_WORK/scenario.log" 2>&1 ||
		field_die "lab.sh scenario $1 failed: $(tail -3 "$FIELD_WORK/scenario.log")" ||
		return 1
	eval "$("$FIELD_LAB" env | sed 's/^/L_/')"
}

# field_cc NAME: a fresh credential cache (a file in the work directory)
field_cc() {
	rm -f "$FIELD_WORK/cc-$1"
	echo "$FIELD_WORK/cc-$1"
}

# cli CCACHE CMD...: CMD in the client namespace, with the scenario's
# krb5.conf and the credential cache CCACHE; never the caller's cache
cli() {
	local cc=$1
	shift
	ip netns exec "$L_CLIENT_NS" env KRB5_CONFIG="$L_KRB5_CONFIG" \
	    KRB5CCNAME="FILE:$cc" "$@"
}

# ---- capturing ----------------------------------------------------------------

# cap_start NS FILE: tcpdump on eth0 of NS; returns once it listens
cap_start() {
	local ns=$1 file=$2 i
	: >"$FIELD_WORK/tcpdump.log"
	# nsenter execs tcpdump (ip netns exec may stay as its parent), so
	# CAP_PID is tcpdump's own; --immediate-mode, or the last packets
	# wait in the kernel's ring buffer and are lost when it stops
	nsenter --net="/run/netns/$ns" tcpdump -i eth0 -n -U --immediate-mode \
	    -s 0 -Z root -w "$file" 2>"$FIELD_WORK/tcpdump.log" &
	CAP_PID=$!
	for i in $(seq 1 250); do
		grep -q 'listening on' "$FIELD_WORK/tcpdump.log" && return 0
		kill -0 "$CAP_PID" 2>/dev/null || break
		sleep 0.02
	done
	field_die "tcpdump in $ns did not start: $(cat "$FIELD_WORK/tcpdump.log")"
}

cap_stop() {
	sleep 0.3
	kill -TERM "$CAP_PID" 2>/dev/null
	wait "$CAP_PID" 2>/dev/null
	CAP_PID=
}

# first and last time stamp (epoch seconds) of a capture
cap_span() {
	capinfos -T -r -S -a -e "$1" | cut -f2,3
}

# field_noise RAW OUT FORMAT K: RAW with the first second of three public
# captures (chosen by K), shifted to start at 5 %, 35 % and 65 % of RAW's
# span (so the same packets go into a case's capture at every run), merged
# into OUT (FORMAT pcap, pcapng with one interface, or pcapng-multi with
# one interface per merged file)
field_noise() {
	local raw=$1 out=$2 fmt=$3 k=$4 span t0 t1 names n i=0 f first shift at
	local parts=()
	span=$(cap_span "$raw")
	t0=${span%%	*}
	t1=${span##*	}
	if [ -n "$FIELD_PCAPS" ]; then
		read -r -d '' -a names <<<"$FIELD_NOISE"
		n=${#names[@]}
		for at in 0.05 0.35 0.65; do
			f=$FIELD_PCAPS/${names[$(((k * 3 + i) % n))]}
			i=$((i + 1))
			[ -f "$f" ] || continue
			first=$(cap_span "$f")
			first=${first%%	*}
			shift=$(echo "$t0 + ($t1 - $t0) * $at - $first" | bc -l)
			editcap -B "$(echo "$first + 1" | bc -l)" "$f" \
			    "$FIELD_WORK/second.pcap" &&
				editcap -t "$shift" "$FIELD_WORK/second.pcap" \
				    "$FIELD_WORK/noise-$i.pcap" || return 1
			parts+=("$FIELD_WORK/noise-$i.pcap")
			echo "merged: the first second of ${f##*/} at $at of the span" \
			    >>"$FIELD_WORK/clients.log"
		done
	fi
	case $fmt in
	pcapng-multi)
		# mergecap's own pcapng: one interface block per input file, with
		# their different snapshot lengths (as Wireshark writes when it
		# captures on several interfaces)
		mergecap -F pcapng -w "$out" "$raw" ${parts[@]+"${parts[@]}"} ;;
	pcapng)
		mergecap -F pcap -w "$FIELD_WORK/merged.pcap" "$raw" \
		    ${parts[@]+"${parts[@]}"} &&
			editcap -F pcapng "$FIELD_WORK/merged.pcap" "$out" ;;
	*)
		mergecap -F pcap -w "$out" "$raw" ${parts[@]+"${parts[@]}"} ;;
	esac || return 1
	rm -f "$FIELD_WORK"/noise-*.pcap "$FIELD_WORK/second.pcap" \
	    "$FIELD_WORK/merged.pcap"
}

# ---- the clients ----------------------------------------------------------------

# c_kinit CC [KEYTAB PRINCIPAL]: the machine's logon
c_kinit() {
	cli "$1" kinit -k -t "${2:-$L_CLIENT_KEYTAB}" "${3:-$L_CLIENT_PRINCIPAL}" \
	    >>"$FIELD_WORK/clients.log" 2>&1
}

# c_post CC MODE [CURL OPTION...]: curl posts CCM_POST to the MP (TARGET).
#   anon-first   --anyauth: the request without credentials, the 401, then
#                again with the ticket (what the ConfigMgr client does)
#   token-first  --negotiate: the ticket in the first request
c_post() {
	local cc=$1 mode=$2 auth
	shift 2
	case $mode in
	anon-first) auth="--anyauth --negotiate -u :" ;;
	token-first) auth="--negotiate -u :" ;;
	esac
	# shellcheck disable=SC2086
	cli "$cc" curl -s -o /dev/null -w "curl $mode %{http_code}\n" -m 3 $auth \
	    -X CCM_POST -H 'User-Agent: ccmhttp' \
	    -H 'Content-Type: multipart/mixed; boundary="aAbBcCdDv1234567890VxXyYzZ"' \
	    --data-binary "$FIELD_BODY" "$@" \
	    "http://$L_TARGET$FIELD_MP_PATH" >>"$FIELD_WORK/clients.log" 2>&1
}

# c_browser CC [OPTION...]: the browser-like client (see browser.py)
c_browser() {
	local cc=$1
	shift
	cli "$cc" /usr/bin/python3 "$FIELD_WORK/browser.py" "$@" \
	    "http://$L_TARGET$FIELD_MP_PATH" >>"$FIELD_WORK/clients.log" 2>&1
}

c_kvno() {
	local cc=$1
	shift
	cli "$cc" kvno "$@" >>"$FIELD_WORK/clients.log" 2>&1
}

# the client as a ConfigMgr client behaves: logon, CCM_POST, then a
# browser-like look at the same URL; in every other case (and where the
# name resolves) kvno fetches the MP's ticket first, as "klist get" would,
# so that the ticket is not next to the request that uses it
c_flow() {
	local cc
	cc=$(field_cc "$1")
	c_kinit "$cc"
	[ $((FIELD_N % 2)) = 0 ] && [ "$L_TARGET" != "$L_NOSUCH_FQDN" ] &&
		c_kvno "$cc" -S HTTP "$L_TARGET"
	c_post "$cc" anon-first
	c_browser "$cc"
}

# bg_start / bg_wait: the rest of the workstation's traffic, in parallel
# with the client: a user's logon and tickets, file shares and LDAP,
# names that do not exist, the intranet web server
bg_start() {
	local cc
	cc=$(field_cc "bg-$FIELD_N")
	(
		cli "$cc" getent hosts web.parent.lab
		cli "$cc" curl -s -o /dev/null http://web.parent.lab/
		cli "$cc" getent ahosts wpad.child.parent.lab
		echo "$L_CLIENT_USER_PASSWORD" | cli "$cc" kinit "$L_CLIENT_USER"
		cli "$cc" curl -s -o /dev/null http://web.parent.lab/favicon.ico
		cli "$cc" kvno ldap/kdc.child.parent.lab
		cli "$cc" kvno -S cifs kdc.parent.lab
		cli "$cc" getent hosts fileserver.parent.lab
		cli "$cc" kvno cifs/10.77.0.99
		cli "$cc" curl -s -o /dev/null --negotiate -u : http://web.parent.lab/intranet
		cli "$cc" kvno 'bob@CHILD.PARENT.LAB'
		cli "$cc" curl -s -o /dev/null -X POST -d q=1 http://web.parent.lab/error
		cli "$cc" getent hosts intranet.parent.lab
		cli "$cc" kvno -S ldap kdc.parent.lab
	) >>"$FIELD_WORK/background.log" 2>&1 &
	BG_PID=$!
}

bg_wait() {
	wait "$BG_PID"
	BG_PID=
}

# ---- case scaffolding ------------------------------------------------------------

# case_begin NAME SCENARIO [NS]: switch the lab, start capturing (in the
# client's namespace unless NS) and the background
case_begin() {
	FIELD_CASE=$1
	FIELD_N=$((FIELD_N + 1))
	field_log "$FIELD_CASE"
	: >"$FIELD_WORK/clients.log"
	field_scenario "$2" || return 1
	cap_start "${3:-$L_CLIENT_NS}" "$FIELD_WORK/raw.pcap" || return 1
	bg_start
}

# case_end [FORMAT]: stop, merge the public traffic; sets FIELD_FILE
case_end() {
	local fmt=${1:-}
	bg_wait
	cap_stop
	if [ -z "$fmt" ]; then
		[ $((FIELD_N % 2)) = 0 ] && fmt=pcap || fmt=pcapng
	fi
	FIELD_FILE=$FIELD_CASE.${fmt%-multi}
	field_noise "$FIELD_WORK/raw.pcap" "$FIELD_DIR/$FIELD_FILE" "$fmt" \
	    "$FIELD_N" || return 1
	cp "$FIELD_WORK/clients.log" "$FIELD_DIR/$FIELD_CASE.clients.log"
	rm -f "$FIELD_WORK/raw.pcap"
}

CLI1=10.77.0.30
CLI2=10.77.0.31
CLI3=10.77.0.32

# ---- a: every scenario a curl/kinit client can run in ----------------------------

# scen CASE SCENARIO EXIT ROOT ALLOWED NOTE: the ConfigMgr client's flow
# in SCENARIO; ROOT "-" (approved) or the finding id, the client's too; the
# file format is FIELD_FMT when set
scen() {
	local name=$1 s=$2 rc=$3 root=$4 allowed=$5 note=$6 c
	case_begin "$name" "$s" || return 1
	c_flow "$name"
	case_end "${FIELD_FMT:-}" || return 1
	c="$CLI1:false:$root:failing"
	[ "$root" = - ] && c="$CLI1:true:-:approved"
	field_expect "$name" "$FIELD_FILE" "$rc" "$root" + "$c" - "$allowed" "$note"
}

# scen_named CASE SCENARIO EXIT ROOT ALLOWED NOTE: nothing on the wire
# names ConfigMgr (the client never sent a request): analysed with --mp
# and without
scen_named() {
	local name=$1 s=$2 rc=$3 root=$4 allowed=$5 note=$6
	case_begin "$name" "$s" || return 1
	c_flow "$name"
	case_end || return 1
	field_expect "$name" "$FIELD_FILE" "$rc" "$root" + "$CLI1:false:$root:failing" \
	    "--mp $L_TARGET" "$allowed" "$note; the user names the MP"
	field_expect "$name-unnamed" "$FIELD_FILE" 3 - 0 - - no-mp-exchange \
	    "$note; without --mp nothing shows a ConfigMgr exchange"
}

# The scenarios: HOW (scen, or scen_named where nothing on the wire names
# ConfigMgr), CASE, SCENARIO, EXIT, ROOT, ALLOWED, NOTE; "|"-separated.
# ROOT is the live probe's (tests/scenarios.sh) but where the evidence
# cannot tell spn-misbound from mp-key-stale: mp-cannot-decrypt.
FIELD_SCENARIOS='
scen|a-healthy|healthy|0|-|-|kinit, CCM_POST anonymous then with the ticket (200), browser-like client (200)
scen|a-spn-misbound|spn-misbound|1|mp-cannot-decrypt|-|the MP'"'"'s reply carries KRB-ERROR 31, the ticket kvno 1: nothing tells spn-misbound from mp-key-stale
scen|a-mp-key-stale|mp-key-stale|1|mp-cannot-decrypt|-|the MP'"'"'s reply carries KRB-ERROR 44, no earlier accepted ticket: nothing tells mp-key-stale from spn-misbound
scen|a-spn-missing|spn-missing|1|spn-missing|-|referral, then the parent KDC'"'"'s error 7 for HTTP/mp.parent.lab; anonymous 401 only (the background has 7s for cifs/IP, bob, HTTP/web)
scen|a-no-trust-path|no-trust-path|1|no-trust-path|mit-fallback-realm|WS99$@UNTRUSTED.LAB: error 7, fallback realm, 7 again; anonymous 401 only
scen|a-trust-broken|trust-broken|1|trust-broken|-|referral, then the parent KDC'"'"'s error 31 (PROCESS_TGS); anonymous 401 only
scen|a-mp-skew|mp-skew|1|clock-skew-mp|-|the MP'"'"'s reply carries KRB-ERROR 37, its Date and stime 15 min ahead of the client and the KDCs
scen_named|a-dns-unresolvable|dns-unresolvable|1|dns-no-address|-|NXDOMAIN for nosuch.parent.lab; curl and the browser-like client never connect
scen_named|a-mp-gone|mp-gone|1|dns-no-address|-|NXDOMAIN for mp.parent.lab; no connection
scen|a-cname-alias-mit|cname-alias|1|spn-missing|dns-cname-alias|beyond the probe'"'"'s table: MIT without canonicalisation asks for HTTP/sccm.parent.lab, error 7; anonymous 401 only
scen|a-wrong-ptr|wrong-ptr|0|-|dns-ptr-other-host|the PTR of the MP names web.parent.lab; the client does not use PTR: 200
scen|a-no-kdc-srv|no-kdc-srv|1|dns-no-kdc-srv|-|NXDOMAIN for the child realm'"'"'s _kerberos SRV; kinit fails; anonymous 401 only
scen|a-kdc-down|kdc-down|1|kdc-unreachable|-|the child KDC off the network: Kerberos unanswered for 18 s; anonymous 401 only
scen|a-kdc-stopped|kdc-stopped|1|kdc-unreachable|-|the child KDC stopped: ICMP port unreachable and RST; anonymous 401 only
scen|a-mp-no-negotiate|mp-no-negotiate|1|mp-no-negotiate|-|401 with WWW-Authenticate: NTLM only
scen|a-mp-anonymous|mp-anonymous|1|mp-anonymous-accepted|-|200 to the anonymous CCM_POST
scen|a-mp-not-mp|mp-not-mp|1|mp-not-mp|-|404 to CCM_POST on ccm_system_windowsauth
scen|a-mp-hang|mp-hang|1|mp-no-answer|-|TCP open, the request sent, no byte back; the clients give up after 3 s (the MP accepted the connection and did not answer)
scen_named|a-mp-closed|mp-closed|1|mp-unreachable|-|connection refused (RST) by the MP'"'"'s address
scen|a-mp-garbage|mp-garbage|1|mp-protocol-error|-|401 with Negotiate !!!notbase64***
scen|a-mp-bigheader|mp-bigheader|1|mp-protocol-error|-|401 with a 1 MiB WWW-Authenticate header; curl and Python give up on it
'

case_a() {
	local how name s rc root allowed note
	while IFS='|' read -r how name s rc root allowed note; do
		[ -n "$how" ] || continue
		"$how" "$name" "$s" "$rc" "$root" "$allowed" "$note" || return 1
	done <<<"$FIELD_SCENARIOS"
	FIELD_FMT=pcapng-multi scen a-healthy-multi-if healthy 0 - - \
	    "the same as a-healthy, written as mergecap writes pcapng: one interface block per merged file, with different snapshot lengths" || return 1
	# a Windows client follows the CNAME for its ticket; MIT does with
	# dns_canonicalize_hostname = true (the lab's MIT-defaults krb5.conf)
	case_begin a-cname-alias cname-alias || return 1
	L_KRB5_CONFIG=$L_KRB5_CONFIG_MIT_DEFAULTS c_flow a-cname-alias
	case_end || return 1
	field_expect a-cname-alias "$FIELD_FILE" 0 - + "$CLI1:true:-:approved" - \
	    dns-cname-alias,dns-ptr-other-host "sccm.parent.lab is a CNAME of mp.parent.lab; the client canonicalises (as Windows does): ticket for HTTP/mp.parent.lab, 200"
}

# ---- b: retries ---------------------------------------------------------------------

case_b() {
	local cc i
	case_begin b-retries-mp-key-stale mp-key-stale || return 1
	cc=$(field_cc b1)
	c_kinit "$cc"
	for i in 1 2 3 4; do
		c_post "$cc" anon-first
		sleep 0.4
	done
	c_browser "$cc"
	c_post "$cc" anon-first
	case_end || return 1
	field_expect b-retries-mp-key-stale "$FIELD_FILE" 1 mp-cannot-decrypt + \
	    "$CLI1:false:mp-cannot-decrypt:failing:2" - - \
	    "six attempts, five identical curl ones: each 401 with KRB-ERROR 44 (same cached ticket, kvno 2)"

	case_begin b-retries-healthy healthy || return 1
	cc=$(field_cc b2)
	c_kinit "$cc"
	c_post "$cc" anon-first
	sleep 0.4
	c_post "$cc" anon-first
	sleep 0.4
	c_post "$cc" token-first
	c_browser "$cc" --requests 3
	c_post "$cc" anon-first
	case_end || return 1
	field_expect b-retries-healthy "$FIELD_FILE" 0 - + \
	    "$CLI1:true:-:approved:2" - - \
	    "repeated registrations, anonymous-first and token-first, three on one keep-alive connection: all 200"
}

# ---- c: healthy, then the lab breaks mid-capture, the same client again ------------

# heal_break CASE BROKEN ROOT NOTE
heal_break() {
	local name=$1 broken=$2 root=$3 note=$4 cc
	case_begin "$name" healthy || return 1
	cc=$(field_cc "$name")
	c_kinit "$cc"
	c_post "$cc" anon-first
	sleep 0.5
	field_scenario "$broken" || return 1
	sleep 0.3
	# the machine restarted: a new logon, no ticket kept
	c_kinit "$cc"
	c_post "$cc" anon-first
	c_browser "$cc"
	case_end || return 1
	field_expect "$name" "$FIELD_FILE" 1 "$root" + "$CLI1:false:$root:failing:2:approved" - - \
	    "200 first; then lab scenario $broken mid-capture and the same client again: $note"
}

case_c() {
	heal_break c-healthy-then-spn-misbound spn-misbound mp-cannot-decrypt \
	    "KRB-ERROR 31 with the same kvno 1 as the accepted ticket" || return 1
	heal_break c-healthy-then-mp-key-stale mp-key-stale mp-key-stale \
	    "KRB-ERROR 44; the accepted ticket had kvno 1, the refused one kvno 2: the MP's key is old" || return 1
	heal_break c-healthy-then-mp-no-negotiate mp-no-negotiate mp-no-negotiate \
	    "401 NTLM only"
}

# ---- d: broken, then the admin fixes it ------------------------------------------------

# break_heal CASE BROKEN ALLOWED NOTE
break_heal() {
	local name=$1 broken=$2 allowed=$3 note=$4 cc
	case_begin "$name" "$broken" || return 1
	cc=$(field_cc "$name")
	c_kinit "$cc"
	c_post "$cc" anon-first
	c_browser "$cc"
	sleep 0.5
	field_scenario healthy || return 1
	sleep 0.3
	c_post "$cc" anon-first
	c_browser "$cc"
	case_end || return 1
	field_expect "$name" "$FIELD_FILE" 0 - + "$CLI1:true:-:approved:2:failing" - "$allowed" \
	    "$note, then lab scenario healthy mid-capture: the same client gets 200"
}

case_d() {
	break_heal d-spn-missing-then-healthy spn-missing spn-missing \
	    "error 7 for HTTP/mp.parent.lab (anonymous 401 only)" || return 1
	break_heal d-mp-no-negotiate-then-healthy mp-no-negotiate mp-no-negotiate \
	    "401 NTLM only"
}

# ---- e: connection refused until the MP's web server starts ----------------------------

case_e() {
	local cc
	case_begin e-refused-then-healthy mp-closed || return 1
	cc=$(field_cc e)
	c_kinit "$cc"
	c_post "$cc" anon-first
	sleep 0.5
	c_post "$cc" anon-first
	field_scenario healthy || return 1
	sleep 0.3
	c_post "$cc" anon-first
	c_browser "$cc"
	case_end || return 1
	field_expect e-refused-then-healthy "$FIELD_FILE" 0 - + "$CLI1:true:-:approved" - \
	    mp-unreachable "two connections refused (RST, Apache stopped), Apache started, then 200: the refusal was transient"
}

# ---- f: a capture cut in the middle of the exchange --------------------------------------

# frame numbers in a capture that match a tshark display filter
frames() {
	tshark -r "$1" -Y "$2" -T fields -e frame.number 2>/dev/null
}

# cut_capture CASE SCENARIO FORMAT: the client's flow, captured; sets
# CUT_401 to the frame of the MP's first 401 in FIELD_FILE
cut_capture() {
	case_begin "$1" "$2" || return 1
	c_flow "$1"
	case_end "$3" || return 1
	CUT_401=$(frames "$FIELD_DIR/$FIELD_FILE" \
	    "ip.src==10.77.0.20 && http.response.code==401" | head -n 1)
	[ -n "$CUT_401" ] || field_die "$1: no 401 from the MP"
}

case_f() {
	local size c stream
	# cut with editcap right after the MP's anonymous 401
	cut_capture f-cut-after-401 healthy pcapng || return 1
	editcap -r "$FIELD_DIR/$FIELD_FILE" "$FIELD_WORK/cut.pcapng" "1-$CUT_401" &&
		mv "$FIELD_WORK/cut.pcapng" "$FIELD_DIR/$FIELD_FILE" || return 1
	field_expect f-cut-after-401 "$FIELD_FILE" 3 - + "$CLI1:false:-:incomplete" - \
	    attempt-incomplete "healthy exchange cut (editcap -r) right after the anonymous 401 Negotiate: the outcome is unknown"

	# the file cut in the middle of a record (truncate), inside the
	# client's second request; the MP would have refused it (spn-misbound)
	cut_capture f-cut-truncated spn-misbound pcap || return 1
	stream=$(tshark -r "$FIELD_DIR/$FIELD_FILE" -Y "frame.number==$CUT_401" \
	    -T fields -e tcp.stream 2>/dev/null)
	c=$(frames "$FIELD_DIR/$FIELD_FILE" "frame.number>$CUT_401 && \
	    tcp.stream==$stream && ip.src==10.77.0.30 && tcp.len>0" | head -n 1)
	[ -n "$c" ] || field_die "f-cut-truncated: no second request" || return 1
	editcap -F pcap -r "$FIELD_DIR/$FIELD_FILE" "$FIELD_WORK/cut.pcap" \
	    "1-$((c - 1))" || return 1
	size=$(stat -c %s "$FIELD_WORK/cut.pcap")
	# the record header (16 bytes) and 120 bytes of the packet
	truncate -s $((size + 16 + 120)) "$FIELD_DIR/$FIELD_FILE" || return 1
	rm -f "$FIELD_WORK/cut.pcap"
	field_expect f-cut-truncated "$FIELD_FILE" 3 - + "$CLI1:false:-:incomplete" - \
	    attempt-incomplete,input-cut "spn-misbound exchange; the file ends 120 bytes into the client's request with the ticket (truncate): the MP's answer is not in it"
}

# ---- g: at the MP, three clients in three states --------------------------------------------

case_g() {
	local cc1 cc2 cc3 mpcc
	FIELD_CASE="g-mp-side"
	FIELD_N=$((FIELD_N + 1))
	field_log "$FIELD_CASE"
	: >"$FIELD_WORK/clients.log"
	field_scenario healthy || return 1
	cap_start "$L_MP_NS" "$FIELD_WORK/raw.pcap" || return 1
	cc1=$(field_cc g1)
	cc2=$(field_cc g2)
	cc3=$(field_cc g3)
	mpcc=$(field_cc gmp)
	# the MP's own traffic: its machine logon and an LDAP ticket, names
	(
		ip netns exec "$L_MP_NS" env KRB5_CONFIG="$L_STATEDIR/mp/krb5.conf" \
		    KRB5CCNAME="FILE:$mpcc" sh -c "
			kinit -k -t '$L_MP_KEYTAB' host/mp.parent.lab
			getent hosts sql.parent.lab
			kvno ldap/kdc.parent.lab
			curl -s -o /dev/null http://web.parent.lab/
			getent hosts kdc.parent.lab"
	) >>"$FIELD_WORK/background.log" 2>&1 &
	BG_PID=$!
	# 10.77.0.30, WS01$: healthy
	c_kinit "$cc1"
	cli "$cc1" curl -s -o /dev/null http://mp.parent.lab/ >/dev/null 2>&1
	c_post "$cc1" anon-first --interface "$CLI1"
	# 10.77.0.31, WS99$@UNTRUSTED.LAB: never gets a ticket, posts anonymously
	L_KRB5_CONFIG=$L_UNTRUSTED_KRB5_CONFIG c_kinit "$cc2" \
	    "$L_UNTRUSTED_KEYTAB" "$L_UNTRUSTED_PRINCIPAL"
	L_KRB5_CONFIG=$L_UNTRUSTED_KRB5_CONFIG c_post "$cc2" anon-first \
	    --interface "$CLI2"
	# 10.77.0.32, WS02$: its ticket from before its clock jumped 20
	# minutes; the MP answers KRB_AP_ERR_SKEW
	c_kinit "$cc3" "$L_CLIENT3_KEYTAB" "$L_CLIENT3_PRINCIPAL"
	c_kvno "$cc3" -S HTTP mp.parent.lab
	cli "$cc3" curl -s -o /dev/null -H 'User-Agent: Mozilla/5.0' \
	    --interface "$CLI3" http://mp.parent.lab/favicon.ico >/dev/null 2>&1
	cli "$cc3" faketime -f +20m curl -s -o /dev/null -w "curl skewed %{http_code}\n" \
	    --anyauth --negotiate -u : -X CCM_POST -H 'User-Agent: ccmhttp' \
	    --data-binary "$FIELD_BODY" --interface "$CLI3" \
	    "http://mp.parent.lab$FIELD_MP_PATH" >>"$FIELD_WORK/clients.log" 2>&1
	sleep 0.5
	L_KRB5_CONFIG=$L_UNTRUSTED_KRB5_CONFIG c_post "$cc2" anon-first \
	    --interface "$CLI2"
	c_browser "$cc1" --bind "$CLI1"
	case_end pcapng || return 1
	field_expect g-mp-side "$FIELD_FILE" 1 clock-skew + \
	    "$CLI1:true:-:approved $CLI2:false:iis-never-authenticated:failing $CLI3:false:clock-skew:failing" - - \
	    "tcpdump at the MP: .30 WS01\$ 200; .31 WS99\$@UNTRUSTED.LAB challenged twice, never sends a token; .32 WS02\$ with its clock 20 min ahead gets KRB-ERROR 37 while the MP accepts .30 at the same time and its stime matches the capture (the MP's clock is right); the MP's own Kerberos, GET / 404 and favicon are background"
}

# ---- h: no ConfigMgr exchange at all -------------------------------------------------

# bg_only CASE SCENARIO NOTE
bg_only() {
	case_begin "$1" "$2" || return 1
	case_end || return 1
	field_expect "$1" "$FIELD_FILE" 3 - 0 - - no-mp-exchange "$3"
}

case_h() {
	bg_only h-background healthy \
	    "only the workstation's other traffic and public captures: web 200/404/500, intranet 401 Negotiate with no SPN (error 7), a user's logon, cifs/ldap tickets, errors 7 for cifs/10.77.0.99 and bob, NXDOMAINs" || return 1
	bg_only h-background-trust-broken trust-broken \
	    "the same while the trust is broken: the user's cifs/kdc.parent.lab ticket fails with error 31 at the parent KDC; still no ConfigMgr exchange, nothing to blame on an MP"
}

# ---- k: only kvno for the MP's SPN; the user names the MP -------------------------------

# kvno_only CASE SCENARIO EXIT ROOT CLIENT ALLOWED NOTE
kvno_only() {
	local name=$1 cc
	case_begin "$name" "$2" || return 1
	cc=$(field_cc "$name")
	c_kinit "$cc"
	c_kvno "$cc" -S HTTP mp.parent.lab
	case_end || return 1
	field_expect "$name" "$FIELD_FILE" "$3" "$4" + "$5" "--mp mp.parent.lab" "$6" \
	    "kinit, kvno -S HTTP mp.parent.lab, no HTTP to the MP; the user names the MP: $7"
	field_expect "$name-unnamed" "$FIELD_FILE" 3 - 0 - - no-mp-exchange \
	    "kinit, kvno -S HTTP mp.parent.lab, no HTTP to the MP; without --mp a ticket is no ConfigMgr exchange"
}

case_k() {
	kvno_only k-kvno-healthy healthy 3 - "$CLI1:false:-:incomplete" \
	    attempt-incomplete "the ticket is issued, the MP was never asked: incomplete" ||
		return 1
	kvno_only k-kvno-spn-missing spn-missing 1 spn-missing \
	    "$CLI1:false:spn-missing:failing" - "error 7 for HTTP/mp.parent.lab"
}

# ---- driver ------------------------------------------------------------------------------

field_names() {
	echo "a b c d e f g h k"
}

field_case() {
	case $1 in
	a | b | c | d | e | f | g | h | k) "case_$1" ;;
	*) field_die "unknown case group: $1 (one of: $(field_names))" ;;
	esac
}

field_all() {
	local g
	for g in $(field_names); do
		field_case "$g" || return 1
	done
	"$FIELD_LAB" scenario healthy >/dev/null 2>&1
	chmod -R a+rX "$FIELD_DIR"
}

# ---- the browser-like client ------------------------------------------------------------

field_browser_script() {
	cat <<'PY'
"""A browser-like HTTP client with Negotiate (python3-gssapi).

usage: browser.py [--method M] [--bind ADDR] [--mech spnego|krb5]
                  [--requests N] [--timeout S] URL

Sends N requests on one keep-alive connection with a browser's headers; on
401 with Negotiate it gets a token for HTTP@host and sends the request
again on the same connection, then checks the server's reply token.
"""
import argparse
import base64
import http.client
import socket
import sys
import urllib.parse

import gssapi

HEADERS = {
    "User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) "
    "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,"
    "image/avif,image/webp,*/*;q=0.8",
    "Accept-Language": "en-US,en;q=0.9",
    "Accept-Encoding": "gzip, deflate",
    "Upgrade-Insecure-Requests": "1",
    "Connection": "keep-alive",
}
MECHS = {"spnego": "1.3.6.1.5.5.2", "krb5": "1.2.840.113554.1.2.2"}


def send(conn, method, path, headers, body):
    conn.request(method, path, body=body, headers=headers)
    resp = conn.getresponse()
    resp.read()
    return resp.status, resp.getheader("WWW-Authenticate", "") or ""


def one(conn, args, host, path):
    headers = dict(HEADERS)
    body = None
    if args.method != "GET":
        body = b"<ClientRegistrationRequest/>"
        headers["Content-Type"] = "text/xml; charset=utf-8"
    status, auth = send(conn, args.method, path, headers, body)
    if status != 401 or not auth.lower().startswith("negotiate"):
        return status
    mech = gssapi.OID.from_int_seq(MECHS[args.mech])
    name = gssapi.Name("HTTP@" + host, gssapi.NameType.hostbased_service)
    ctx = gssapi.SecurityContext(name=name, mech=mech, usage="initiate")
    token = ctx.step()
    headers["Authorization"] = "Negotiate " + base64.b64encode(token).decode()
    status, auth = send(conn, args.method, path, headers, body)
    parts = auth.split(None, 1)
    if status == 200 and len(parts) == 2 and not ctx.complete:
        ctx.step(base64.b64decode(parts[1]))
    return status


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--method", default="CCM_POST")
    ap.add_argument("--bind")
    ap.add_argument("--mech", default="spnego", choices=sorted(MECHS))
    ap.add_argument("--requests", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=3)
    ap.add_argument("url")
    args = ap.parse_args()
    u = urllib.parse.urlsplit(args.url)
    src = (args.bind, 0) if args.bind else None
    conn = http.client.HTTPConnection(u.hostname, u.port or 80,
                                      timeout=args.timeout,
                                      source_address=src)
    rc = 0
    for _ in range(args.requests):
        try:
            status = one(conn, args, u.hostname, u.path or "/")
            print("browser", status)
            rc = 0 if status == 200 else 1
        except gssapi.exceptions.GSSError as e:
            print("browser: no token:", str(e).splitlines()[0])
            return 1
        except (OSError, http.client.HTTPException) as e:
            print("browser:", type(e).__name__, e)
            return 1
    conn.close()
    return rc


if __name__ == "__main__":
    sys.exit(main())
PY
}
