#!/bin/sh
# findings-doc.sh - docs/findings.md is generated from src/findings.def and
# has an entry for every id.
srcdir=${CCMDIAG_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
ccmdiag=${CCMDIAG:-$srcdir/ccmdiag}
doc=$srcdir/docs/findings.md
fail=0
if ! "$ccmdiag" findings --markdown | diff -u "$doc" - >/dev/null; then
	echo "not ok - docs/findings.md is stale: regenerate with"
	echo "         ./ccmdiag findings --markdown > docs/findings.md"
	fail=1
fi
for id in $("$ccmdiag" findings | awk '{print $1}'); do
	grep -q "^## $id\$" "$doc" || { echo "not ok - no entry for $id"; fail=1; }
done
n=$("$ccmdiag" findings | wc -l)
[ "$n" -ge 30 ] || { echo "not ok - only $n findings listed"; fail=1; }
if [ $fail = 0 ]; then echo "findings-doc: 1 passed, 0 failed"; else echo "findings-doc: 0 passed, 1 failed"; fi
exit $fail
