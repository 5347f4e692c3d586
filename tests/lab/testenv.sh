# testenv.sh - names of their own for one source tree's test labs, so that
# two trees on one machine can run `make check` at the same time.  Sourced
# by the lab tests after they set srcdir:  . "$srcdir/tests/lab/testenv.sh"
# then  lab_names KIND  (lab.sh's namespaces and state directory) or
# samba_names KIND (samba.sh's).  A variable already set wins.
tree_tag=$(printf '%s' "${srcdir:-.}" | cksum | awk '{printf "%05d", $1 % 100000}')

lab_names() {
	export CCMDIAG_LAB_NS="${CCMDIAG_LAB_NS:-$1$tree_tag}"
	export CCMDIAG_LAB_DIR="${CCMDIAG_LAB_DIR:-/tmp/ccmdiag-lab-$1-$tree_tag}"
}

samba_names() {
	export CCMDIAG_SAMBA_NS="${CCMDIAG_SAMBA_NS:-$1$tree_tag}"
	export CCMDIAG_SAMBA_DIR="${CCMDIAG_SAMBA_DIR:-/tmp/ccmdiag-samba-$1-$tree_tag}"
}
