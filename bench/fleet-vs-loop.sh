#!/bin/bash
# fleet-vs-loop.sh - 100 targets of the lab's fleet (25 MPs x 4 client
# identities: two of the child realm, one of the parent, one untrusted;
# 22 healthy MPs, a misbound SPN, a skewed clock, a name that does not
# resolve), checked three ways in the same run:
#   loop   what an admin scripts today: per target kinit -k, then curl
#          --negotiate CCM_POST (a fresh credential cache each time)
#   probe  ccmdiag probe --no-capture in a loop, one target after another
#   fleet  ccmdiag fleet -j $JOBS, every target in one run
# Each way RUNS times (default 5); prints each run, the medians, targets a
# second, the speed-up of fleet over the loop, fleet's peak RSS, and checks
# that every target's verdict is the same three ways (approved: curl got
# 200 / the report says approved).  Needs root; brings the lab up and down.
# The fleet's MPs answer in Apache's process (mod_lua, as an IIS MP answers
# in its own), so a CGI process per request does not weigh on every way.
# The KDCs, MPs and DNS server share this machine's cores with the client:
# a run takes all of them, and the figures are those of the whole lab.
set -eu
srcdir=$(cd "$(dirname "$0")/.." && pwd)
ccmdiag=${CCMDIAG:-$srcdir/ccmdiag}
lab=$srcdir/tests/lab/lab.sh
runs=${RUNS:-5}
jobs=${JOBS:-8}
export CCMDIAG_FLEET_N=22
. "$srcdir/tests/lab/testenv.sh"
lab_names ccmbf
. "$srcdir/bench/lib.sh"
need bc /usr/bin/time curl kinit jq

work=$(mktemp -d "${TMPDIR:-/tmp}/ccmdiag-fleet-bench-XXXXXX")
trap '"$lab" down >/dev/null 2>&1; rm -rf "$work"' EXIT INT TERM
"$lab" up >/dev/null
"$lab" fleet >/dev/null
eval "$("$lab" env)"

targets=$work/targets
for id in "$TRUSTED_PRINCIPAL $TRUSTED_KEYTAB" "$CLIENT3_PRINCIPAL $CLIENT3_KEYTAB" \
    "$PARENT_PRINCIPAL $PARENT_KEYTAB" "$UNTRUSTED_PRINCIPAL $UNTRUSTED_KEYTAB"; do
	for mp in $FLEET_MPS "$FLEET_SPN_MP" "$FLEET_SKEW_MP" "$FLEET_GONE_MP"; do
		echo "$mp $id"
	done
done >"$targets"
n=$(wc -l <"$targets")

# Each way runs whole inside the client's namespace (one `lab.sh run`), so
# that no way pays the namespace's entry per target, and is timed there.
cat >"$work/loop.sh" <<'EOF'
#!/bin/bash
# per target: kinit -k into a fresh cache, curl --negotiate; "MP PRINCIPAL CODE"
export KRB5CCNAME=FILE:$1.ccache
while read -r mp princ keytab; do
	code=000
	if kinit -k -t "$keytab" "$princ" 2>/dev/null; then
		code=$(curl -s -o /dev/null -m 10 -w '%{http_code}' --negotiate -u : \
		    -X CCM_POST -d '' "http://$mp/ccm_system_windowsauth/request")
	fi
	echo "$mp $princ $code"
	kdestroy -q 2>/dev/null || :
done <"$2"
EOF
cat >"$work/probe.sh" <<'EOF'
#!/bin/bash
# per target: ccmdiag probe; "MP PRINCIPAL approved|-"
while read -r mp princ keytab; do
	v=$("$1" probe --no-capture --timeout 10 --keytab "$keytab" --principal "$princ" \
	    --format json "$mp" 2>/dev/null | jq -r 'if .verdict.approved then "approved" else "-" end')
	echo "$mp $princ ${v:--}"
done <"$2"
EOF
# timed.sh OUT CMD...: CMD's output to OUT, its wall time to OUT.secs and
# its peak RSS (KiB) to OUT.rss, measured inside the namespace: entering it
# (lab.sh run, about 0.1 s here) is the harness's, not the way's
cat >"$work/timed.sh" <<'EOF'
#!/bin/bash
out=$1
shift
t0=$(date +%s.%N)
/usr/bin/time -f '%M' -o "$out.rss" "$@" >"$out"
t1=$(date +%s.%N)
echo "$t1 - $t0" | bc -l >"$out.secs"
EOF
chmod +x "$work/loop.sh" "$work/probe.sh" "$work/timed.sh"

loop=("$work/loop.sh" "$work/loop" "$targets")
probe=("$work/probe.sh" "$ccmdiag" "$targets")
fleet=("$ccmdiag" fleet -j "$jobs" --timeout 10 --format jsonl "$targets")

# way NAME CMD...: run it in the client's namespace; secs_NAME, rss_NAME,
# steal_NAME (the share of CPU time the host gave to others meanwhile)
way() {
	local name=$1 s0 s1
	shift
	s0=$(cpu_jiffies)
	"$lab" run "$work/timed.sh" "$work/$name.out" "$@" 2>/dev/null || :
	s1=$(cpu_jiffies)
	eval "secs_$name=$(cat "$work/$name.out.secs")"
	eval "rss_$name=$(tail -1 "$work/$name.out.rss")"
	eval "steal_$name=$(echo "$s0 $s1" | awk '{ d = $4 - $2
		printf "%d", (d > 0 ? 100 * ($3 - $1) / d : 0) }')"
}

# warm every path once (page cache, the KDCs' and MPs' first requests)
way loop "${loop[@]}"
way fleet "${fleet[@]}"

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

: >"$work/loop.s"; : >"$work/probe.s"; : >"$work/fleet.s"; : >"$work/fleet.rss"
printf '%-6s %4s %9s %9s %9s %9s %6s\n' run "" loop probe fleet "x loop" steal
for r in $(seq "$runs"); do
	way loop "${loop[@]}"
	way probe "${probe[@]}"
	way fleet "${fleet[@]}"
	echo "$secs_loop" >>"$work/loop.s"
	echo "$secs_probe" >>"$work/probe.s"
	echo "$secs_fleet" >>"$work/fleet.s"
	echo "$rss_fleet" >>"$work/fleet.rss"
	printf '%-6s %4s %8.2fs %8.2fs %8.2fs %8.1fx %5s%%\n' "$r" "" "$secs_loop" \
	    "$secs_probe" "$secs_fleet" "$(ratio "$secs_loop" "$secs_fleet")" \
	    "$(( (steal_loop + steal_probe + steal_fleet) / 3 ))"
	# every target's verdict, the same three ways
	awk '{ print $1, $2, ($3 == 200 ? "approved" : "-") }' "$work/loop.out" >"$work/v.loop"
	cp "$work/probe.out" "$work/v.probe"
	jq -r '[.target, .principal, (if .verdict.approved then "approved" else "-" end)] |
	    join(" ")' "$work/fleet.out" >"$work/v.fleet"
	for w in loop probe fleet; do
		if [ "$(wc -l <"$work/v.$w")" != "$n" ]; then
			echo "run $r: $w gave $(wc -l <"$work/v.$w") verdicts for $n targets"
			exit 1
		fi
	done
	for w in probe fleet; do
		if ! cmp -s "$work/v.loop" "$work/v.$w"; then
			echo "run $r: $w's verdicts differ from the loop's:"
			diff "$work/v.loop" "$work/v.$w" | head -10
			exit 1
		fi
	done
done
ml=$(median <"$work/loop.s")
mp=$(median <"$work/probe.s")
mf=$(median <"$work/fleet.s")
rss=$(sort -n "$work/fleet.rss" | tail -1)
approved=$(grep -c ' approved$' "$work/v.fleet" || :)
echo
printf '%d targets (%d approved), %d runs, medians:\n' "$n" "$approved" "$runs"
printf '  kinit -k + curl --negotiate, in a loop:  %7.2f s  %6.1f targets/s\n' "$ml" "$(ratio "$n" "$ml")"
printf '  ccmdiag probe, in a loop:                %7.2f s  %6.1f targets/s\n' "$mp" "$(ratio "$n" "$mp")"
printf '  ccmdiag fleet -j %-2d:                     %7.2f s  %6.1f targets/s\n' "$jobs" "$mf" "$(ratio "$n" "$mf")"
printf 'fleet: %.1fx the loop, %.1fx probe in a loop; peak RSS %.1f MiB\n' \
    "$(ratio "$ml" "$mf")" "$(ratio "$mp" "$mf")" "$(echo "$rss / 1024" | bc -l)"
printf 'every verdict the same three ways: yes\n'
printf 'target >= 10x the loop: %s; peak RSS < 64 MiB: %s\n' \
    "$( [ "$(echo "$ml / $mf >= 10" | bc -l)" = 1 ] && echo met || echo MISSED)" \
    "$( [ "$rss" -lt 65536 ] && echo met || echo MISSED)"
