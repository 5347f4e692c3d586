#!/bin/sh
# findings-ids.sh - every finding in the catalogue (src/findings.def) is one
# the code can emit: its FID_ name is used outside the table, so no id is
# documented that no rule raises.
srcdir=${CCMDIAG_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
pass=0 fail=0
ids=$(sed -n 's/^F(\([A-Z0-9_]*\), "\([a-z0-9-]*\)".*/\1 \2/p' \
    "$srcdir/src/findings.def")
[ -n "$ids" ] || { echo "findings-ids: no ids read"; exit 99; }
echo "$ids" | while read -r enum id; do
	if grep -rqw "FID_$enum" "$srcdir/src" "$srcdir/probes" \
	    "$srcdir/ingest" --include='*.c' --exclude=finding.c; then
		echo ok
	else
		echo "not ok - $id (FID_$enum) is in the catalogue, never emitted" >&2
		echo bad
	fi
done >"${TMPDIR:-/tmp}/findings-ids.$$"
pass=$(grep -c '^ok$' "${TMPDIR:-/tmp}/findings-ids.$$")
fail=$(grep -c '^bad$' "${TMPDIR:-/tmp}/findings-ids.$$")
rm -f "${TMPDIR:-/tmp}/findings-ids.$$"
echo "findings-ids: $pass passed, $fail failed"
[ "$fail" = 0 ]
