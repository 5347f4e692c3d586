# fleetlab.sh - the lab's fleet of management points, for `ccmdiag fleet`
# (sourced by lab.sh; `lab.sh fleet` builds it on a lab that is up, in
# scenario healthy).  Namespace $NS_PREFIX-mpf, one address per MP (its
# PTR names it, as a real MP's does):
#
#   10.77.0.1NN  httpd "fleet": mpNN.parent.lab (NN 01..$FLEET_N, at most
#                99), healthy (each its own HTTP/ SPN, keys in fleet.keytab)
#   10.77.0.60   the same httpd: mpspn.parent.lab, whose SPN's key the KDC
#                changed while the MP kept the old one (same kvno):
#                spn-misbound
#   10.77.0.61   httpd "skew" under libfaketime $MP_SKEW: mpskew.parent.lab,
#                clock-skew-mp
#   mpgone.parent.lab has no DNS record: dns-no-address
#
# and a client of the parent realm, WS10$@PARENT.LAB (cli/ws10.keytab),
# beside WS01$/WS02$ of the child realm and WS99$ of the untrusted one; and
# the keys of the user alice@CHILD.PARENT.LAB (cli/alice.keytab), to act as
# a user (identity-not-machine, a warning).
# The principals go into the parent KDC's healthy dump, the names into
# dns/fleet.hosts (dnsmasq's addn-hosts): scenarios that restore either
# keep them.  Building takes about a second; it is done once per lab.
# The fleet's httpds answer CCM_POST with mod_lua (mp-fleet.lua) in their own
# process, as an IIS MP does, rather than with a CGI process per request.

FLEET_SPN_IP=10.77.0.60
FLEET_SKEW_IP=10.77.0.61
FLEET_N=${CCMDIAG_FLEET_N:-24}
FLEET_SPN_MP=mpspn.parent.lab
FLEET_SKEW_MP=mpskew.parent.lab
FLEET_GONE_MP=mpgone.parent.lab
PARENT_CLIENT_PRINCIPAL='WS10$@PARENT.LAB'

# NAME ADDRESS of every MP that has one
fleet_hosts() {
	local i
	for i in $(seq -w 1 "$FLEET_N"); do
		echo "mp$i.parent.lab 10.77.0.1$i"
	done
	echo "$FLEET_SPN_MP $FLEET_SPN_IP"
	echo "$FLEET_SKEW_MP $FLEET_SKEW_IP"
}

fleet_names() {
	fleet_hosts | awk '$1 ~ /^mp[0-9]/ {print $1}'
}

# start_fleet_httpd TAG NAME ADDRESS... [-- SKEW]
start_fleet_httpd() {
	local tag=$1 name=$2 skew="" fd=$STATEDIR/fleet fake=() def=() a
	shift 2
	: >"$fd/$tag-listen.conf"
	while [ $# -gt 0 ]; do
		case $1 in
		--) skew=$2; break ;;
		*) echo "Listen $1:80" >>"$fd/$tag-listen.conf" ;;
		esac
		shift
	done
	render httpd-fleet.conf.in "$fd/$tag.conf" DIR="$fd" TAG="$tag" \
		NAME="$name" CGI="$MPD/cgi"
	[ "$tag" = fleet ] && def=(-D FLEET_SPN)
	[ -z "$skew" ] ||
		fake=(LD_PRELOAD="$(faketime_lib)" FAKETIME="$skew" FAKETIME_DONT_FAKE_MONOTONIC=1)
	mkdir -p "$fd/rcache-$tag"
	chown www-data:www-data "$fd/rcache-$tag"
	chmod 700 "$fd/rcache-$tag"
	start_daemon "$NS_MPF" "$fd/logs/$tag.out" env -i \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C \
		KRB5_CONFIG="$MPD/krb5.conf" KRB5RCACHEDIR="$fd/rcache-$tag" \
		${fake[@]+"${fake[@]}"} \
		/usr/sbin/apache2 -f "$fd/$tag.conf" ${def[@]+"${def[@]}"} -DFOREGROUND
	FLEET_PID=$DAEMON_PID
}

fleet_daemons() {
	local fd=$STATEDIR/fleet p1 p2 i want
	kill_ns "$NS_MPF"
	# shellcheck disable=SC2046
	start_fleet_httpd fleet mp01.parent.lab $(fleet_hosts |
		awk -v s="$FLEET_SKEW_MP" '$1 != s {print $2}')
	p1=$FLEET_PID
	start_fleet_httpd skew "$FLEET_SKEW_MP" "$FLEET_SKEW_IP" -- "$MP_SKEW"
	p2=$FLEET_PID
	want=$(fleet_hosts | wc -l)
	for i in $(seq 1 250); do
		[ "$(nsx "$NS_MPF" ss -Hlnt 'sport = :80' | wc -l)" -ge "$want" ] && return 0
		[ -e "/proc/$p1" ] || die "the fleet's MPs exited: $(tail -n 3 "$fd/logs/fleet.out")"
		[ -e "/proc/$p2" ] || die "the skewed fleet MP exited: $(tail -n 3 "$fd/logs/skew.out")"
		sleep 0.02
	done
	die "the fleet's MPs do not listen on their $want addresses"
}

do_fleet() {
	local fd n names
	resolve_statedir
	set_paths
	[ -f "$STATEDIR/$MARKER" ] && ns_exists "$NS_CLI" || die "no lab is up (run: lab.sh up)"
	fd=$STATEDIR/fleet
	if [ -f "$fd/built" ]; then
		# built already: only the daemons may be gone
		[ -n "$(ip netns pids "$NS_MPF" 2>/dev/null)" ] || fleet_daemons
		echo "fleet up: mp01..mp$FLEET_N, $FLEET_SPN_MP, $FLEET_SKEW_MP"
		return 0
	fi
	[ "$(cat "$SCEN_FILE" 2>/dev/null)" = healthy ] ||
		die "fleet: switch the lab to scenario healthy first"
	mkdir -p "$fd/logs" "$fd/run" "$fd/htdocs"
	[ "$FLEET_N" -ge 1 ] && [ "$FLEET_N" -le 99 ] ||
		die "fleet: CCMDIAG_FLEET_N must be 1 to 99"
	ns_exists "$NS_MPF" || {
		add_host_ns mpf "$FLEET_SPN_IP"
		fleet_hosts | while read -r n a; do
			[ "$a" = "$FLEET_SPN_IP" ] ||
				ip -n "$NS_MPF" addr add "$a/24" dev eth0
		done
		netns_etc "$NS_MPF" parent.lab
	}
	names=$(fleet_names)
	# one kadmin.local session for every principal; ktadd -norandkey keeps
	# kvno 1.  mpspn: the MP keeps the key of kvno 1, then the KDC's entry
	# is made again with another key and the same kvno (spn-misbound).
	# Each MP's account: HTTP/, host/ and HOST/ (see lab.sh build_realms).
	{
		for n in $names "$FLEET_SKEW_MP" "$FLEET_SPN_MP"; do
			echo "addprinc -randkey HTTP/$n"
			echo "addprinc -randkey host/$n"
			echo "addprinc -randkey HOST/$n"
		done
		# shellcheck disable=SC2086
		echo "ktadd -norandkey -k $fd/fleet.keytab $(printf 'HTTP/%s host/%s HOST/%s ' \
			$(for n in $names; do echo "$n $n $n"; done))"
		n=$FLEET_SKEW_MP
		echo "ktadd -norandkey -k $fd/skew.keytab HTTP/$n host/$n HOST/$n"
		n=$FLEET_SPN_MP
		echo "ktadd -norandkey -k $fd/spn.keytab HTTP/$n host/$n HOST/$n"
		echo "delprinc -force HTTP/$FLEET_SPN_MP"
		echo "addprinc -pw $SVC_REPORTS_PW HTTP/$FLEET_SPN_MP"
		echo "addprinc -randkey $PARENT_CLIENT_PRINCIPAL"
		echo "ktadd -norandkey -k $CLID/ws10.keytab $PARENT_CLIENT_PRINCIPAL"
	} | kadm "$KP" "$PARENT_REALM"
	kdc_env "$KP" kdb5_util dump "$KP/healthy.dump"
	# a user's keys (alice's password), for a check that acts as a user
	echo "ktadd -norandkey -k $CLID/alice.keytab $CLIENT_USER" |
		kadm "$KC" "$CHILD_REALM"
	chgrp www-data "$fd"/*.keytab
	chmod 640 "$fd"/*.keytab
	# A and PTR records
	fleet_hosts | awk '{printf "%s\t%s\n", $2, $1}' >"$DNSD/fleet.hosts"
	start_dns
	fleet_daemons
	: >"$fd/built"
	echo "fleet up: mp01..mp$FLEET_N, $FLEET_SPN_MP, $FLEET_SKEW_MP"
}

# NAME='value' lines of the fleet, for print_env (none before `fleet`).
fleet_env() {
	local fd=$STATEDIR/fleet
	[ -f "$fd/built" ] || return 0
	printf "%s='%s'\n" \
		FLEET_NS "$NS_MPF" \
		FLEET_SPN_IP "$FLEET_SPN_IP" \
		FLEET_SKEW_IP "$FLEET_SKEW_IP" \
		FLEET_MPS "$(fleet_names | tr '\n' ' ' | sed 's/ $//')" \
		FLEET_SPN_MP "$FLEET_SPN_MP" \
		FLEET_SKEW_MP "$FLEET_SKEW_MP" \
		FLEET_GONE_MP "$FLEET_GONE_MP" \
		FLEET_ACCESS_LOG "$fd/logs/fleet-access.log" \
		FLEET_SKEW_ACCESS_LOG "$fd/logs/skew-access.log" \
		PARENT_KEYTAB "$CLID/ws10.keytab" \
		USER_KEYTAB "$CLID/alice.keytab" \
		PARENT_PRINCIPAL "$PARENT_CLIENT_PRINCIPAL"
}
