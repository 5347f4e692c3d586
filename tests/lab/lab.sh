#!/bin/bash
# lab.sh - a real Kerberos/DNS/HTTP lab for ccmdiag in network namespaces.
#
#   lab.sh up [STATEDIR]   build everything from scratch, scenario "healthy"
#   lab.sh scenario NAME   switch the running lab to scenario NAME
#   lab.sh down            stop everything, remove namespaces and state
#   lab.sh env             print the variables a caller needs (sourceable)
#   lab.sh run CMD...      run CMD in the client namespace with that environment
#   lab.sh list            print the scenario names
#   lab.sh fleet           add the fleet of MPs (tests/lab/fleetlab.sh)
#
# STATEDIR defaults to $CCMDIAG_LAB_DIR or /tmp/ccmdiag-lab (-$CCMDIAG_LAB_NS). Once a lab is
# up, the other commands find its STATEDIR by themselves (it is stored as
# the alias of the bridge inside the ccm-sw namespace). Runs as root. It
# changes nothing outside the namespaces it creates, /etc/netns/ccm-*/ and
# STATEDIR. See README.md in this directory for the topology and for what
# each scenario produces on the wire.
set -eu

LAB_SRC=$(cd "$(dirname "$0")" && pwd)
LAB_NAME=lab.sh
# CCMDIAG_LAB_NS (default ccm) names the namespaces, so that several labs
# can run side by side on one machine (each with its own STATEDIR).
NS_PREFIX=${CCMDIAG_LAB_NS:-ccm}
case $NS_PREFIX in *[!a-z0-9]* | "") echo "lab.sh: CCMDIAG_LAB_NS must be [a-z0-9]+" >&2; exit 2 ;; esac
# shellcheck source=tests/lab/common.sh
. "$LAB_SRC/common.sh"
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
export LC_ALL=C

# --- topology -------------------------------------------------------------
NS_SW=$NS_PREFIX-sw
NS_DNS=$NS_PREFIX-dns
NS_KDCP=$NS_PREFIX-kdcp
NS_KDCC=$NS_PREFIX-kdcc
NS_KDCU=$NS_PREFIX-kdcu
NS_MP=$NS_PREFIX-mp
NS_CLI=$NS_PREFIX-cli
NS_WEB=$NS_PREFIX-web
NS_HOS=$NS_PREFIX-hos
NS_MPF=$NS_PREFIX-mpf
HOST_NAMESPACES="$NS_CLI $NS_MP $NS_WEB $NS_KDCP $NS_KDCC $NS_KDCU $NS_DNS $NS_HOS $NS_MPF"
ALL_NAMESPACES="$HOST_NAMESPACES $NS_SW"

DNS_IP=10.77.0.2
KDCP_IP=10.77.0.10
KDCC_IP=10.77.0.11
KDCU_IP=10.77.0.12
MP_IP=10.77.0.20
WEB_IP=10.77.0.21
CLI_IP=10.77.0.30
CLI2_IP=10.77.0.31
CLI3_IP=10.77.0.32
# hostile.py's servers: a KDC and an LDAP server on one address, a DNS
# server on another
HOS_IP=10.77.0.40
HOS_DNS_IP=10.77.0.41
HOS_KDC_FQDN=hostile.child.parent.lab
HOS_LDAP_FQDN=ldap.parent.lab
# kdc-port: the child KDC listens here instead of 88
ODD_KDC_PORT=30088

PARENT_REALM=PARENT.LAB
CHILD_REALM=CHILD.PARENT.LAB
UNTRUSTED_REALM=UNTRUSTED.LAB
MP_FQDN=mp.parent.lab
MP_ALIAS=sccm.parent.lab
WEB_FQDN=web.parent.lab
NOSUCH_FQDN=nosuch.parent.lab
CLIENT_PRINCIPAL='WS01$@CHILD.PARENT.LAB'
UNTRUSTED_PRINCIPAL='WS99$@UNTRUSTED.LAB'
CLIENT3_PRINCIPAL='WS02$@CHILD.PARENT.LAB'
CLIENT_USER=alice@CHILD.PARENT.LAB
# Lab-only secrets; nothing here protects anything real.
CLIENT_USER_PASSWORD=Alice-Lab-Pw1
MASTER_PW=Lab-Master-Pw1
TRUST_PW_P_FROM_C=Lab-Trust-Child-To-Parent1
TRUST_PW_C_FROM_P=Lab-Trust-Parent-To-Child1
TRUST_PW_BROKEN=Lab-Trust-Reset-On-One-Side1
SVC_REPORTS_PW=Lab-Svc-Reports-Pw1
ENCTYPES=aes256-cts-hmac-sha1-96:normal,aes128-cts-hmac-sha1-96:normal
MP_SKEW=+15m
CLIENT_SKEW=+20m

SCENARIOS="healthy spn-misbound mp-key-stale spn-missing no-trust-path trust-broken
client-skew mp-skew dns-unresolvable mp-gone cname-alias wrong-ptr no-kdc-srv
kdc-down kdc-stopped mp-no-negotiate mp-anonymous mp-not-mp mp-hang mp-closed
mp-garbage mp-bigheader hosts-only search-list kdc-port
kdc-port-conf"
# hostile-ROLE-MODE[-SCOPE] (tests/lab/hostile.py): ROLE kdc, dns or ldap;
# SCOPE the requests treated so (kdc: as|tgs, dns: a|aaaa|ptr|srv), the
# others forwarded to the real server.
HOSTILE_KDC_MODES="proxy silent drip garbage truncated hugelen wrongtype rst err25 bigerror"
HOSTILE_DNS_MODES="silent garbage wrongid truncated drip rst"
HOSTILE_LDAP_MODES="silent drip garbage hugelen rst"

MARKER=.ccmdiag-lab
if [ "$NS_PREFIX" = ccm ]; then
	DEFAULT_STATEDIR=/tmp/ccmdiag-lab
else
	DEFAULT_STATEDIR=/tmp/ccmdiag-lab-$NS_PREFIX
fi
# shellcheck source=tests/lab/fleetlab.sh
. "$LAB_SRC/fleetlab.sh"


usage() {
	sed -n '4,10s/^# \{0,1\}//p' "$0" >&2
	exit 2
}



# STATEDIR of the running lab (alias of br0 in ccm-sw), else the default.
resolve_statedir() {
	local sd=""
	if ns_exists "$NS_SW"; then
		sd=$(ip -n "$NS_SW" -d link show br0 2>/dev/null |
			sed -n 's/^ *alias //p' | head -n 1)
	fi
	[ -n "$sd" ] || sd=${CCMDIAG_LAB_DIR:-$DEFAULT_STATEDIR}
	STATEDIR=$sd
}

set_paths() {
	KP=$STATEDIR/kdc-parent
	KC=$STATEDIR/kdc-child
	KU=$STATEDIR/kdc-untrusted
	DNSD=$STATEDIR/dns
	MPD=$STATEDIR/mp
	CLID=$STATEDIR/cli
	WEBD=$STATEDIR/web
	SCEN_FILE=$STATEDIR/scenario
}





# --- teardown -------------------------------------------------------------
do_down() {
	local ns sd
	set +e
	resolve_statedir
	for ns in $HOST_NAMESPACES; do
		kill_ns "$ns"
	done
	for ns in $ALL_NAMESPACES; do
		ns_exists "$ns" && ip netns del "$ns" 2>/dev/null
		rm -rf "/etc/netns/$ns"
	done
	if [ -e /etc/netns/$MARKER ]; then
		rm -f /etc/netns/$MARKER
		rmdir /etc/netns 2>/dev/null
	fi
	for sd in "$STATEDIR" "${CCMDIAG_LAB_DIR:-$DEFAULT_STATEDIR}"; do
		[ -f "$sd/$MARKER" ] && rm -rf "$sd"
	done
	reap_killed	# orphans of an earlier lab.sh: let init reap them
	set -e
	return 0
}

# --- network ----------------------------------------------------------------
netns_etc() {
	local ns=$1 search=$2
	mkdir -p "/etc/netns/$ns"
	printf 'nameserver %s\nsearch %s\n' "$DNS_IP" "$search" >"/etc/netns/$ns/resolv.conf"
	printf '127.0.0.1\tlocalhost\n' >"/etc/netns/$ns/hosts"
	printf '%s\n' 'passwd: files' 'group: files' 'shadow: files' \
		'hosts: files dns' 'networks: files' 'protocols: files' \
		'services: files' 'ethers: files' 'rpc: files' \
		>"/etc/netns/$ns/nsswitch.conf"
}

build_net() {
	ip netns add "$NS_SW"
	nsx "$NS_SW" sh -c 'echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6;
		echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6'
	ip -n "$NS_SW" link add br0 type bridge forward_delay 0
	ip -n "$NS_SW" link set br0 alias "$STATEDIR"
	ip -n "$NS_SW" link set br0 up
	add_host_ns dns "$DNS_IP"
	add_host_ns kdcp "$KDCP_IP"
	add_host_ns kdcc "$KDCC_IP"
	add_host_ns kdcu "$KDCU_IP"
	add_host_ns mp "$MP_IP"
	add_host_ns web "$WEB_IP"
	add_host_ns cli "$CLI_IP"
	ip -n "$NS_CLI" addr add "$CLI2_IP/24" dev eth0
	ip -n "$NS_CLI" addr add "$CLI3_IP/24" dev eth0
	add_host_ns hos "$HOS_IP"
	ip -n "$NS_HOS" addr add "$HOS_DNS_IP/24" dev eth0
	if [ ! -d /etc/netns ]; then
		mkdir -p /etc/netns
		: >/etc/netns/$MARKER
	fi
	netns_etc "$NS_DNS" parent.lab
	netns_etc "$NS_KDCP" parent.lab
	netns_etc "$NS_KDCC" child.parent.lab
	netns_etc "$NS_KDCU" untrusted.lab
	netns_etc "$NS_MP" parent.lab
	netns_etc "$NS_WEB" parent.lab
	netns_etc "$NS_CLI" child.parent.lab
	netns_etc "$NS_HOS" parent.lab
}

# --- Kerberos ---------------------------------------------------------------
kdc_env() {
	local d=$1
	shift
	env KRB5_CONFIG="$d/krb5.conf" KRB5_KDC_PROFILE="$d/kdc.conf" "$@"
}

# kadm DIR REALM: run the kadmin.local commands on stdin; fail on any error.
kadm() {
	local d=$1 realm=$2 err
	err=$(kdc_env "$d" kadmin.local -r "$realm" 2>&1 >>"$d/kadmin.out" |
		grep -v -e '^Authenticating as' -e '^No policy specified' \
			-e '^WARNING: no policy specified' || :)
	[ -z "$err" ] || die "kadmin.local ($realm): $err"
}

build_kdc() {
	local d=$1 realm=$2 ip=$3 conf=$4
	mkdir -p "$d"
	render kdc.conf.in "$d/kdc.conf" REALM="$realm" DIR="$d" PORT=88
	render "$conf" "$d/krb5.conf" REALM="$realm" KDC_IP="$ip"
	: >"$d/kadm5.acl"
	kdc_env "$d" kdb5_util create -s -W -r "$realm" -P "$MASTER_PW" >"$d/create.out" 2>&1 ||
		die "kdb5_util create $realm failed: $(cat "$d/create.out")"
}

start_kdc() {
	local ns=$1 d=$2 realm=$3
	start_daemon "$ns" "$d/krb5kdc.out" env KRB5_CONFIG="$d/krb5.conf" \
		KRB5_KDC_PROFILE="$d/kdc.conf" krb5kdc -n -r "$realm" -P "$d/krb5kdc.pid"
}

build_realms() {
	build_kdc "$KP" "$PARENT_REALM" "$KDCP_IP" krb5-kdc.conf.in
	build_kdc "$KC" "$CHILD_REALM" "$KDCC_IP" krb5-kdc.conf.in
	build_kdc "$KU" "$UNTRUSTED_REALM" "$KDCU_IP" krb5-kdc-untrusted.conf.in
	mkdir -p "$CLID" "$MPD"

	# Cross-realm keys: same principal name, password, enctypes and kvno
	# (1) in both databases gives the same keys on both sides.
	# An MIT KDC compares names case-sensitively and MIT's client keeps the
	# case of the service it is given (GSS "HOST@mp" asks for HOST/mp), so
	# the one case-insensitive HOST SPN of AD becomes two principals here,
	# host/ and HOST/, both in the MP's keytab.
	kadm "$KP" "$PARENT_REALM" <<EOF
addprinc -e $ENCTYPES -pw $TRUST_PW_P_FROM_C krbtgt/$PARENT_REALM@$CHILD_REALM
addprinc -e $ENCTYPES -pw $TRUST_PW_C_FROM_P krbtgt/$CHILD_REALM@$PARENT_REALM
addprinc -randkey HTTP/$MP_FQDN
addprinc -randkey host/$MP_FQDN
addprinc -randkey HOST/$MP_FQDN
addprinc -pw $SVC_REPORTS_PW svc_reports
addprinc -randkey cifs/kdc.parent.lab
addprinc -randkey ldap/kdc.parent.lab
ktadd -norandkey -k $MPD/mp.keytab HTTP/$MP_FQDN host/$MP_FQDN HOST/$MP_FQDN
EOF
	kadm "$KC" "$CHILD_REALM" <<EOF
addprinc -e $ENCTYPES -pw $TRUST_PW_P_FROM_C krbtgt/$PARENT_REALM@$CHILD_REALM
addprinc -e $ENCTYPES -pw $TRUST_PW_C_FROM_P krbtgt/$CHILD_REALM@$PARENT_REALM
addprinc -randkey $CLIENT_PRINCIPAL
ktadd -norandkey -k $CLID/ws01.keytab $CLIENT_PRINCIPAL
addprinc -randkey $CLIENT3_PRINCIPAL
ktadd -norandkey -k $CLID/ws02.keytab $CLIENT3_PRINCIPAL
addprinc -pw $CLIENT_USER_PASSWORD $CLIENT_USER
addprinc -randkey ldap/kdc.child.parent.lab
addprinc -randkey cifs/kdc.child.parent.lab
EOF
	kadm "$KU" "$UNTRUSTED_REALM" <<EOF
addprinc -randkey $UNTRUSTED_PRINCIPAL
ktadd -norandkey -k $CLID/ws99.keytab $UNTRUSTED_PRINCIPAL
EOF
	# The healthy databases, restored by "scenario" before every switch.
	kdc_env "$KP" kdb5_util dump "$KP/healthy.dump"
	kdc_env "$KC" kdb5_util dump "$KC/healthy.dump"

	local c="CCACHE=$CLID/ccache"
	render krb5-client.conf.in "$CLID/krb5.conf" REALM="$CHILD_REALM" "$c" \
		RDNS=false CANON=false TIMESYNC=1
	render krb5-client.conf.in "$CLID/krb5-untrusted.conf" REALM="$UNTRUSTED_REALM" "$c" \
		RDNS=false CANON=false TIMESYNC=1
	render krb5-client.conf.in "$CLID/krb5-notimesync.conf" REALM="$CHILD_REALM" "$c" \
		RDNS=false CANON=false TIMESYNC=0
	render krb5-client.conf.in "$CLID/krb5-mitdefaults.conf" REALM="$CHILD_REALM" "$c" \
		RDNS=true CANON=true TIMESYNC=1
	# kdc-port with the KDC named in krb5.conf rather than by SRV
	render krb5-client.conf.in "$CLID/krb5-kdcport.conf" REALM="$CHILD_REALM" "$c" \
		RDNS=false CANON=false TIMESYNC=1
	printf '[realms]\n\t%s = {\n\t\tkdc = kdc.child.parent.lab:%s\n\t}\n' \
		"$CHILD_REALM" "$ODD_KDC_PORT" >>"$CLID/krb5-kdcport.conf"
}

restore_kdc() {
	local d=$1
	kdc_env "$d" kdb5_util load "$d/healthy.dump" ||
		die "cannot restore the healthy database in $d"
}

# --- DNS --------------------------------------------------------------------
# write_dns MP_RECORD PTR CHILD_SRV [LDAP_SRV]: MP_RECORD yes|no, PTR
# mp|web, CHILD_SRV yes|no|odd (port $ODD_KDC_PORT)|hostile (hostile.py's
# KDC), LDAP_SRV yes (_ldap._tcp.parent.lab names hostile.py's server)
write_dns() {
	local mp=$1 ptr=$2 srv=$3 ldap=${4:-no} f=$DNSD/dnsmasq.conf kdc
	local kport=88
	render dnsmasq.conf.in "$f" DIR="$DNSD" DNS_IP="$DNS_IP" KDCP_IP="$KDCP_IP" \
		KDCC_IP="$KDCC_IP" KDCU_IP="$KDCU_IP" WEB_IP="$WEB_IP" \
		CLI_IP="$CLI_IP" CLI2_IP="$CLI2_IP" CLI3_IP="$CLI3_IP"
	{
		# The alias stays when the MP's host record goes (mp-gone): it
		# then points at a name that does not exist.
		[ "$mp" = yes ] && echo "host-record=$MP_FQDN,$MP_IP"
		echo "cname=$MP_ALIAS,$MP_FQDN"
		if [ "$ptr" = web ]; then
			echo "ptr-record=20.0.77.10.in-addr.arpa,$WEB_FQDN"
		fi
		echo "host-record=$HOS_KDC_FQDN,$HOS_IP"
		echo "host-record=$HOS_LDAP_FQDN,$HOS_IP"
		kdc=kdc.child.parent.lab
		case $srv in
		odd) kport=$ODD_KDC_PORT ;;
		hostile) kdc=$HOS_KDC_FQDN ;;
		esac
		if [ "$srv" != no ]; then
			echo "srv-host=_kerberos._udp.$CHILD_REALM,$kdc,$kport"
			echo "srv-host=_kerberos._tcp.$CHILD_REALM,$kdc,$kport"
			echo "srv-host=_kerberos._tcp.dc._msdcs.child.parent.lab,$kdc,$kport"
		fi
		if [ "$ldap" = yes ]; then
			echo "srv-host=_ldap._tcp.parent.lab,$HOS_LDAP_FQDN,389"
		fi
	} >>"$f"
}

start_dns() {
	kill_ns "$NS_DNS"
	start_daemon "$NS_DNS" "$DNSD/dnsmasq.out" dnsmasq --keep-in-foreground \
		--conf-file="$DNSD/dnsmasq.conf"
	wait_listen "$NS_DNS" udp 53 "$DAEMON_PID" "$DNSD/dnsmasq.out"
}

# --- MP ---------------------------------------------------------------------
build_mp() {
	mkdir -p "$MPD/logs" "$MPD/run" "$MPD/htdocs" "$MPD/cgi" "$MPD/rcache"
	cp "$LAB_SRC"/mp-*.cgi "$LAB_SRC/mp-fleet.lua" "$MPD/cgi/"
	cp "$LAB_SRC/responder.py" "$MPD/responder.py"
	chmod 755 "$MPD/cgi"/*.cgi "$MPD/responder.py"
	render httpd.conf.in "$MPD/httpd.conf" DIR="$MPD" MP_IP="$MP_IP"
	render krb5-mp.conf.in "$MPD/krb5.conf" DIR="$MPD"
	# HTTPS: a self-signed server certificate; MP_CA names it for clients
	mkdir -p "$MPD/tls"
	openssl req -x509 -newkey rsa:2048 -nodes -days 30 -sha256 \
	    -keyout "$MPD/tls/mp.key" -out "$MPD/tls/mp.crt" \
	    -subj "/CN=$MP_FQDN" \
	    -addext "subjectAltName=DNS:$MP_FQDN,DNS:$MP_ALIAS" \
	    >/dev/null 2>&1 || die "cannot make the MP's TLS certificate"
	chmod 600 "$MPD/tls/mp.key"
	# The MP's signing key: mp-registration.cgi signs every reply with it;
	# MP_SIGNING_CERT is the certificate a client trusts (mpsigningcerts),
	# MP_WRONG_SIGNING_CERT one of another key (a rebuilt site's MP).
	mkdir -p "$MPD/sign"
	local k
	for k in mp-signing wrong-signing; do
		openssl req -x509 -newkey rsa:2048 -nodes -days 30 -sha256 \
		    -keyout "$MPD/sign/$k.key" -out "$MPD/sign/$k.crt" \
		    -subj "/CN=SMS Management Point Signing/O=$k" \
		    >/dev/null 2>&1 || die "cannot make the MP's signing certificate"
	done
	rm -f "$MPD/sign/wrong-signing.key"
	chgrp www-data "$MPD/sign/mp-signing.key"
	chmod 640 "$MPD/sign/mp-signing.key"
	build_pki "$MPD/pki"
	chgrp www-data "$MPD/mp.keytab"
	chmod 640 "$MPD/mp.keytab"
	chown www-data:www-data "$MPD/rcache"
	chmod 700 "$MPD/rcache"
}

# build_pki DIR: native mode (HTTPS with client certificates, port 8443): a
# lab CA; the MP's server certificate; a client certificate (PEM and
# PKCS#12 with the password "lab"); a revoked client certificate; the CRL
# the MP checks (revoked client) and one that also revokes the MP's.
build_pki() {
	local d=$1 n
	mkdir -p "$d/newcerts"
	: >"$d/index.txt"
	echo 1000 >"$d/crlnumber"
	printf '%s\n' '[ca]' 'default_ca = lab' '[lab]' \
	    "database = $d/index.txt" "new_certs_dir = $d/newcerts" \
	    "certificate = $d/ca.crt" "private_key = $d/ca.key" \
	    "crlnumber = $d/crlnumber" 'default_md = sha256' \
	    'default_crl_days = 30' >"$d/ca.cnf"
	openssl req -x509 -newkey rsa:2048 -nodes -days 30 -sha256 \
	    -keyout "$d/ca.key" -out "$d/ca.crt" -subj "/CN=Lab Issuing CA" \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign" >/dev/null 2>&1 ||
		die "cannot make the lab CA"
	pki_issue "$d" mp-native 0x1001 "/CN=$MP_FQDN" \
	    "subjectAltName=DNS:$MP_FQDN" "extendedKeyUsage=serverAuth"
	pki_issue "$d" client 0x1002 "/CN=ws01.child.parent.lab" \
	    "extendedKeyUsage=clientAuth,1.3.6.1.4.1.311.101,1.3.6.1.4.1.311.101.2"
	pki_issue "$d" revoked 0x1003 "/CN=ws02.child.parent.lab" \
	    "extendedKeyUsage=clientAuth,1.3.6.1.4.1.311.101,1.3.6.1.4.1.311.101.2"
	openssl pkcs12 -export -in "$d/client.crt" -inkey "$d/client.key" \
	    -out "$d/client.p12" -passout pass:lab >/dev/null 2>&1 ||
		die "cannot make the PKCS#12 file"
	for n in revoked:ca.crl mp-native:ca-mp-revoked.crl; do
		openssl ca -config "$d/ca.cnf" -revoke "$d/${n%%:*}.crt" \
		    >/dev/null 2>&1 || die "cannot revoke ${n%%:*}"
		openssl ca -config "$d/ca.cnf" -gencrl -out "$d/${n#*:}" \
		    >/dev/null 2>&1 || die "cannot make ${n#*:}"
	done
	chmod 600 "$d"/*.key
}

# pki_issue DIR NAME SERIAL SUBJECT EXTENSION...: a key and a certificate
# from the lab CA in DIR.
pki_issue() {
	local d=$1 name=$2 serial=$3 subj=$4
	shift 4
	openssl req -new -newkey rsa:2048 -nodes -keyout "$d/$name.key" \
	    -subj "$subj" -out "$d/$name.csr" >/dev/null 2>&1 &&
		printf '%s\n' "$@" >"$d/$name.ext" &&
		openssl x509 -req -in "$d/$name.csr" -CA "$d/ca.crt" \
		    -CAkey "$d/ca.key" -set_serial "$serial" -days 30 -sha256 \
		    -extfile "$d/$name.ext" -out "$d/$name.crt" >/dev/null 2>&1 ||
		die "cannot issue the $name certificate"
}

faketime_lib() {
	local f
	for f in /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1; do
		[ -e "$f" ] && {
			echo "$f"
			return 0
		}
	done
	die "libfaketime.so.1 not found (package faketime)"
}

# start_apache DEFINE [SKEW]: (re)start httpd in ccm-mp with -D DEFINE,
# under libfaketime when SKEW (e.g. +15m) is given.
start_apache() {
	local define=$1 skew=${2:-} fake=()
	kill_ns "$NS_MP"
	if [ -n "$skew" ]; then
		# libfaketime preloaded directly rather than through faketime(1):
		# the wrapper would stay as parent and leave shared memory in
		# /dev/shm when the lab kills it.
		fake=(LD_PRELOAD="$(faketime_lib)" FAKETIME="$skew" FAKETIME_DONT_FAKE_MONOTONIC=1)
	fi
	rm -f "$MPD/run/httpd.pid"
	start_daemon "$NS_MP" "$MPD/logs/httpd.out" env -i \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C \
		KRB5_CONFIG="$MPD/krb5.conf" KRB5_KTNAME="FILE:$MPD/mp.keytab" \
		KRB5RCACHEDIR="$MPD/rcache" ${fake[@]+"${fake[@]}"} \
		/usr/sbin/apache2 -f "$MPD/httpd.conf" -D "$define" -DFOREGROUND
	wait_listen "$NS_MP" tcp 80 "$DAEMON_PID" "$MPD/logs/httpd.out"
}

start_responder() {
	kill_ns "$NS_MP"
	start_daemon "$NS_MP" "$MPD/logs/responder.out" /usr/bin/python3 \
		"$MPD/responder.py" "$1" "$MP_IP" 80
	wait_listen "$NS_MP" tcp 80 "$DAEMON_PID" "$MPD/logs/responder.out"
}

# web.parent.lab: a plain web server beside the MP (200 on /, 404, 500, and
# a 401 Negotiate intranet page), the other traffic of a real client.
start_web() {
	kill_ns "$NS_WEB"
	mkdir -p "$WEBD"
	start_daemon "$NS_WEB" "$WEBD/web.out" /usr/bin/python3 \
		"$MPD/responder.py" web "$WEB_IP" 80
	wait_listen "$NS_WEB" tcp 80 "$DAEMON_PID" "$WEBD/web.out"
}

# --- scenarios ----------------------------------------------------------------
is_scenario() {
	local s
	for s in $SCENARIOS; do
		[ "$s" = "$1" ] && return 0
	done
	case $1 in hostile-*) hostile_parts "$1" >/dev/null && return 0 ;; esac
	return 1
}

# child_kdc_port PORT: the child's krb5kdc listens on PORT (UDP and TCP)
child_kdc_port() {
	kill_ns "$NS_KDCC"
	render kdc.conf.in "$KC/kdc.conf" REALM="$CHILD_REALM" DIR="$KC" PORT="$1"
	start_kdc "$NS_KDCC" "$KC" "$CHILD_REALM"
	wait_listen "$NS_KDCC" udp "$1" "$DAEMON_PID" "$KC/krb5kdc.out"
	wait_listen "$NS_KDCC" tcp "$1" "$DAEMON_PID" "$KC/krb5kdc.out"
}

# start_hostile ROLE MODE SCOPE: hostile.py in its namespace
start_hostile() {
	local role=$1 mode=$2 scope=$3 addr=$HOS_IP port up=""
	kill_ns "$NS_HOS"
	case $role in
	kdc) port=88 up=$KDCC_IP:88 ;;
	dns) port=53 up=$DNS_IP:53 addr=$HOS_DNS_IP ;;
	ldap) port=389 ;;
	esac
	# shellcheck disable=SC2086 # up and scope: none or one word each
	start_daemon "$NS_HOS" "$STATEDIR/hostile.out" /usr/bin/python3 \
		"$LAB_SRC/hostile.py" "$role" "$mode" "$addr" "$port" $up \
		${up:+$scope}
	wait_listen "$NS_HOS" tcp "$port" "$DAEMON_PID" "$STATEDIR/hostile.out"
}

# hostile_parts NAME: "ROLE MODE SCOPE" of hostile-ROLE-MODE[-SCOPE]
hostile_parts() {
	local rest=${1#hostile-} role mode scope=all modes
	role=${rest%%-*}
	rest=${rest#"$role"-}
	mode=${rest%%-*}
	[ "$rest" = "$mode" ] || scope=${rest#"$mode"-}
	case $role in
	kdc)
		modes=$HOSTILE_KDC_MODES
		case $scope in all | as | tgs) ;; *) return 1 ;; esac
		;;
	dns)
		modes=$HOSTILE_DNS_MODES
		case $scope in all | a | aaaa | ptr | srv) ;; *) return 1 ;; esac
		;;
	ldap)
		modes=$HOSTILE_LDAP_MODES
		[ "$scope" = all ] || return 1
		;;
	*) return 1 ;;
	esac
	case " $modes " in *" $mode "*) ;; *) return 1 ;; esac
	echo "$role $mode $scope"
}

child_kdc_up() {
	ip -n "$NS_SW" link set v-kdcc up
	if [ -z "$(ip netns pids "$NS_KDCC" 2>/dev/null)" ]; then
		start_kdc "$NS_KDCC" "$KC" "$CHILD_REALM"
		wait_listen "$NS_KDCC" udp 88 "$DAEMON_PID" "$KC/krb5kdc.out"
	fi
}

# Undo what scenario PREV changed (everything when PREV is unknown).
restore_from() {
	case $1 in
	healthy | client-skew | dns-unresolvable | cname-alias | no-trust-path) ;;
	spn-misbound | mp-key-stale | spn-missing | trust-broken)
		restore_kdc "$KP"
		;;
	mp-gone | wrong-ptr | no-kdc-srv)
		write_dns yes mp yes
		start_dns
		;;
	hosts-only)
		write_dns yes mp yes
		start_dns
		netns_etc "$NS_CLI" child.parent.lab
		;;
	search-list)
		netns_etc "$NS_CLI" child.parent.lab
		;;
	kdc-down | kdc-stopped)
		child_kdc_up
		;;
	kdc-port | kdc-port-conf)
		child_kdc_port 88
		write_dns yes mp yes
		start_dns
		;;
	hostile-*)
		kill_ns "$NS_HOS"
		restore_kdc "$KP"
		write_dns yes mp yes
		start_dns
		netns_etc "$NS_CLI" child.parent.lab
		;;
	mp-*)
		start_apache MP_GSSAPI
		;;
	*)
		restore_kdc "$KP"
		restore_kdc "$KC"
		kill_ns "$NS_HOS"
		netns_etc "$NS_CLI" child.parent.lab
		write_dns yes mp yes
		start_dns
		ip -n "$NS_SW" link set v-kdcc up
		child_kdc_port 88
		[ -n "$(ip netns pids "$NS_KDCP" 2>/dev/null)" ] ||
			{ start_kdc "$NS_KDCP" "$KP" "$PARENT_REALM" &&
				wait_listen "$NS_KDCP" udp 88 "$DAEMON_PID" "$KP/krb5kdc.out"; }
		[ -n "$(ip netns pids "$NS_KDCU" 2>/dev/null)" ] ||
			{ start_kdc "$NS_KDCU" "$KU" "$UNTRUSTED_REALM" &&
				wait_listen "$NS_KDCU" udp 88 "$DAEMON_PID" "$KU/krb5kdc.out"; }
		[ -n "$(ip netns pids "$NS_WEB" 2>/dev/null)" ] || start_web
		start_apache MP_GSSAPI
		;;
	esac
}

apply_scenario() {
	case $1 in
	healthy | client-skew | dns-unresolvable | cname-alias | no-trust-path) ;;
	spn-misbound)
		# HTTP/mp.parent.lab now has a key of its own (same kvno 1) that
		# the MP does not hold, as if the SPN sat on the user svc_reports.
		kadm "$KP" "$PARENT_REALM" <<EOF
delprinc -force HTTP/$MP_FQDN
addprinc -pw $SVC_REPORTS_PW HTTP/$MP_FQDN
EOF
		;;
	mp-key-stale)
		kadm "$KP" "$PARENT_REALM" <<EOF
cpw -randkey HTTP/$MP_FQDN
cpw -randkey host/$MP_FQDN
cpw -randkey HOST/$MP_FQDN
EOF
		;;
	spn-missing)
		kadm "$KP" "$PARENT_REALM" <<EOF
delprinc -force HTTP/$MP_FQDN
delprinc -force host/$MP_FQDN
delprinc -force HOST/$MP_FQDN
EOF
		;;
	trust-broken)
		# The parent's copy of the child->parent trust key is reset to
		# another password (same kvno 1): the child still issues referral
		# TGTs with the old key, the parent cannot decrypt them.
		kadm "$KP" "$PARENT_REALM" <<EOF
delprinc -force krbtgt/$PARENT_REALM@$CHILD_REALM
addprinc -e $ENCTYPES -pw $TRUST_PW_BROKEN krbtgt/$PARENT_REALM@$CHILD_REALM
EOF
		;;
	mp-skew) start_apache MP_GSSAPI "$MP_SKEW" ;;
	mp-gone)
		write_dns no mp yes
		start_dns
		;;
	hosts-only)
		# DNS forgets the MP (its PTR stays); only the client's own
		# hosts file knows the name, as on an engineer's laptop
		write_dns no mp yes
		echo "ptr-record=20.0.77.10.in-addr.arpa,$MP_FQDN" >>"$DNSD/dnsmasq.conf"
		start_dns
		printf '%s\t%s\n' "$MP_IP" "$MP_FQDN" >>"/etc/netns/$NS_CLI/hosts"
		;;
	search-list)
		# the client's resolver appends its own domain, then the
		# parent's, to a short name
		printf 'nameserver %s\nsearch child.parent.lab parent.lab\n' \
			"$DNS_IP" >"/etc/netns/$NS_CLI/resolv.conf"
		;;
	wrong-ptr)
		write_dns yes web yes
		start_dns
		;;
	no-kdc-srv)
		write_dns yes mp no
		start_dns
		;;
	kdc-down)
		# The KDC host drops off the network: its bridge port goes down,
		# nothing answers ARP, requests time out.
		ip -n "$NS_SW" link set v-kdcc down
		;;
	kdc-stopped) kill_ns "$NS_KDCC" ;;
	mp-no-negotiate) start_apache MP_NTLM ;;
	mp-anonymous) start_apache MP_ANONYMOUS ;;
	mp-not-mp) start_apache MP_NOTMP ;;
	mp-garbage) start_apache MP_GARBAGE ;;
	mp-hang) start_responder hang ;;
	mp-bigheader) start_responder bigheader ;;
	mp-closed) kill_ns "$NS_MP" ;;
	kdc-port)
		# the child KDC on another port: the SRV records say so
		# (KRB5_CONFIG_KDC_PORT names it in krb5.conf instead)
		child_kdc_port "$ODD_KDC_PORT"
		write_dns yes mp odd
		start_dns
		;;
	kdc-port-conf)
		# ... and only krb5.conf says so (KRB5_CONFIG_KDC_PORT): the SRV
		# records still name port 88, where nothing listens now
		child_kdc_port "$ODD_KDC_PORT"
		;;
	# shellcheck disable=SC2046 # three words
	hostile-*) apply_hostile $(hostile_parts "$1") ;;
	*) die "unknown scenario: $1" ;;
	esac
}

# apply_hostile ROLE MODE SCOPE
apply_hostile() {
	case $1 in
	kdc)
		start_hostile kdc "$2" "$3"
		write_dns yes mp hostile
		start_dns
		;;
	dns)
		start_hostile dns "$2" "$3"
		printf 'nameserver %s\nsearch child.parent.lab\n' \
			"$HOS_DNS_IP" >"/etc/netns/$NS_CLI/resolv.conf"
		;;
	ldap)
		echo "addprinc -randkey ldap/$HOS_LDAP_FQDN" | kadm "$KP" "$PARENT_REALM"
		start_hostile ldap "$2" "$3"
		write_dns yes mp yes yes
		start_dns
		;;
	esac
}

do_scenario() {
	local name=$1 prev
	is_scenario "$name" || die "unknown scenario: $name (see: lab.sh list)"
	resolve_statedir
	set_paths
	if ! ns_exists "$NS_CLI" || [ ! -f "$STATEDIR/$MARKER" ]; then
		die "no lab is up (run: lab.sh up)"
	fi
	prev=$(cat "$SCEN_FILE" 2>/dev/null || echo unknown)
	echo "switching" >"$SCEN_FILE"
	restore_from "$prev"
	rm -f "$CLID"/ccache*
	apply_scenario "$name"
	echo "$name" >"$SCEN_FILE"
}

# --- up -----------------------------------------------------------------------
check_tools() {
	local t missing=""
	for t in ip ss kdb5_util kadmin.local krb5kdc dnsmasq /usr/sbin/apache2 \
		/usr/lib/apache2/modules/mod_auth_gssapi.so /usr/bin/python3 faketime setsid flock; do
		command -v "$t" >/dev/null 2>&1 || [ -e "$t" ] || missing="$missing $t"
	done
	[ -z "$missing" ] || die "missing:$missing (install the packages in $LAB_SRC/PACKAGES)"
	for t in kdc.conf.in krb5-kdc.conf.in krb5-kdc-untrusted.conf.in krb5-client.conf.in \
		krb5-mp.conf.in dnsmasq.conf.in httpd.conf.in responder.py hostile.py mp-windowsauth.cgi \
		mp-ccm_system.cgi mp-ntlm-only.cgi mp-garbage.cgi mp-fleet.lua; do
		[ -f "$LAB_SRC/$t" ] || missing="$missing $t"
	done
	[ -z "$missing" ] || die "missing next to lab.sh:$missing"
	[ "$(id -u)" = 0 ] || die "must run as root"
}

do_up() {
	local sd=${1:-${CCMDIAG_LAB_DIR:-$DEFAULT_STATEDIR}}
	check_tools
	case $sd in
	/*) ;;
	*) sd=$(pwd)/$sd ;;
	esac
	case $sd in
	*[!A-Za-z0-9/._+-]*) die "STATEDIR may contain only letters, digits and /._+-" ;;
	/ | /tmp | /tmp/) die "refusing STATEDIR $sd" ;;
	esac
	do_down
	if [ -e "$sd" ] && [ ! -f "$sd/$MARKER" ] && [ -n "$(ls -A "$sd" 2>/dev/null)" ]; then
		die "$sd exists, is not empty and is no lab directory"
	fi
	rm -rf "$sd"
	STATEDIR=$sd
	set_paths
	# On failure tear down what was built (CCMDIAG_LAB_KEEP=1 keeps it for
	# a post-mortem; "lab.sh down" removes it later).
	# shellcheck disable=SC2154 # rc is set inside the trap
	trap 'rc=$?; if [ $rc -ne 0 ] && [ -z "${CCMDIAG_LAB_KEEP:-}" ]; then
		do_down >/dev/null 2>&1; fi; exit $rc' EXIT
	trap 'exit 130' INT TERM HUP
	mkdir -p "$STATEDIR"
	chmod 755 "$STATEDIR"
	: >"$STATEDIR/$MARKER"
	mkdir -p "$DNSD"
	echo "switching" >"$SCEN_FILE"

	build_net
	build_realms
	build_mp
	write_dns yes mp yes

	local pd pp pc pu
	start_daemon "$NS_DNS" "$DNSD/dnsmasq.out" dnsmasq --keep-in-foreground \
		--conf-file="$DNSD/dnsmasq.conf"
	pd=$DAEMON_PID
	start_kdc "$NS_KDCP" "$KP" "$PARENT_REALM"
	pp=$DAEMON_PID
	start_kdc "$NS_KDCC" "$KC" "$CHILD_REALM"
	pc=$DAEMON_PID
	start_kdc "$NS_KDCU" "$KU" "$UNTRUSTED_REALM"
	pu=$DAEMON_PID
	start_apache MP_GSSAPI
	start_web
	wait_listen "$NS_DNS" udp 53 $pd "$DNSD/dnsmasq.out"
	wait_listen "$NS_KDCP" udp 88 $pp "$KP/krb5kdc.out"
	wait_listen "$NS_KDCC" udp 88 $pc "$KC/krb5kdc.out"
	wait_listen "$NS_KDCU" udp 88 $pu "$KU/krb5kdc.out"
	wait_listen "$NS_KDCP" tcp 88 $pp "$KP/krb5kdc.out"
	wait_listen "$NS_KDCC" tcp 88 $pc "$KC/krb5kdc.out"
	wait_listen "$NS_KDCU" tcp 88 $pu "$KU/krb5kdc.out"
	echo healthy >"$SCEN_FILE"
	trap - EXIT INT TERM HUP
	echo "lab up in $STATEDIR"
}

# --- env / run ------------------------------------------------------------------
print_env() {
	local scen target finding kconf keytab princ realm skew=""
	resolve_statedir
	set_paths
	[ -f "$STATEDIR/$MARKER" ] || die "no lab is up (run: lab.sh up)"
	scen=$(cat "$SCEN_FILE" 2>/dev/null || echo unknown)
	kconf=$CLID/krb5.conf keytab=$CLID/ws01.keytab princ=$CLIENT_PRINCIPAL realm=$CHILD_REALM
	target=$MP_FQDN
	case $scen in
	healthy) finding="" ;;
	spn-misbound | mp-key-stale | spn-missing | trust-broken | mp-no-negotiate | mp-not-mp)
		finding=$scen ;;
	no-trust-path)
		finding=no-trust-path
		kconf=$CLID/krb5-untrusted.conf keytab=$CLID/ws99.keytab
		princ=$UNTRUSTED_PRINCIPAL realm=$UNTRUSTED_REALM
		;;
	client-skew) finding=clock-skew skew=$CLIENT_SKEW ;;
	mp-skew) finding=clock-skew-mp ;;
	dns-unresolvable) finding=dns-no-address target=$NOSUCH_FQDN ;;
	mp-gone) finding=dns-no-address ;;
	cname-alias) finding=dns-cname-alias target=$MP_ALIAS ;;
	wrong-ptr) finding=dns-ptr-other-host ;;
	no-kdc-srv) finding=dns-no-kdc-srv ;;
	kdc-down | kdc-stopped) finding=kdc-unreachable ;;
	kdc-port) finding="" ;;
	kdc-port-conf) finding=kdc-unreachable ;;
	mp-anonymous) finding="mp-anonymous-accepted" ;;
	mp-hang) finding="mp-no-answer" ;;
	mp-closed) finding="mp-unreachable" ;;
	hosts-only) finding="dns-hosts-file-only" ;;
	search-list) finding="" target=mp ;;
	mp-garbage | mp-bigheader) finding="mp-protocol-error" ;;
	*) finding="" ;;
	esac
	local v
	for v in \
		"STATEDIR=$STATEDIR" \
		"SCENARIO=$scen" \
		"EXPECT_FINDING=$finding" \
		"TARGET=$target" \
		"CLIENT_NS=$NS_CLI" \
		"CLIENT_IP=$CLI_IP" \
		"KRB5_CONFIG=$kconf" \
		"KRB5CCNAME=FILE:$CLID/ccache" \
		"CLIENT_KEYTAB=$keytab" \
		"CLIENT_PRINCIPAL=$princ" \
		"CLIENT_REALM=$realm" \
		"CLIENT_FAKETIME=$skew" \
		"KRB5_CONFIG_NO_TIMESYNC=$CLID/krb5-notimesync.conf" \
		"KRB5_CONFIG_MIT_DEFAULTS=$CLID/krb5-mitdefaults.conf" \
		"KRB5_CONFIG_KDC_PORT=$CLID/krb5-kdcport.conf" \
		"ODD_KDC_PORT=$ODD_KDC_PORT" \
		"HOSTILE_IP=$HOS_IP" \
		"HOSTILE_DNS_IP=$HOS_DNS_IP" \
		"HOSTILE_KDC_FQDN=$HOS_KDC_FQDN" \
		"HOSTILE_LDAP_FQDN=$HOS_LDAP_FQDN" \
		"TRUSTED_KRB5_CONFIG=$CLID/krb5.conf" \
		"TRUSTED_KEYTAB=$CLID/ws01.keytab" \
		"TRUSTED_PRINCIPAL=$CLIENT_PRINCIPAL" \
		"UNTRUSTED_KRB5_CONFIG=$CLID/krb5-untrusted.conf" \
		"UNTRUSTED_KEYTAB=$CLID/ws99.keytab" \
		"UNTRUSTED_PRINCIPAL=$UNTRUSTED_PRINCIPAL" \
		"CLIENT_USER=$CLIENT_USER" \
		"CLIENT_USER_PASSWORD=$CLIENT_USER_PASSWORD" \
		"MP_NS=$NS_MP" \
		"MP_FQDN=$MP_FQDN" \
		"MP_ALIAS=$MP_ALIAS" \
		"MP_IP=$MP_IP" \
		"MP_PORT=80" \
		"MP_URL=http://$MP_FQDN/ccm_system_windowsauth/request" \
		"MP_KEYTAB=$MPD/mp.keytab" \
		"MP_ERROR_LOG=$MPD/logs/error.log" \
		"MP_CA=$MPD/tls/mp.crt" \
		"MP_SIGNING_CERT=$MPD/sign/mp-signing.crt" \
		"MP_WRONG_SIGNING_CERT=$MPD/sign/wrong-signing.crt" \
		"MP_NATIVE_PORT=8443" \
		"LAB_CA=$MPD/pki/ca.crt" \
		"LAB_CRL=$MPD/pki/ca.crl" \
		"LAB_CRL_MP_REVOKED=$MPD/pki/ca-mp-revoked.crl" \
		"CLIENT_CERT=$MPD/pki/client.crt" \
		"CLIENT_KEY=$MPD/pki/client.key" \
		"CLIENT_P12=$MPD/pki/client.p12" \
		"CLIENT_P12_PASSWORD=lab" \
		"REVOKED_CERT=$MPD/pki/revoked.crt" \
		"REVOKED_KEY=$MPD/pki/revoked.key" \
		"MP_ACCESS_LOG=$MPD/logs/access.log" \
		"MP_SKEW=$MP_SKEW" \
		"WEB_FQDN=$WEB_FQDN" \
		"WEB_IP=$WEB_IP" \
		"WEB_NS=$NS_WEB" \
		"WEB_URL=http://$WEB_FQDN/" \
		"WEB_LOG=$WEBD/web.out" \
		"CLIENT2_IP=$CLI2_IP" \
		"CLIENT3_IP=$CLI3_IP" \
		"CLIENT3_KEYTAB=$CLID/ws02.keytab" \
		"CLIENT3_PRINCIPAL=$CLIENT3_PRINCIPAL" \
		"NOSUCH_FQDN=$NOSUCH_FQDN" \
		"DNS_NS=$NS_DNS" \
		"DNS_IP=$DNS_IP" \
		"DNS_LOG=$DNSD/dnsmasq.log" \
		"PARENT_REALM=$PARENT_REALM" \
		"CHILD_REALM=$CHILD_REALM" \
		"UNTRUSTED_REALM=$UNTRUSTED_REALM" \
		"KDC_PARENT_NS=$NS_KDCP" \
		"KDC_PARENT_IP=$KDCP_IP" \
		"KDC_PARENT_HOST=kdc.parent.lab" \
		"KDC_PARENT_LOG=$KP/kdc.log" \
		"KDC_CHILD_NS=$NS_KDCC" \
		"KDC_CHILD_IP=$KDCC_IP" \
		"KDC_CHILD_HOST=kdc.child.parent.lab" \
		"KDC_CHILD_LOG=$KC/kdc.log" \
		"KDC_UNTRUSTED_NS=$NS_KDCU" \
		"KDC_UNTRUSTED_IP=$KDCU_IP" \
		"KDC_UNTRUSTED_HOST=kdc.untrusted.lab" \
		"KDC_UNTRUSTED_LOG=$KU/kdc.log"; do
		printf "%s='%s'\n" "${v%%=*}" "${v#*=}"
	done
	fleet_env
}

do_run() {
	[ $# -gt 0 ] || die "usage: lab.sh run CMD..."
	local envtext
	envtext=$(print_env) || exit 1
	set -a
	eval "$envtext"
	set +a
	ns_exists "$NS_CLI" || die "no lab is up (run: lab.sh up)"
	exec ip netns exec "$NS_CLI" "$@"
}

# --- main ---------------------------------------------------------------------
lock() {
	exec 9<"$LAB_SRC/lab.sh"
	flock 9
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case $cmd in
up)
	[ $# -le 1 ] || usage
	lock
	do_up "$@"
	;;
down)
	[ $# -eq 0 ] || usage
	lock
	do_down
	;;
scenario)
	[ $# -eq 1 ] || usage
	lock
	do_scenario "$1"
	;;
env)
	[ $# -eq 0 ] || usage
	print_env
	;;
fleet)
	[ $# -eq 0 ] || usage
	lock
	do_fleet
	;;
run) do_run "$@" ;;
list)
	for s in $SCENARIOS; do
		echo "$s"
	done
	for s in $HOSTILE_KDC_MODES; do echo "hostile-kdc-$s"; done
	for s in $HOSTILE_DNS_MODES; do echo "hostile-dns-$s"; done
	for s in $HOSTILE_LDAP_MODES; do echo "hostile-ldap-$s"; done
	;;
-h | --help | help) usage ;;
*) usage ;;
esac
