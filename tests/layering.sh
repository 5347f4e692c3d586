#!/bin/bash
# layering.sh - one wrapper file per library (docs/design.md, STYLE 6):
# every function of libgssapi/libkrb5, libcurl, libpcap, OpenSSL, libldap
# (with liblber and libsasl2) and libresolv that an object file of ccmdiag
# calls must be called from that library's wrapper, and the offline
# readers and their fuzz targets link none of the network libraries.
# Reads the built objects with nm and the linked binaries with readelf.
set -u

srcdir=${CCMDIAG_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
ccmdiag=${CCMDIAG:-$srcdir/ccmdiag}
builddir=$(cd "$(dirname "$ccmdiag")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/ccmdiag-layering-XXXXXX")
trap 'rm -rf "$work"' EXIT

for t in nm readelf ldd; do
	command -v "$t" >/dev/null || { echo "layering: $t is missing"; exit 99; }
done
[ -x "$ccmdiag" ] || { echo "layering: $ccmdiag not built"; exit 99; }

# group  wrapper files (one or more)  shared objects whose exports count
rules='
krb5 src/gss.c,src/gss_run.c,src/gss_ident.c libgssapi_krb5 libkrb5 libk5crypto libcom_err
curl src/http.c libcurl
pcap src/capture.c,src/capture_file.c libpcap
openssl src/crypto.c libcrypto libssl
ldap src/directory.c libldap liblber libsasl2
resolv src/resolver.c libresolv
'
# glibc 2.34 moved the stub resolver into libc; its functions by name
resolv_names='^(__)?(res_n?(init|close|send|query|search|querydomain|mkquery)|dn_(comp|expand)|ns_[a-z_]+)$'

# The exports of each group's libraries, as the binary resolves them.
libs_of() {
	ldd "$1" | awk '$3 ~ /^\// {print $3}'
}
# Export lists of the libraries a group names, one symbol a line.
exports() {
	local group=$1 lib so
	: >"$work/$group.syms"
	for lib in $(echo "$rules" | awk -v g="$group" '$1 == g {for (i = 3; i <= NF; i++) print $i}'); do
		for so in $all_libs; do
			case ${so##*/} in "$lib".so* | "$lib"-*.so*)
				nm -D --defined-only "$so" 2>/dev/null |
				    awk '{print $NF}' | sed 's/@.*//' >>"$work/$group.syms"
				;;
			esac
		done
	done
	sort -u -o "$work/$group.syms" "$work/$group.syms"
}

# The source an object was built from: dir/libX_a-name.o -> dir/name.c
source_of() {
	local o=${1#"$builddir"/} d b
	d=$(dirname "$o")
	b=$(basename "$o" .o)
	b=${b#*_a-}
	b=${b#*-}
	echo "$d/$b.c"
}

# check OBJECT...: "file: symbol (group: only wrapper may call it)" for
# each call outside its wrapper; the symbols our own objects define are
# ours, not a library's.
check() {
	local o src
	for o in "$@"; do
		src=$(source_of "$o")
		nm -u "$o" | awk '{print $NF}' | sort -u |
		    comm -23 - "$work/ours.syms" >"$work/undef"
		{
			join "$work/undef" "$work/all.syms"
			grep -E "$resolv_names" "$work/undef" | sed 's/$/ resolv/'
		} | sort -u | awk -v src="$src" -v rules="$rules" '
		BEGIN {
			n = split(rules, line, "\n")
			for (i = 1; i <= n; i++)
				if (split(line[i], f, " ") >= 2)
					wrap[f[1]] = f[2]
		}
		{
			w = "," wrap[$2] ","
			if (index(w, "," src ",") == 0)
				printf "%s: %s (%s: only %s may call it)\n", src, $1, $2, wrap[$2]
		}'
	done
}

all_libs=$(libs_of "$ccmdiag")
for group in $(echo "$rules" | awk 'NF {print $1}'); do
	exports "$group"
	[ -s "$work/$group.syms" ] || [ "$group" = resolv ] ||
	    { echo "layering: no exports found for $group"; exit 99; }
	sed "s/\$/ $group/" "$work/$group.syms"
done | sort -k1,1 -u >"$work/all.syms"
# the objects the build makes now (a tree built before may hold others):
# the members of its libraries, and the program's own
objects=$( (cd "$builddir" && for a in lib*.a; do ar t "$a"; done) |
    while read -r m; do
	find "$builddir/src" "$builddir/probes" "$builddir/ingest" \
	    "$builddir/reports" -name "$m" 2>/dev/null
    done | sort -u)
objects="$objects $(find "$builddir/src" "$builddir/reports" -name '*.o' \
    ! -name 'lib*_a-*' 2>/dev/null | sort -u | tr '\n' ' ')"
[ -n "$objects" ] || { echo "layering: no object files under $builddir"; exit 99; }
# shellcheck disable=SC2086
nm --defined-only $objects 2>/dev/null | awk 'NF == 3 {print $3}' |
    sort -u >"$work/ours.syms"

pass=0
fail=0

# shellcheck disable=SC2086
check $objects >"$work/violations"
if [ -s "$work/violations" ]; then
	echo "not ok - library calls outside their wrapper:"
	sed 's/^/    /' "$work/violations"
	fail=$((fail + 1))
else
	echo "ok - every library call is in its wrapper ($(echo "$objects" | wc -l) objects)"
	pass=$((pass + 1))
fi

# The check itself: an object of a probe that calls curl and libldap
# directly must be caught.
mkdir -p "$work/probes"
cat >"$work/probes/libccmnet_a-canary.c" <<'EOF'
void *curl_easy_init(void);
int ldap_unbind_ext_s(void *, void *, void *);
void *canary(void) { ldap_unbind_ext_s(0, 0, 0); return curl_easy_init(); }
EOF
if ${CC:-cc} -c -o "$work/probes/libccmnet_a-canary.o" \
    "$work/probes/libccmnet_a-canary.c" 2>/dev/null; then
	out=$(builddir=$work check "$work/probes/libccmnet_a-canary.o")
	if echo "$out" | grep -q "probes/canary.c: curl_easy_init (curl" &&
	    echo "$out" | grep -q "probes/canary.c: ldap_unbind_ext_s (ldap"; then
		echo "ok - a probe calling curl and libldap itself is caught"
		pass=$((pass + 1))
	else
		echo "not ok - the canary's calls went unseen: $out"
		fail=$((fail + 1))
	fi
else
	echo "layering: no C compiler for the canary; skipped it"
fi

# The offline readers' programs need no network library.
net='libkrb5|libgssapi_krb5|libk5crypto|libcurl|libldap|liblber|libsasl2'
for b in tests/fuzz/replay_iis tests/fuzz/replay_cmlog tests/fuzz/replay_pcap \
    tests/fuzz/replay_sql tests/fuzz/replay_input tests/unit/test_ingest_iis \
    tests/unit/test_ingest_cmlog tests/unit/test_ingest_pcap \
    tests/unit/test_ingest_sql; do
	[ -x "$builddir/$b" ] || continue
	needed=$(readelf -d "$builddir/$b" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' |
	    grep -E "^($net)\." | tr '\n' ' ')
	if [ -n "$needed" ]; then
		echo "not ok - $b links $needed"
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
done
# ... nor does any reader or writer object call into the network wrappers.
for o in $(echo "$objects" | grep -E '/(ingest|reports)/'); do
	bad=$(nm -u "$o" | awk '{print $NF}' |
	    grep -E '^(krbs_|http_|httpev_|kdc_|netx_|resolver_|dir_|bounded_|probe_)' |
	    tr '\n' ' ')
	if [ -n "$bad" ]; then
		echo "not ok - $(source_of "$o") calls the network part: $bad"
		fail=$((fail + 1))
	fi
done

echo "layering: $pass passed, $fail failed"
[ "$fail" = 0 ]
