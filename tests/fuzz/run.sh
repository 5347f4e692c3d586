#!/bin/sh
# run.sh TARGET... - run each libFuzzer target (built by `make fuzz` into
# $FUZZ_OUT) for FUZZ_SECONDS on its corpus, merge what it found back
# into tests/fuzz/corpus/TARGET minimised (-merge=1; the hand-named seeds
# always stay), and add the CPU time, executions and coverage to the table
# in tests/fuzz/README.  A crash or leak stops that target: its input is
# kept in $FUZZ_OUT/artifacts/TARGET and the script exits 1 at the end.
# FUZZ_FLAGS adds libFuzzer options (e.g. -jobs is not used: one at a time).
set -u
srcdir=$(cd "$(dirname "$0")/../.." && pwd)
out=${FUZZ_OUT:-fuzz-build}
secs=${FUZZ_SECONDS:-60}
readme=$srcdir/tests/fuzz/README
rc=0

# a libFuzzer corpus file is named by the SHA-1 of its content
hashed() { ls "$1" | grep -E '^[0-9a-f]{40}$'; }

for t in "$@"; do
	bin=$out/fuzz_$t
	corpus=$srcdir/tests/fuzz/corpus/$t
	[ -x "$bin" ] || { echo "run.sh: no $bin (make fuzz-targets)"; rc=1; continue; }
	mkdir -p "$corpus" "$out/artifacts/$t"
	work=$(mktemp -d) || exit 1
	mkdir "$work/new" "$work/min"
	/usr/bin/time -f '%U %S' -o "$work/cpu" "$bin" -max_total_time="$secs" \
	    -print_final_stats=1 -artifact_prefix="$out/artifacts/$t/" \
	    ${FUZZ_FLAGS:-} "$work/new" "$corpus" >"$work/log" 2>&1
	status=$?
	if [ $status -ne 0 ]; then
		echo "run.sh: $t failed (exit $status); the input is in $out/artifacts/$t:"
		grep -E 'ERROR|SUMMARY|runtime error' "$work/log" | head -5
		rc=1
	fi
	if grep -q 'disabled leak detection' "$work/log"; then
		echo "run.sh: $t: allocations do not balance per input, so" \
		    "libFuzzer stopped checking for leaks"
		rc=1
	fi
	# minimise: the named seeds first, then what adds coverage to them
	for f in "$corpus"/*; do
		[ -f "$f" ] || continue
		basename "$f" | grep -qE '^[0-9a-f]{40}$' || cp "$f" "$work/min/"
	done
	if "$bin" -merge=1 "$work/min" "$corpus" "$work/new" >"$work/merge" 2>&1; then
		hashed "$corpus" | while read -r f; do rm -f "$corpus/$f"; done
		hashed "$work/min" | while read -r f; do cp "$work/min/$f" "$corpus/"; done
	else
		echo "run.sh: $t: merge failed, corpus left as it was"
		rc=1
	fi
	cpu=$(awk '{ printf "%d", $1 + $2 + 0.5 }' "$work/cpu" 2>/dev/null)
	execs=$(awk '/stat::number_of_executed_units/ { print $NF }' "$work/log")
	covft=$(grep -E 'cov: [0-9]+ ft: [0-9]+' "$work/log" | tail -1 |
	    sed -E 's/.*cov: ([0-9]+) ft: ([0-9]+).*/\1 \2/')
	files=$(ls "$corpus" | wc -l)
	awk -v t="$t" -v cpu="${cpu:-0}" -v ex="${execs:-0}" -v cf="${covft:-0 0}" \
	    -v files="$files" -v day="$(date -u +%Y-%m-%d)" '
	function row(c, r, e, cov, ft) {
		return sprintf("| %s | %d | %d | %d | %d | %d | %d | %s |", t, c, r, e,
		    cov, ft, files, day)
	}
	BEGIN { split(cf, x, " ") }
	$0 ~ "^\\| " t " \\|" {
		split($0, f, "|")
		print row(f[3] + cpu, f[4] + 1, f[5] + ex, x[1], x[2]); done = 1; next
	}
	/^<!-- end of fuzz table -->/ && !done { print row(cpu, 1, ex, x[1], x[2]); done = 1 }
	{ print }' "$readme" >"$work/readme" && cat "$work/readme" >"$readme"
	printf 'run.sh: %s: %ss CPU, %s executions, cov/ft %s, %s corpus files\n' \
	    "$t" "${cpu:-?}" "${execs:-?}" "${covft:-?}" "$files"
	rm -rf "$work"
done
exit $rc
