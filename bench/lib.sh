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

# Wall time is only to 10 ms in /usr/bin/time: time the run ourselves too.
timed() {
	local name=$1 t0 t1
	shift
	t0=$(date +%s.%N)
	measure "$name" "$@"
	t1=$(date +%s.%N)
	eval "secs_$name=$(echo "$t1 - $t0" | bc -l)"
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
