#!/bin/bash
# samba.sh - a Samba Active Directory lab for ccmdiag's directory checks.
#
#   samba.sh up [STATEDIR]   provision two AD domains, start everything, "healthy"
#   samba.sh scenario NAME   switch the running lab to scenario NAME
#   samba.sh down            stop everything, remove namespaces and state
#   samba.sh env             print the variables a caller needs (sourceable)
#   samba.sh run CMD...      run CMD in the client namespace with that environment
#   samba.sh list            print the scenario names
#
# Namespaces cad-* on 10.78.0.0/24, apart from lab.sh's ccm-* (10.77.0.0/24),
# so both labs can run at once. Each Samba DC runs in its own network
# namespace and its own mount namespace, with its own /run/samba bound over
# the real one (smbd finds winbindd through a fixed socket path there) and
# /etc/{resolv.conf,hosts,krb5.conf} from /etc/netns/cad-dcN/. STATEDIR
# defaults to $CCMDIAG_SAMBA_DIR or /tmp/ccmdiag-samba. Runs as root; changes
# nothing outside its namespaces, /etc/netns/cad-*/ and STATEDIR.
set -eu

LAB_SRC=$(cd "$(dirname "$0")" && pwd)
LAB_NAME=samba.sh
# CCMDIAG_SAMBA_NS (default cad) names the namespaces, so that several
# labs can run side by side (each with its own STATEDIR).
NS_PREFIX=${CCMDIAG_SAMBA_NS:-cad}
case $NS_PREFIX in *[!a-z0-9]* | "") echo "samba.sh: CCMDIAG_SAMBA_NS must be [a-z0-9]+" >&2; exit 2 ;; esac
# shellcheck source=tests/lab/common.sh
. "$LAB_SRC/common.sh"
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
export LC_ALL=C

NS_SW=$NS_PREFIX-sw
NS_DNS=$NS_PREFIX-dns
NS_DC1=$NS_PREFIX-dc1
NS_DC2=$NS_PREFIX-dc2
NS_MP=$NS_PREFIX-mp
NS_CLI=$NS_PREFIX-cli
HOST_NAMESPACES="$NS_CLI $NS_MP $NS_DC1 $NS_DC2 $NS_DNS"
ALL_NAMESPACES="$HOST_NAMESPACES $NS_SW"

DNS_IP=10.78.0.2
DC1_IP=10.78.0.10
DC2_IP=10.78.0.11
MP_IP=10.78.0.20
CLI_IP=10.78.0.30
CLI2_IP=10.78.0.31

REALM1=AD.LAB
DOMAIN1=ad.lab
REALM2=OTHER.LAB
DOMAIN2=other.lab
MP_FQDN=mp.$DOMAIN1
ALIAS_FQDN=sccm.$DOMAIN1
CLIENT_PRINCIPAL="WS01\$@$REALM1"
OTHER_PRINCIPAL="WS02\$@$REALM2"
# Lab-only secrets; nothing here protects anything real.
ADMIN_PW='Lab-Admin-Pw1!'
USER_PW='Lab-User-Pw1!'

SCENARIOS="healthy spn-misbound spn-duplicate spn-missing trust-external
trust-forest ldap-closed mp-key-stale enctype-unsupported"

MARKER=.ccmdiag-samba


usage() {
	sed -n '4,9s/^# \{0,1\}//p' "$0" >&2
	exit 2
}



resolve_statedir() {
	local sd=""
	if ns_exists "$NS_SW"; then
		sd=$(ip -n "$NS_SW" -d link show br0 2>/dev/null |
			sed -n 's/^ *alias //p' | head -n 1)
	fi
	[ -n "$sd" ] || sd=${CCMDIAG_SAMBA_DIR:-/tmp/ccmdiag-samba}
	STATEDIR=$sd
}

set_paths() {
	D1=$STATEDIR/dc1
	D2=$STATEDIR/dc2
	DNSD=$STATEDIR/dns
	MPD=$STATEDIR/mp
	CLID=$STATEDIR/cli
	SCEN_FILE=$STATEDIR/scenario
}





do_down() {
	local ns sd pid i=0
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
	for sd in "$STATEDIR" "${CCMDIAG_SAMBA_DIR:-/tmp/ccmdiag-samba}"; do
		[ -f "$sd/$MARKER" ] && rm -rf "$sd"
	done
	reap_killed
	set -e
	return 0
}

# --- network ----------------------------------------------------------------
# netns_etc NS SEARCH HOSTLINE: resolv.conf, hosts, nsswitch.conf, krb5.conf
netns_etc() {
	local ns=$1 search=$2 hostline=${3:-}
	mkdir -p "/etc/netns/$ns"
	printf 'nameserver %s\nsearch %s\n' "$DNS_IP" "$search" >"/etc/netns/$ns/resolv.conf"
	{
		printf '127.0.0.1\tlocalhost\n'
		[ -z "$hostline" ] || printf '%s\n' "$hostline"
	} >"/etc/netns/$ns/hosts"
	printf '%s\n' 'passwd: files' 'group: files' 'shadow: files' \
		'hosts: files dns' 'networks: files' 'protocols: files' \
		'services: files' 'ethers: files' 'rpc: files' \
		>"/etc/netns/$ns/nsswitch.conf"
	: >"/etc/netns/$ns/krb5.conf"
}

build_net() {
	ip netns add "$NS_SW"
	nsx "$NS_SW" sh -c 'echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6;
		echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6'
	ip -n "$NS_SW" link add br0 type bridge forward_delay 0
	ip -n "$NS_SW" link set br0 alias "$STATEDIR"
	ip -n "$NS_SW" link set br0 up
	add_host_ns dns "$DNS_IP"
	add_host_ns dc1 "$DC1_IP"
	add_host_ns dc2 "$DC2_IP"
	add_host_ns mp "$MP_IP"
	add_host_ns cli "$CLI_IP"
	ip -n "$NS_CLI" addr add "$CLI2_IP/24" dev eth0
	if [ ! -d /etc/netns ]; then
		mkdir -p /etc/netns
		: >/etc/netns/$MARKER
	fi
	netns_etc "$NS_DNS" "$DOMAIN1"
	netns_etc "$NS_DC1" "$DOMAIN1" "$DC1_IP	dc1.$DOMAIN1 dc1"
	netns_etc "$NS_DC2" "$DOMAIN2" "$DC2_IP	dc2.$DOMAIN2 dc2"
	netns_etc "$NS_MP" "$DOMAIN1"
	netns_etc "$NS_CLI" "$DOMAIN1"
}

# --- DNS: one forwarder that knows which DC serves which zone ---------------
start_dns() {
	cat >"$DNSD/dnsmasq.conf" <<EOF
no-resolv
no-hosts
bind-interfaces
listen-address=$DNS_IP
log-queries
log-facility=$DNSD/dnsmasq.log
cache-size=0
server=/$DOMAIN1/$DC1_IP
server=/$DOMAIN2/$DC2_IP
local=/0.78.10.in-addr.arpa/
host-record=dns.$DOMAIN1,$DNS_IP
EOF
	start_daemon "$NS_DNS" "$DNSD/dnsmasq.out" dnsmasq --keep-in-foreground \
		--conf-file="$DNSD/dnsmasq.conf"
	wait_listen "$NS_DNS" udp 53 "$DAEMON_PID" "$DNSD/dnsmasq.out"
}

# --- the domain controllers --------------------------------------------------
# dc_exec N CMD...: CMD in DC N's network and (private) mount namespace.
dc_exec() {
	local n=$1 d
	shift
	d=$STATEDIR/dc$n
	ip netns exec "$NS_PREFIX-dc$n" unshare -m --propagation private sh -c \
		'mount --bind "$0/run" /run/samba && exec "$@"' "$d" "$@"
}

# samba-tool against DC N's own database (no network needed).
stool() {
	local n=$1
	shift
	dc_exec "$n" samba-tool "$@" -s "$STATEDIR/dc$n/etc/smb.conf"
}

machine_pw() {
	printf 'Mach-%s-Pw1!' "$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
}

provision() {
	local n=$1 realm=$2 dom=$3 ip=$4 d=$STATEDIR/dc$1
	samba-tool domain provision --realm="$realm" --domain="${realm%%.*}" \
		--server-role=dc --dns-backend=SAMBA_INTERNAL \
		--adminpass="$ADMIN_PW" --host-name="dc$n" --host-ip="$ip" \
		--targetdir="$d" --option="dns forwarder = $DNS_IP" \
		--option="log file = $d/log.%m" --option="logging = file" \
		--option="interfaces = $ip" --option="bind interfaces only = yes" \
		>"$d.provision.log" 2>&1 ||
		die "provisioning $realm failed: $(tail -n 3 "$d.provision.log")"
	mkdir -p "$d/run"
	cp "$d/private/krb5.conf" "/etc/netns/$NS_PREFIX-dc$n/krb5.conf"
}

start_dc() {
	local n=$1 ip=$2 d=$STATEDIR/dc$1
	start_daemon "$NS_PREFIX-dc$n" "$d/samba.out" unshare -m --propagation private \
		sh -c 'mount --bind "$0/run" /run/samba && exec samba --foreground --no-process-group -s "$0/etc/smb.conf" "$@"' \
		"$d" "${@:3}"
	wait_listen "$NS_PREFIX-dc$n" tcp 88 "$DAEMON_PID" "$d/samba.out" 60
	wait_listen "$NS_PREFIX-dc$n" tcp 389 "$DAEMON_PID" "$d/samba.out" 60
	wait_listen "$NS_PREFIX-dc$n" udp 53 "$DAEMON_PID" "$d/samba.out" 60
}

stop_dc() {
	kill_ns "$NS_PREFIX-dc$1"
}

# Accounts: the MP and the client as computers with keytabs, the users
# that TechNet wiki 469's case needs (docs/design.md).
build_accounts() {
	stool 1 computer add MP --ip-address="$MP_IP" \
		--service-principal-name="HOST/$MP_FQDN" \
		--service-principal-name="HOST/mp" -U Administrator --password="$ADMIN_PW" \
		-H "ldap://dc1.$DOMAIN1" >/dev/null
	stool 1 computer add WS01 -U Administrator --password="$ADMIN_PW" \
		-H "ldap://dc1.$DOMAIN1" >/dev/null
	stool 1 computer add SCCM2 --service-principal-name="HOST/sccm2.$DOMAIN1" \
		-U Administrator --password="$ADMIN_PW" -H "ldap://dc1.$DOMAIN1" >/dev/null
	stool 1 user add svc_reports "$USER_PW" >/dev/null
	stool 1 dns add "dc1.$DOMAIN1" "$DOMAIN1" "${ALIAS_FQDN%%.*}" A "$MP_IP" \
		-U Administrator --password="$ADMIN_PW" >/dev/null
	stool 2 computer add WS02 -U Administrator --password="$ADMIN_PW" \
		-H "ldap://dc2.$DOMAIN2" >/dev/null
	# "computer add" leaves no password, hence no keys: set random ones
	local a
	for a in 'MP$' 'WS01$' 'SCCM2$'; do
		stool 1 user setpassword "$a" --newpassword="$(machine_pw)" >/dev/null
	done
	stool 2 user setpassword 'WS02$' --newpassword="$(machine_pw)" >/dev/null
	mkdir -p "$MPD" "$CLID"
	mp_keytab
	stool 1 domain exportkeytab "$CLID/ws01.keytab" --principal='WS01$' >/dev/null
	stool 2 domain exportkeytab "$CLID/ws02.keytab" --principal='WS02$' >/dev/null
}

# mp_keytab: the MP's keytab afresh from MP$'s current keys
mp_keytab() {
	mkdir -p "$MPD"
	rm -f "$MPD/mp.keytab"
	stool 1 domain exportkeytab "$MPD/mp.keytab" --principal='MP$' >/dev/null
	stool 1 domain exportkeytab "$MPD/mp.keytab" --principal="HOST/$MP_FQDN" >/dev/null
	if getent group www-data >/dev/null; then
		chgrp www-data "$MPD/mp.keytab"
	fi
	chmod 640 "$MPD/mp.keytab"
}

# mp_keytab_aes: drop the MP keytab's RC4 keys (an MP set up for AES only)
mp_keytab_aes() {
	local slots s cmds=""
	slots=$(printf 'rkt %s\nlist -e\n' "$MPD/mp.keytab" | ktutil 2>/dev/null |
		awk '$1 ~ /^[0-9]+$/ && /arcfour|rc4/ { print $1 }' | sort -rn)
	for s in $slots; do
		cmds="${cmds}delent $s\n"
	done
	rm -f "$MPD/mp.keytab.aes"
	printf "rkt %s\n${cmds}wkt %s\n" "$MPD/mp.keytab" "$MPD/mp.keytab.aes" |
		ktutil >/dev/null
	[ -s "$MPD/mp.keytab.aes" ] || die "ktutil wrote no AES keytab"
	mv -f "$MPD/mp.keytab.aes" "$MPD/mp.keytab"
	chgrp www-data "$MPD/mp.keytab"
	chmod 640 "$MPD/mp.keytab"
}

# --- the MP: Apache + mod_auth_gssapi with the MP computer's keys ------------
build_mp() {
	mkdir -p "$MPD/logs" "$MPD/run" "$MPD/htdocs" "$MPD/cgi" "$MPD/rcache"
	cp "$LAB_SRC"/mp-*.cgi "$MPD/cgi/"
	chmod 755 "$MPD/cgi"/*.cgi
	render httpd.conf.in "$MPD/httpd.conf" DIR="$MPD" MP_IP="$MP_IP"
	sed -i "s/mp\.parent\.lab/$MP_FQDN/g" "$MPD/httpd.conf"
	render krb5-mp.conf.in "$MPD/krb5.conf" DIR="$MPD"
	sed -i -e "s/PARENT\.LAB/$REALM1/g" -e "s/parent\.lab/$DOMAIN1/g" \
		-e "s/10\.77\.0\.10/$DC1_IP/g" "$MPD/krb5.conf"
	chgrp www-data "$MPD/mp.keytab"
	chmod 640 "$MPD/mp.keytab"
	chown www-data:www-data "$MPD/rcache"
	chmod 700 "$MPD/rcache"
}

start_apache() {
	kill_ns "$NS_MP"
	rm -f "$MPD/run/httpd.pid"
	start_daemon "$NS_MP" "$MPD/logs/httpd.out" env -i \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C \
		KRB5_CONFIG="$MPD/krb5.conf" KRB5_KTNAME="FILE:$MPD/mp.keytab" \
		KRB5RCACHEDIR="$MPD/rcache" \
		/usr/sbin/apache2 -f "$MPD/httpd.conf" -D MP_GSSAPI -DFOREGROUND
	wait_listen "$NS_MP" tcp 80 "$DAEMON_PID" "$MPD/logs/httpd.out"
}

build_client() {
	local c="CCACHE=$CLID/ccache"
	render krb5-client.conf.in "$CLID/krb5.conf" REALM="$REALM1" "$c" \
		RDNS=false CANON=false TIMESYNC=1
	render krb5-client.conf.in "$CLID/krb5-other.conf" REALM="$REALM2" "$c" \
		RDNS=false CANON=false TIMESYNC=1
}

# --- scenarios ----------------------------------------------------------------
is_scenario() {
	local s
	for s in $SCENARIOS; do
		[ "$s" = "$1" ] && return 0
	done
	return 1
}

# The final validation may fail right after a trust was deleted and made
# again (WERR_ACCOUNT_DISABLED from the cached secure channel) although
# both TDOs, keys and forest information are written: accept the trust
# when "trust show" finds it. (--skip-validation also skips writing
# msDS-TrustForestTrustInfo, so it is not used.)
trust_create() {
	dc_exec 1 samba-tool domain trust create "$DOMAIN2" --type="$1" \
		--direction=both --create-location=both \
		-U "Administrator@$REALM2" --password="$ADMIN_PW" \
		--local-dc-username=Administrator --local-dc-password="$ADMIN_PW" \
		--local-dc-ipaddress="$DC1_IP" -s "$D1/etc/smb.conf" >>"$STATEDIR/trust.log" 2>&1 ||
		stool 1 domain trust show "$DOMAIN2" --local-dc-username=Administrator \
			--local-dc-password="$ADMIN_PW" --local-dc-ipaddress="$DC1_IP" \
			>>"$STATEDIR/trust.log" 2>&1 ||
		die "trust create --type=$1 failed: $(tail -n 3 "$STATEDIR/trust.log")"
}

trust_delete() {
	dc_exec 1 samba-tool domain trust delete "$DOMAIN2" --delete-location=both \
		-U "Administrator@$REALM2" --password="$ADMIN_PW" \
		--local-dc-username=Administrator --local-dc-password="$ADMIN_PW" \
		--local-dc-ipaddress="$DC1_IP" -s "$D1/etc/smb.conf" >>"$STATEDIR/trust.log" 2>&1 || :
}

# Undo what scenario PREV changed.
restore_from() {
	case $1 in
	healthy) ;;
	spn-misbound)
		stool 1 spn delete "HTTP/$MP_FQDN" svc_reports >/dev/null
		;;
	spn-duplicate)
		stool 1 spn delete "HOST/$MP_FQDN" 'SCCM2$' >/dev/null
		;;
	spn-missing) ;;
	trust-external | trust-forest)
		trust_delete
		;;
	ldap-closed)
		stop_dc 1
		start_dc 1 "$DC1_IP"
		;;
	mp-key-stale)
		# the MP catches up: its keytab from the directory's keys
		mp_keytab
		;;
	enctype-unsupported)
		# the attribute cleared, a password with every key, a keytab
		# with them
		ldbmodify -H "$D1/private/sam.ldb" >/dev/null <<EOF
dn: CN=MP,CN=Computers,DC=AD,DC=LAB
changetype: modify
delete: msDS-SupportedEncryptionTypes
EOF
		stool 1 user setpassword 'MP$' --newpassword="$(machine_pw)" >/dev/null
		mp_keytab
		;;
	*)
		die "cannot restore from unknown scenario '$1'"
		;;
	esac
}

apply() {
	case $1 in
	healthy) ;;
	spn-misbound)
		# TechNet wiki 469's case: HTTP/<mp> on a user account
		stool 1 spn add "HTTP/$MP_FQDN" svc_reports >/dev/null
		;;
	spn-duplicate)
		# HOST/<mp> on a second computer too; Samba refuses that through
		# samba-tool (unique SPN check), so write it below the modules
		dup_spn "HOST/$MP_FQDN" SCCM2
		;;
	spn-missing)
		# nothing changes: the client is given sccm.ad.lab (TARGET), a
		# name with an address and no account. (Taking the MP's SPNs
		# away does not do: Samba's KDC then finds MP$ by its name.)
		;;
	trust-external) trust_create external ;;
	trust-forest) trust_create forest ;;
	ldap-closed)
		# the DC without its LDAP server: Kerberos and DNS only
		stop_dc 1
		start_dc_noldap
		;;
	mp-key-stale)
		# MP$'s password reset in the directory (a restored snapshot, a
		# second machine joined under the same name): its kvno moves on,
		# the MP's keytab keeps the old key and cannot read the ticket
		stool 1 user setpassword 'MP$' --newpassword="$(machine_pw)" >/dev/null
		;;
	enctype-unsupported)
		# MP$ restricted to AES (msDS-SupportedEncryptionTypes 0x18)
		# and the MP's keytab to its AES keys, but the account's AES
		# keys are gone (no Primary:Kerberos-Newer-Keys, as for a
		# password last set before the domain made AES keys): Samba's
		# KDC falls back to the RC4 key (the NT hash) and issues an
		# RC4 ticket, outside the account's types; the MP has no RC4
		# key to read it with
		ldbmodify -H "$D1/private/sam.ldb" >/dev/null <<EOF
dn: CN=MP,CN=Computers,DC=AD,DC=LAB
changetype: modify
replace: msDS-SupportedEncryptionTypes
msDS-SupportedEncryptionTypes: 24
EOF
		mp_keytab_aes
		drop_supplemental MP
		;;
	esac
}

start_dc_noldap() {
	local d=$D1
	start_daemon "$NS_DC1" "$d/samba.out" unshare -m --propagation private \
		sh -c 'mount --bind "$0/run" /run/samba && exec samba --foreground --no-process-group -s "$0/etc/smb.conf" --option="server services = -ldap"' "$d"
	wait_listen "$NS_DC1" tcp 88 "$DAEMON_PID" "$d/samba.out" 60
	wait_listen "$NS_DC1" udp 53 "$DAEMON_PID" "$d/samba.out" 60
}

# mp_spns delete|replace VALUES: the MP computer's SPNs, through the modules.
mp_spns() {
	ldbmodify -H "$D1/private/sam.ldb" >/dev/null <<EOF
dn: CN=MP,CN=Computers,DC=AD,DC=LAB
changetype: modify
$1: servicePrincipalName
$2
EOF
}

# dup_spn SPN COMPUTER: add SPN to COMPUTER$ straight in the domain
# partition's ldb file, bypassing samldb's uniqueness check (AD itself lets
# it happen through replication or older tools).
dup_spn() {
	local spn=$1 acct=$2 part
	part=$(ls "$D1"/private/sam.ldb.d/DC=AD,DC=LAB.ldb)
	ldbmodify -H "tdb://$part" >/dev/null <<EOF
dn: CN=$acct,CN=Computers,DC=AD,DC=LAB
changetype: modify
add: servicePrincipalName
servicePrincipalName: $spn
EOF
}

# drop_supplemental COMPUTER: remove COMPUTER$'s supplementalCredentials
# (the AES keys) in the partition's ldb file; unicodePwd (the NT hash,
# the RC4 key) stays. password_hash would never allow it through the
# modules.
drop_supplemental() {
	local part
	part=$(ls "$D1"/private/sam.ldb.d/DC=AD,DC=LAB.ldb)
	ldbmodify -H "tdb://$part" >/dev/null <<EOF
dn: CN=$1,CN=Computers,DC=AD,DC=LAB
changetype: modify
delete: supplementalCredentials
EOF
}

do_scenario() {
	local name=$1 prev
	is_scenario "$name" || die "unknown scenario '$name' (samba.sh list)"
	prev=$(cat "$SCEN_FILE" 2>/dev/null || echo healthy)
	echo switching >"$SCEN_FILE"
	[ "$prev" = switching ] && die "a previous switch did not finish; run up again"
	if [ "$prev" != "$name" ]; then
		restore_from "$prev" || die "cannot leave scenario $prev"
		apply "$name" || die "cannot apply scenario $name"
	fi
	rm -f "$CLID/ccache"
	echo "$name" >"$SCEN_FILE"
}

do_env() {
	local s
	s=$(cat "$SCEN_FILE" 2>/dev/null || echo "")
	printf "STATEDIR='%s'\nSCENARIO='%s'\nCLIENT_NS='%s'\n" "$STATEDIR" "$s" "$NS_CLI"
	case $s in
	trust-*)
		printf "KRB5_CONFIG='%s'\nCLIENT_KEYTAB='%s'\nCLIENT_PRINCIPAL='%s'\nCLIENT_REALM='%s'\n" \
			"$CLID/krb5-other.conf" "$CLID/ws02.keytab" "$OTHER_PRINCIPAL" "$REALM2"
		;;
	*)
		printf "KRB5_CONFIG='%s'\nCLIENT_KEYTAB='%s'\nCLIENT_PRINCIPAL='%s'\nCLIENT_REALM='%s'\n" \
			"$CLID/krb5.conf" "$CLID/ws01.keytab" "$CLIENT_PRINCIPAL" "$REALM1"
		;;
	esac
	if [ "$s" = spn-missing ]; then
		printf "TARGET='%s'\n" "$ALIAS_FQDN"
	else
		printf "TARGET='%s'\n" "$MP_FQDN"
	fi
	printf "KRB5CCNAME='FILE:%s'\nMP_FQDN='%s'\nMP_IP='%s'\nMP_KEYTAB='%s'\n" \
		"$CLID/ccache" "$MP_FQDN" "$MP_IP" "$MPD/mp.keytab"
	printf "MP_ERROR_LOG='%s'\nDC1_IP='%s'\nDC2_IP='%s'\nREALM1='%s'\nREALM2='%s'\n" \
		"$MPD/logs/error.log" "$DC1_IP" "$DC2_IP" "$REALM1" "$REALM2"
	printf "ADMIN_PW='%s'\nDC1_SMBCONF='%s'\nDC2_SMBCONF='%s'\n" "$ADMIN_PW" \
		"$D1/etc/smb.conf" "$D2/etc/smb.conf"
}

do_up() {
	local sd=${1:-${CCMDIAG_SAMBA_DIR:-/tmp/ccmdiag-samba}} p1 p2 t0
	t0=$(date +%s.%N)
	for t in samba samba-tool ldbmodify dnsmasq unshare /usr/sbin/apache2; do
		command -v "$t" >/dev/null || die "$t is missing (tests/lab/PACKAGES)"
	done
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
	# shellcheck disable=SC2154
	trap 'rc=$?; if [ $rc -ne 0 ] && [ -z "${CCMDIAG_LAB_KEEP:-}" ]; then
		do_down >/dev/null 2>&1; fi; exit $rc' EXIT
	trap 'exit 130' INT TERM HUP
	mkdir -p "$STATEDIR" "$DNSD"
	chmod 755 "$STATEDIR"
	: >"$STATEDIR/$MARKER"
	echo switching >"$SCEN_FILE"

	build_net
	# the two forests provision in parallel (about 6 s each, unloaded)
	provision 1 "$REALM1" "$DOMAIN1" "$DC1_IP" &
	p1=$!
	provision 2 "$REALM2" "$DOMAIN2" "$DC2_IP" &
	p2=$!
	wait $p1 || die "provisioning $REALM1 failed"
	wait $p2 || die "provisioning $REALM2 failed"
	start_dns
	start_dc 1 "$DC1_IP"
	start_dc 2 "$DC2_IP"
	build_accounts
	build_mp
	build_client
	start_apache
	echo healthy >"$SCEN_FILE"
	trap - EXIT
	printf 'samba lab up in %s (%.1f s)\n' "$STATEDIR" \
		"$(echo "$(date +%s.%N) - $t0" | bc)"
}

do_run() {
	local envs
	envs=$(do_env)
	eval "$envs"
	export KRB5_CONFIG KRB5CCNAME CLIENT_KEYTAB CLIENT_PRINCIPAL CLIENT_REALM MP_FQDN
	exec ip netns exec "$NS_CLI" "$@"
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case $cmd in
list)
	for s in $SCENARIOS; do echo "$s"; done
	exit 0
	;;
esac
[ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
exec 9<"$0"
case $cmd in
up)
	flock 9
	do_up "$@"
	;;
down)
	flock 9
	do_down
	;;
scenario)
	[ $# = 1 ] || usage
	flock 9
	resolve_statedir
	set_paths
	ns_exists "$NS_SW" || die "the samba lab is not up"
	do_scenario "$1"
	;;
env)
	resolve_statedir
	set_paths
	do_env
	;;
run)
	[ $# -ge 1 ] || usage
	resolve_statedir
	set_paths
	exec 9<&-
	do_run "$@"
	;;
*)
	usage
	;;
esac
