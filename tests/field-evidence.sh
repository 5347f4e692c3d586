#!/bin/bash
# field-evidence.sh - ccmdiag analyze on evidence made the way the field
# makes it: captures taken in the lab (tests/lab/field.sh) while curl,
# kinit, kvno and a browser-like client talk to the MP, with background
# traffic and public captures merged in.  Asserts per case the exit code,
# verdict.root_cause, verdict.exchanges, each client's approved/root_cause
# (and verdict, attempts where given), that no other client appears and
# that no finding outside the case's allowed set blames anyone.
#
#   (root)  builds every capture in the lab, then analyses them
#   FIELD_OUT=DIR   write the captures and expected.tsv to DIR and keep them
#   FIELD_IN=DIR    no lab: analyse the captures in DIR (made before with
#                   FIELD_OUT) against DIR/expected.tsv; needs no root
#   FIELD_GROUPS="a c"  only these case groups (tests/lab/field.sh)
set -u

srcdir=${CCMDIAG_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
ccmdiag=${CCMDIAG:-$srcdir/ccmdiag}
lab=$srcdir/tests/lab/lab.sh
out=${CCMDIAG_TEST_OUT:-$PWD/tests/field-evidence-results}
. "$srcdir/tests/lab/testenv.sh"
lab_names ccmfe
export LC_ALL=C

command -v jq >/dev/null || { echo "field-evidence: jq is missing"; exit 99; }
[ -x "$ccmdiag" ] || { echo "field-evidence: no $ccmdiag"; exit 99; }
mkdir -p "$out"
t_start=$(date +%s)

if [ -n "${FIELD_IN:-}" ]; then
	dir=$FIELD_IN
	[ -f "$dir/expected.tsv" ] ||
		{ echo "field-evidence: no $dir/expected.tsv"; exit 99; }
else
	if [ "$(id -u)" != 0 ]; then
		echo "field-evidence: needs root for network namespaces; skipped"
		exit 77
	fi
	dir=${FIELD_OUT:-$out/captures}
	if [ -d "$dir" ] && [ ! -f "$dir/expected.tsv" ] &&
	    [ -n "$(ls -A "$dir")" ]; then
		echo "field-evidence: $dir is not empty and holds no expected.tsv"
		exit 99
	fi
	rm -f "$dir"/*.pcap "$dir"/*.pcapng "$dir"/*.clients.log "$dir/expected.tsv"
	# shellcheck source=tests/lab/field.sh
	. "$srcdir/tests/lab/field.sh"
	cleanup() {
		[ -n "${CAP_PID:-}" ] && kill -TERM "$CAP_PID" 2>/dev/null
		[ -n "${BG_PID:-}" ] && kill "$BG_PID" 2>/dev/null
		field_fini
		"$lab" down >/dev/null 2>&1
	}
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	if ! "$lab" up >"$out/lab-up.log" 2>&1; then
		echo "field-evidence: the lab did not start:"
		tail -20 "$out/lab-up.log"
		exit 99
	fi
	field_init "$lab" "$dir" || exit 99
	for g in ${FIELD_GROUPS:-$(field_names)}; do
		if ! field_case "$g"; then
			echo "field-evidence: making the captures of group $g failed"
			exit 99
		fi
	done
	"$lab" scenario healthy >/dev/null 2>&1
	chmod -R a+rX "$dir"
	t_made=$(date +%s)
	echo "# captures made in $((t_made - t_start)) s, in $dir"
fi

pass=0
fail=0
res=$out/results
mkdir -p "$res"

# check one row of expected.tsv
check() {
	local name=$1 file=$2 want_rc=$3 want_root=$4 want_x=$5 clients=$6
	local args=$7 allowed=$8 rc root x msg="" spec addr appr croot verdict
	local minat hist got id n g_appr g_root g_verdict g_att g_hist
	local -a opts=()
	[ "$args" = - ] || read -r -a opts <<<"$args"
	"$ccmdiag" analyze --format json ${opts[@]+"${opts[@]}"} "$dir/$file" \
	    >"$res/$name.json" 2>"$res/$name.err" </dev/null
	rc=$?
	if ! jq -e . "$res/$name.json" >/dev/null 2>&1; then
		echo "not ok - $name: exit $rc, no JSON report: $(head -c 300 "$res/$name.err")"
		fail=$((fail + 1))
		return
	fi
	root=$(jq -r '.verdict.root_cause // "-"' "$res/$name.json")
	x=$(jq -r '.verdict.exchanges // "none"' "$res/$name.json")
	[ "$rc" = "$want_rc" ] || msg="$msg exit $rc (want $want_rc);"
	[ "$root" = "$want_root" ] || msg="$msg root_cause $root (want $want_root);"
	case $want_x in
	0) [ "$x" = 0 ] || msg="$msg exchanges $x (want 0);" ;;
	+) [ "$x" != none ] && [ "$x" -gt 0 ] 2>/dev/null ||
		msg="$msg exchanges $x (want > 0);" ;;
	esac
	# each expected client: every entry with its address must match
	local want_addrs=" "
	if [ "$clients" != - ]; then
		for spec in $clients; do
			IFS=: read -r addr appr croot verdict minat hist <<<"$spec"
			want_addrs="$want_addrs$addr "
			n=$(jq --arg a "$addr" '[.clients[]? | select(.client == $a)] | length' \
			    "$res/$name.json")
			if [ "$n" = 0 ]; then
				msg="$msg no client $addr;"
				continue
			fi
			# one line per entry: the history last, it has spaces
			got=$(jq -r --arg a "$addr" '.clients[] | select(.client == $a) |
			    "\(.approved)|\(.root_cause // "-")|\(.verdict // "-")|\(.attempts // 0)|\(.history // "")"' \
			    "$res/$name.json")
			while IFS='|' read -r g_appr g_root g_verdict g_att g_hist; do
				[ "$g_appr" = "$appr" ] ||
					msg="$msg client $addr approved $g_appr (want $appr);"
				[ "$g_root" = "$croot" ] ||
					msg="$msg client $addr root_cause $g_root (want $croot);"
				[ -z "$verdict" ] || [ "$verdict" = - ] || [ "$g_verdict" = "$verdict" ] ||
					msg="$msg client $addr verdict '$g_verdict' (want $verdict);"
				[ -z "$minat" ] || [ "$minat" = - ] ||
				    [ "$g_att" -ge "$minat" ] 2>/dev/null ||
					msg="$msg client $addr attempts $g_att (want >= $minat);"
				[ -z "$hist" ] || [ "$hist" = - ] ||
				    case $g_hist in *"$hist"*) true ;; *) false ;; esac ||
					msg="$msg client $addr history '$g_hist' (want '$hist' in it);"
			done <<<"$got"
		done
	fi
	for addr in $(jq -r '.clients[]?.client' "$res/$name.json" | sort -u); do
		case $want_addrs in
		*" $addr "*) ;;
		*) msg="$msg unexpected client $addr;" ;;
		esac
	done
	# findings: the roots, the allowed extras and information only
	local ok_ids=" kerberos-other-service clock-offset $want_root "
	for spec in $clients; do
		[ "$spec" = - ] && continue
		IFS=: read -r addr appr croot verdict minat hist <<<"$spec"
		ok_ids="$ok_ids$croot "
	done
	[ "$allowed" = - ] || ok_ids="$ok_ids${allowed//,/ } "
	for id in $(jq -r '.findings[]?.id' "$res/$name.json"); do
		case $ok_ids in
		*" $id "*) ;;
		*) msg="$msg finding $id not allowed;" ;;
		esac
	done
	if [ -z "$msg" ]; then
		printf 'ok - %-36s exit %s, %s\n' "$name" "$rc" "$root"
		pass=$((pass + 1))
	else
		echo "not ok - $name:$msg"
		fail=$((fail + 1))
	fi
}

while IFS='	' read -r name file rc root x clients args allowed _; do
	case $name in '#'* | '') continue ;; esac
	check "$name" "$file" "$rc" "$root" "$x" "$clients" "$args" "$allowed"
done <"$dir/expected.tsv"

echo "# $(($(date +%s) - t_start)) s in all"
echo "field-evidence: $pass passed, $fail failed"
[ "$fail" = 0 ]
