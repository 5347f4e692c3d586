# common.sh - the shell helpers lab.sh and samba.sh share: namespaces,
# templates, daemons.  Sourced; the caller sets LAB_SRC and LAB_NAME.

die() {
	echo "$LAB_NAME: $*" >&2
	exit 1
}

ns_exists() {
	ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$1"
}

nsx() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

render() {
	local src=$1 dst=$2 kv args=()
	shift 2
	for kv in "$@"; do
		args+=(-e "s|@${kv%%=*}@|${kv#*=}|g")
	done
	sed "${args[@]}" "$LAB_SRC/$src" >"$dst"
}

start_daemon() {
	local ns=$1 log=$2
	shift 2
	(
		for fd in "/proc/$BASHPID/fd"/*; do
			fd=${fd##*/}
			if [ "$fd" -gt 2 ] 2>/dev/null; then
				eval "exec $fd>&-" 2>/dev/null || :
			fi
		done
		exec ip netns exec "$ns" setsid "$@" </dev/null >>"$log" 2>&1
	) &
	DAEMON_PID=$!
}

# wait_listen NS udp|tcp PORT [PID LOG [SECONDS]]
wait_listen() {
	local ns=$1 proto=$2 port=$3 pid=${4:-} log=${5:-} secs=${6:-5} flag i st
	[ "$proto" = udp ] && flag=-Hlnu || flag=-Hlnt
	for i in $(seq 1 $((secs * 50))); do
		if nsx "$ns" ss $flag "sport = :$port" 2>/dev/null | grep -q .; then
			return 0
		fi
		if [ -n "$pid" ]; then
			st=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || echo X)
			if [ "$st" = Z ] || [ "$st" = X ]; then
				[ -z "$log" ] || tail -n 5 "$log" >&2
				die "the daemon in $ns exited before listening on $proto/$port"
			fi
		fi
		sleep 0.02
	done
	die "nothing listens on $proto/$port in $ns after $secs s"
}

kill_ns() {
	local ns=$1 pids i
	ns_exists "$ns" || return 0
	pids=$(ip netns pids "$ns" 2>/dev/null) || return 0
	[ -n "$pids" ] || return 0
	KILLED_PIDS="${KILLED_PIDS:-} $pids"
	# shellcheck disable=SC2086
	kill -TERM $pids 2>/dev/null || :
	for i in $(seq 1 100); do
		pids=$(ip netns pids "$ns" 2>/dev/null) || return 0
		[ -n "$pids" ] || return 0
		sleep 0.02
	done
	# shellcheck disable=SC2086
	kill -KILL $pids 2>/dev/null || :
	for i in $(seq 1 50); do
		pids=$(ip netns pids "$ns" 2>/dev/null) || return 0
		[ -n "$pids" ] || return 0
		sleep 0.02
	done
	echo "$LAB_NAME: processes still alive in $ns: $pids" >&2
	return 1
}

# reap_killed: give init up to 1.8 s to reap what kill_ns ended (they are
# orphans, dead already), so that not even a zombie is left.
reap_killed() {
	local pid i=0
	for pid in ${KILLED_PIDS:-}; do
		while [ -e "/proc/$pid" ] && [ $i -lt 90 ]; do
			sleep 0.02
			i=$((i + 1))
		done
	done
}

# add_host_ns NAME IP: namespace $NS_PREFIX-NAME on the lab's bridge.
add_host_ns() {
	local name=$1 ip=$2 ns=$NS_PREFIX-$1
	ip netns add "$ns"
	nsx "$ns" sh -c 'echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6;
		echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6'
	ip -n "$NS_SW" link add "v-$name" type veth peer name eth0 netns "$ns"
	ip -n "$NS_SW" link set "v-$name" master br0 up
	ip -n "$ns" link set lo up
	ip -n "$ns" addr add "$ip/24" dev eth0
	ip -n "$ns" link set eth0 up
}
