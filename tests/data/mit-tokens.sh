#!/bin/sh
# mit-tokens.sh - make the spnego/mit_*.bin fixtures with MIT krb5: a
# throwaway realm GEN.TEST in a temporary directory, a KDC on 127.0.0.1
# (port $PORT, default 18888), alice's TGT, and one GSS initiator/acceptor
# run per keytab: the right key (AP-REP), an old kvno (KRB-ERROR 44) and a
# wrong key under the right kvno (KRB-ERROR 31), as MIT's acceptor (Apache
# mod_auth_gssapi) answers.  Needs krb5-kdc, krb5-user, libkrb5-dev, cc.
# Bytes differ on every run (fresh keys and times); the tests only check
# fields that stay the same.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
PORT=${PORT:-18888}
w=$(mktemp -d)
kdcpid=
trap 'test -n "$kdcpid" && kill "$kdcpid"; rm -rf "$w"' EXIT

cat >"$w/krb5.conf" <<CONF
[libdefaults]
	default_realm = GEN.TEST
	dns_lookup_kdc = false
	rdns = false
	dns_canonicalize_hostname = false
	udp_preference_limit = 1
[realms]
	GEN.TEST = {
		kdc = 127.0.0.1:$PORT
	}
CONF
cat >"$w/kdc.conf" <<CONF
[kdcdefaults]
	kdc_ports = $PORT
	kdc_tcp_ports = $PORT
[realms]
	GEN.TEST = {
		database_name = $w/principal
		key_stash_file = $w/stash
		acl_file = $w/kadm5.acl
		supported_enctypes = aes256-cts-hmac-sha1-96:normal
	}
CONF
: >"$w/kadm5.acl"
export KRB5_CONFIG="$w/krb5.conf" KRB5_KDC_PROFILE="$w/kdc.conf" \
    KRB5CCNAME="$w/cc"
kdb5_util create -s -r GEN.TEST -P masterpw >/dev/null
kadmin.local -q "addprinc -pw userpw alice" >/dev/null
kadmin.local -q "addprinc -randkey HTTP/mp.gen.test" >/dev/null
kadmin.local -q "ktadd -k $w/old.keytab HTTP/mp.gen.test" >/dev/null
kadmin.local -q "ktadd -k $w/good.keytab HTTP/mp.gen.test" >/dev/null
printf 'addent -password -p HTTP/mp.gen.test@GEN.TEST -k 3 -e aes256-cts-hmac-sha1-96\nwrongpw\nwkt %s\nquit\n' \
    "$w/wrong.keytab" | ktutil >/dev/null
krb5kdc -n -P "$w/kdc.pid" & kdcpid=$!
sleep 1
echo userpw | kinit alice >/dev/null

cat >"$w/gen.c" <<'SRC'
#include <gssapi/gssapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static gss_OID_desc spnego = { 6, "\x2b\x06\x01\x05\x05\x02" };

static void
save(const char *f, gss_buffer_t b)
{
	FILE *o = fopen(f, "wb");

	fwrite(b->value, 1, b->length, o);
	fclose(o);
}

int
main(int argc, char **argv)	/* keytab init-file accept-file */
{
	gss_buffer_desc nb = { 16, "HTTP@mp.gen.test" }, t1 = { 0 }, t2 = { 0 };
	gss_ctx_id_t ic = GSS_C_NO_CONTEXT, ac = GSS_C_NO_CONTEXT;
	OM_uint32 min;
	gss_name_t target;

	(void)argc;
	gss_import_name(&min, &nb, GSS_C_NT_HOSTBASED_SERVICE, &target);
	gss_init_sec_context(&min, GSS_C_NO_CREDENTIAL, &ic, target, &spnego,
	    GSS_C_MUTUAL_FLAG, 0, NULL, GSS_C_NO_BUFFER, NULL, &t1, NULL, NULL);
	save(argv[2], &t1);
	setenv("KRB5_KTNAME", argv[1], 1);
	gss_accept_sec_context(&min, &ac, GSS_C_NO_CREDENTIAL, &t1, NULL, NULL,
	    NULL, &t2, NULL, NULL, NULL);
	save(argv[3], &t2);
	return 0;
}
SRC
cc -o "$w/gen" "$w/gen.c" -lgssapi_krb5
"$w/gen" "$w/good.keytab" "$here/spnego/mit_init_apreq.bin" \
    "$here/spnego/mit_accept_aprep.bin"
"$w/gen" "$w/old.keytab" "$w/x.bin" "$here/spnego/mit_reject_err44.bin"
"$w/gen" "$w/wrong.keytab" "$w/x.bin" "$here/spnego/mit_reject_err31.bin"
ls -l "$here"/spnego/mit_*.bin
