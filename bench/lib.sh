# lib.sh - helpers shared by the benchmarks: timing with peak RSS, rates.
# Sourced, not run, by a script that has set $work (its scratch directory).
# shellcheck shell=bash disable=SC2154

# measure NAME CMD...: run CMD with stdout to $work/NAME.out under
# /usr/bin/time -v; sets secs_NAME and rss_NAME (KiB).  The exit status of
# CMD is kept in rc_NAME, not fatal (ccmdiag exits 1 when it has findings).
measure() {
	local name=$1 t
	shift
	t=$work/$name.time
	set +e
	/usr/bin/time -v -o "$t" "$@" >"$work/$name.out"
	eval "rc_$name=$?"
	set -e
	eval "secs_$name=$(awk -F': ' '/Elapsed \(wall clock\)/ {
		n = split($2, p, ":"); s = 0
		for (i = 1; i <= n; i++) s = s * 60 + p[i]
		print s }' "$t")"
	eval "rss_$name=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$t")"
}

# CPU time the hypervisor gave to others (steal) and the total, all CPUs,
# in jiffies: "steal total".
cpu_jiffies() {
	awk '$1 == "cpu" { t = 0; for (i = 2; i <= NF; i++) t += $i
		print $9, t }' /proc/stat
}

# Wall time is only to 10 ms in /usr/bin/time: time the run ourselves too.
# Also sets steal_NAME: the percentage of CPU time stolen by the host while
# it ran; on a virtual machine a busy host makes every figure slower.
timed() {
	local name=$1 t0 t1 s0 s1
	shift
	s0=$(cpu_jiffies)
	t0=$(date +%s.%N)
	measure "$name" "$@"
	t1=$(date +%s.%N)
	s1=$(cpu_jiffies)
	eval "secs_$name=$(echo "$t1 - $t0" | bc -l)"
	eval "steal_$name=$(echo "$s0 $s1" | awk '{ d = $4 - $2
		printf "%d", (d > 0 ? 100 * ($3 - $1) / d : 0) }')"
}

# MB/s (10^6 bytes) for BYTES in SECS
mbps() { echo "$1 / $2 / 1000000" | bc -l; }
ratio() { echo "$1 / $2" | bc -l; }

need() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 && continue
		echo "$0: needs $t (see tools/debian-packages)" >&2
		exit 2
	done
}

# Room for BYTES (plus a margin) in directory DIR, or give up.
need_space() {
	local dir=$1 bytes=$2 avail
	avail=$(df -PB1 "$dir" | awk 'NR == 2 {print $4}')
	if [ "$avail" -lt $((bytes + 512 * 1024 * 1024)) ]; then
		echo "$0: $dir has $avail bytes free, needs $bytes" >&2
		exit 2
	fi
}
