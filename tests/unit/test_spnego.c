/* test_spnego.c - GSS/SPNEGO/NTLM token decoder against captured tokens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "fixture.h"
#include "spnego.h"

#define KRB5	"1.2.840.113554.1.2.2"
#define MSKRB5	"1.2.840.48018.1.2.2"
#define NTLMSSP	"1.3.6.1.4.1.311.2.2.10"
#define NEGOEX	"1.3.6.1.4.1.311.2.2.30"

static const char *const all[] = {
	"spnego/http_init_apreq.bin", "spnego/http_resp_aprep.bin",
	"spnego/krb5_apreq.bin", "spnego/smb_init2_hints.bin",
	"spnego/smb_init_apreq.bin", "spnego/smb_resp_err37.bin",
	"spnego/smb_resp_aprep.bin", "spnego/ldap_init_raw_apreq.bin",
	"spnego/http_ntlm1_raw.bin", "spnego/http_ntlm2_raw.bin",
	"spnego/smb_init_ntlm1.bin", "spnego/smb_resp_ntlm2.bin",
	"spnego/smb_init_negoex.bin", "spnego/mit_init_apreq.bin",
	"spnego/mit_accept_aprep.bin", "spnego/mit_reject_err44.bin",
	"spnego/mit_reject_err31.bin",
};

static int
decode(const char *rel, struct gss_tok *t)
{
	uint8_t *p;
	size_t n;
	int r;

	p = fixture_load(rel, &n);
	r = gss_tok_decode(p, n, t);
	free(p);
	return r;
}

static void
check_iis_ap_req(const struct gss_tok *t)
{
	assert_int_equal(t->krb_tok_id, 0x0100);
	assert_int_equal(t->krb.msg_type, 14);
	assert_string_equal(t->krb.tkt_realm, "BETA.LOCAL");
	assert_int_equal(t->krb.tkt_sname.type, 2);
	assert_string_equal(t->krb.tkt_sname.text, "HTTP/iis-user.beta.local");
	assert_int_equal(t->krb.tkt_etype, 23);
	assert_int_equal(t->krb.tkt_kvno, 3);
	assert_int_equal(t->krb.ap_options, 0x20000000);	/* mutual */
	assert_int_equal(t->krb.enc_etype, 23);
}

/* rbcd_win_trasitive_trust.pcapng frame 20: Authorization: Negotiate */
static void
test_http_init(void **state)
{
	struct gss_tok t;

	(void)state;
	assert_int_equal(decode("spnego/http_init_apreq.bin", &t), 0);
	assert_int_equal(t.kind, TOK_SPNEGO_INIT);
	assert_int_equal(t.n_mechs, 4);
	assert_string_equal(t.mechs[0], MSKRB5);
	assert_string_equal(t.mechs[1], KRB5);
	assert_string_equal(t.mechs[2], NEGOEX);
	assert_string_equal(t.mechs[3], NTLMSSP);
	assert_string_equal(gss_oid_name(t.mechs[0]), "ms-krb5");
	assert_true(t.has_mech_token);
	assert_int_equal(t.neg_state, -1);
	assert_string_equal(t.krb_oid, KRB5);	/* Windows: standard inside */
	assert_int_equal(t.ntlm_type, 0);
	check_iis_ap_req(&t);
}

/* same capture, frame 21: the 200's WWW-Authenticate with the AP-REP */
static void
test_http_resp(void **state)
{
	struct gss_tok t;

	(void)state;
	assert_int_equal(decode("spnego/http_resp_aprep.bin", &t), 0);
	assert_int_equal(t.kind, TOK_SPNEGO_RESP);
	assert_int_equal(t.neg_state, NEG_ACCEPT_COMPLETED);
	assert_string_equal(t.supported_mech, MSKRB5);
	assert_true(t.has_mech_token);
	assert_int_equal(t.krb_tok_id, 0x0200);
	assert_string_equal(t.krb_oid, KRB5);
	assert_int_equal(t.krb.msg_type, 15);
	assert_int_equal(t.krb.enc_etype, 23);
	assert_int_equal(t.n_mechs, 0);
}

/* The mechToken alone: a bare RFC 4121 token, with either OID. */
static void
test_krb5_token(void **state)
{
	struct gss_tok t;
	uint8_t *p;
	size_t n;

	(void)state;
	p = fixture_load("spnego/krb5_apreq.bin", &n);
	assert_int_equal(gss_tok_decode(p, n, &t), 0);
	assert_int_equal(t.kind, TOK_KRB5);
	assert_string_equal(t.krb_oid, KRB5);
	check_iis_ap_req(&t);
	assert_int_equal(p[9], 0x86);		/* 2a 86 48 [86] f7 12 ... */
	p[9] = 0x82;
	assert_int_equal(gss_tok_decode(p, n, &t), 0);
	assert_int_equal(t.kind, TOK_KRB5);
	assert_string_equal(t.krb_oid, MSKRB5);
	check_iis_ap_req(&t);
	p[9] = 0x83;				/* some other mechanism */
	assert_int_equal(gss_tok_decode(p, n, &t), ERR_UNSUPPORTED);
	assert_int_equal(t.krb_tok_id, 0);
	/* no framing at all: 60 82 06 aa, OID (11 bytes), TOK_ID */
	assert_int_equal(p[17], 0x6e);
	assert_int_equal(gss_tok_decode(p + 17, n - 17, &t), 0);
	assert_int_equal(t.kind, TOK_KRB5);
	assert_string_equal(t.krb_oid, "");
	check_iis_ap_req(&t);
	free(p);
}

/* A NegTokenInit without the 0x60 wrapper. */
static void
test_bare_init(void **state)
{
	struct gss_tok t;
	uint8_t *p;
	size_t n, skip = 4 + 8;			/* 60 82 06 f8, SPNEGO OID */

	(void)state;
	p = fixture_load("spnego/http_init_apreq.bin", &n);
	assert_int_equal(p[skip], 0xa0);
	assert_int_equal(gss_tok_decode(p + skip, n - skip, &t), 0);
	assert_int_equal(t.kind, TOK_SPNEGO_INIT);
	assert_int_equal(t.n_mechs, 4);
	check_iis_ap_req(&t);
	free(p);
}

/* nDPI smb_frags.pcap: NegTokenInit2 hints, AP-REQ, then error 37 */
static void
test_smb_skew(void **state)
{
	struct gss_tok t;

	(void)state;
	assert_int_equal(decode("spnego/smb_init2_hints.bin", &t), 0);
	assert_int_equal(t.kind, TOK_SPNEGO_INIT);
	assert_int_equal(t.n_mechs, 5);
	assert_string_equal(gss_oid_name(t.mechs[0]), "negoex");
	assert_string_equal(gss_oid_name(t.mechs[3]), "krb5-u2u");
	assert_string_equal(gss_oid_name(t.mechs[4]), "ntlmssp");
	assert_false(t.has_mech_token);
	assert_int_equal(t.krb_tok_id, 0);

	/* frame 6: lengths in non-minimal long form (82 00 06) */
	assert_int_equal(decode("spnego/smb_init_apreq.bin", &t), 0);
	assert_int_equal(t.n_mechs, 1);
	assert_string_equal(t.mechs[0], KRB5);
	assert_int_equal(t.krb_tok_id, 0x0100);
	assert_string_equal(t.krb.tkt_realm, "CIVILPENSION.LOCAL");
	assert_string_equal(t.krb.tkt_sname.text,
	    "cifs/hqdc-02.civilpension.local");
	assert_int_equal(t.krb.tkt_etype, 18);
	assert_int_equal(t.krb.tkt_kvno, 32);

	/* frame 7: KRB_AP_ERR_SKEW with the server's time */
	assert_int_equal(decode("spnego/smb_resp_err37.bin", &t), 0);
	assert_int_equal(t.kind, TOK_SPNEGO_RESP);
	assert_int_equal(t.neg_state, NEG_ACCEPT_INCOMPLETE);
	assert_string_equal(t.supported_mech, KRB5);
	assert_int_equal(t.krb_tok_id, 0x0300);
	assert_int_equal(t.krb.msg_type, 30);
	assert_int_equal(t.krb.error_code, 37);
	assert_true(t.krb.stime == 1623514303LL);	/* 2021-06-12 16:11:43Z */
	assert_int_equal(t.krb.susec, 184004);
	assert_string_equal(t.krb.realm, "CIVILPENSION.LOCAL");
	assert_string_equal(t.krb.sname.text, "hqdc-02$");
	assert_int_equal(t.krb.edata_kind, KRB_EDATA_KERB_ERROR_DATA);
	assert_int_equal(t.krb.kerb_err_data_type, 2);	/* skew recovery */
	assert_false(t.krb.has_ntstatus);
}

static void
test_other_krb(void **state)
{
	struct gss_tok t;

	(void)state;
	/* zeek smb_gssapi.pcap frame 8: accept-completed, no supportedMech */
	assert_int_equal(decode("spnego/smb_resp_aprep.bin", &t), 0);
	assert_int_equal(t.kind, TOK_SPNEGO_RESP);
	assert_int_equal(t.neg_state, 0);
	assert_string_equal(t.supported_mech, "");
	assert_int_equal(t.krb_tok_id, 0x0200);
	assert_int_equal(t.krb.enc_etype, 23);
	/* zeek ldap aduser1.pcap frame 46: mechToken is a raw AP-REQ */
	assert_int_equal(decode("spnego/ldap_init_raw_apreq.bin", &t), 0);
	assert_int_equal(t.kind, TOK_SPNEGO_INIT);
	assert_string_equal(t.mechs[0], MSKRB5);
	assert_int_equal(t.krb_tok_id, 0x0100);
	assert_string_equal(t.krb_oid, "");
	assert_string_equal(t.krb.tkt_realm, "ADHACKING.LOCAL");
	assert_string_equal(t.krb.tkt_sname.text, "ldap/WIN-VGO56I95EAK");
	assert_int_equal(t.krb.tkt_etype, 18);
	assert_int_equal(t.krb.tkt_kvno, 3);
}

static void
test_ntlm(void **state)
{
	struct gss_tok t;

	(void)state;
	/* arkime ntlm_synthetic.pcap frames 58/60: raw NTLM under Negotiate */
	assert_int_equal(decode("spnego/http_ntlm1_raw.bin", &t), 0);
	assert_int_equal(t.kind, TOK_NTLM);
	assert_int_equal(t.ntlm_type, 1);
	assert_int_equal(decode("spnego/http_ntlm2_raw.bin", &t), 0);
	assert_int_equal(t.kind, TOK_NTLM);
	assert_int_equal(t.ntlm_type, 2);
	/* wswiki smb-on-windows-10.pcapng frames 707/708: NTLM in SPNEGO */
	assert_int_equal(decode("spnego/smb_init_ntlm1.bin", &t), 0);
	assert_int_equal(t.kind, TOK_SPNEGO_INIT);
	assert_int_equal(t.n_mechs, 1);
	assert_string_equal(t.mechs[0], NTLMSSP);
	assert_int_equal(t.ntlm_type, 1);
	assert_int_equal(t.krb_tok_id, 0);
	assert_int_equal(decode("spnego/smb_resp_ntlm2.bin", &t), 0);
	assert_int_equal(t.kind, TOK_SPNEGO_RESP);
	assert_int_equal(t.neg_state, 1);
	assert_string_equal(t.supported_mech, NTLMSSP);
	assert_int_equal(t.ntlm_type, 2);
	/* frame 196: a NegoEx mechToken is neither */
	assert_int_equal(decode("spnego/smb_init_negoex.bin", &t), 0);
	assert_int_equal(t.n_mechs, 2);
	assert_string_equal(t.mechs[0], NEGOEX);
	assert_true(t.has_mech_token);
	assert_int_equal(t.ntlm_type, 0);
	assert_int_equal(t.krb_tok_id, 0);
}

/* Wrap body in a TLV (definite length, short or 0x82 form). */
static size_t
tlv(uint8_t *out, uint8_t ident, const uint8_t *body, size_t len)
{
	size_t h = 0;

	out[h++] = ident;
	if (len < 0x80)
		out[h++] = (uint8_t)len;
	else {
		out[h++] = 0x82;
		out[h++] = (uint8_t)(len >> 8);
		out[h++] = (uint8_t)len;
	}
	memmove(out + h, body, len);
	return h + len;
}

/* A NegTokenResp whose responseToken is a bare AP-REP (no 0x60 framing),
 * built around the AP-REP of rbcd_win_trasitive_trust.pcapng frame 21. */
static void
test_raw_aprep_resp(void **state)
{
	static const uint8_t state0[] = { 0xa0, 0x03, 0x0a, 0x01, 0x00 };
	uint8_t a[512], b[512], *p;
	struct gss_tok t;
	size_t n, i, len;

	(void)state;
	p = fixture_load("spnego/http_resp_aprep.bin", &n);
	for (i = 0; i < n && p[i] != 0x6f; i++)
		;
	assert_true(i < n);
	len = tlv(a, 0x04, p + i, n - i);		/* OCTET STRING */
	len = tlv(b + sizeof(state0), 0xa2, a, len);	/* [2] responseToken */
	memcpy(b, state0, sizeof(state0));		/* [0] negState 0 */
	len = tlv(a, 0x30, b, sizeof(state0) + len);
	len = tlv(b, 0xa1, a, len);
	free(p);
	p = fixture_dup(b, len);
	assert_int_equal(gss_tok_decode(p, len, &t), 0);
	assert_int_equal(t.kind, TOK_SPNEGO_RESP);
	assert_int_equal(t.neg_state, 0);
	assert_int_equal(t.krb_tok_id, 0x0200);
	assert_string_equal(t.krb_oid, "");
	assert_int_equal(t.krb.msg_type, 15);
	assert_int_equal(t.krb.enc_etype, 23);
	free(p);
}

/* MIT initiator and acceptor (tests/data/mit-tokens.sh): the MP's answers */
static void
test_mit(void **state)
{
	static const struct {
		const char *file;
		int code;
	} rejects[] = {
		{ "spnego/mit_reject_err44.bin", 44 },	/* kvno not in keytab */
		{ "spnego/mit_reject_err31.bin", 31 },	/* wrong key, same kvno */
	};
	struct gss_tok t;
	size_t i;

	(void)state;
	assert_int_equal(decode("spnego/mit_init_apreq.bin", &t), 0);
	assert_int_equal(t.kind, TOK_SPNEGO_INIT);
	assert_int_equal(t.n_mechs, 1);
	assert_string_equal(t.mechs[0], KRB5);
	assert_int_equal(t.krb_tok_id, 0x0100);
	assert_string_equal(t.krb.tkt_realm, "GEN.TEST");
	assert_string_equal(t.krb.tkt_sname.text, "HTTP/mp.gen.test");
	assert_int_equal(t.krb.tkt_sname.type, 3);	/* NT-SRV-HST */
	assert_int_equal(t.krb.tkt_etype, 18);
	assert_int_equal(t.krb.tkt_kvno, 3);
	assert_int_equal(t.krb.ap_options, 0x20000000);

	assert_int_equal(decode("spnego/mit_accept_aprep.bin", &t), 0);
	assert_int_equal(t.kind, TOK_SPNEGO_RESP);
	assert_int_equal(t.neg_state, NEG_ACCEPT_COMPLETED);
	assert_string_equal(t.supported_mech, KRB5);
	assert_int_equal(t.krb_tok_id, 0x0200);
	assert_int_equal(t.krb.enc_etype, 18);

	for (i = 0; i < sizeof(rejects) / sizeof(rejects[0]); i++) {
		assert_int_equal(decode(rejects[i].file, &t), 0);
		assert_int_equal(t.kind, TOK_SPNEGO_RESP);
		assert_int_equal(t.neg_state, NEG_REJECT);
		assert_string_equal(t.supported_mech, "");
		assert_int_equal(t.krb_tok_id, 0x0300);
		assert_string_equal(t.krb_oid, KRB5);
		assert_int_equal(t.krb.error_code, rejects[i].code);
		assert_string_equal(t.krb.realm, "GEN.TEST");
		assert_string_equal(t.krb.sname.text, "HTTP/mp.gen.test");
		assert_true(t.krb.stime > 0);
		assert_in_range(t.krb.susec, 0, 999999);
	}
}

/* Cut inside the ticket's cipher text: the ticket header is still read. */
static void
test_partial(void **state)
{
	struct gss_tok t;
	uint8_t *p, *q;
	size_t n;

	(void)state;
	p = fixture_load("spnego/http_init_apreq.bin", &n);
	q = fixture_dup(p, n / 2);
	assert_int_equal(gss_tok_decode(q, n / 2, &t), ERR_TRUNCATED);
	assert_int_equal(t.kind, TOK_SPNEGO_INIT);
	assert_int_equal(t.n_mechs, 4);
	assert_int_equal(t.krb_tok_id, 0x0100);
	assert_string_equal(t.krb.tkt_sname.text, "HTTP/iis-user.beta.local");
	assert_int_equal(t.krb.tkt_kvno, 3);
	free(q);
	free(p);
}

static void
test_prefixes(void **state)
{
	struct gss_tok t;
	uint8_t *p, *q;
	size_t n, i, k;
	int r;

	(void)state;
	for (k = 0; k < sizeof(all) / sizeof(all[0]); k++) {
		p = fixture_load(all[k], &n);
		for (i = 0; i < n; i++) {
			q = fixture_dup(p, i);
			r = gss_tok_decode(q, i, &t);
			/* NTLM has no length of its own: 12 bytes tell it all */
			if (r == 0 && !(p[0] == 'N' && i >= 12))
				fail_msg("%s: prefix %zu decoded", all[k], i);
			free(q);
		}
		q = fixture_dup(p, n);
		assert_int_equal(gss_tok_decode(q, n, &t), 0);
		free(q);
		free(p);
	}
}

static void
test_mutations(void **state)
{
	static const uint8_t vals[] = { 0x00, 0x60, 0x7f, 0x80, 0x84, 0xff };
	struct gss_tok t;
	uint8_t *p, *q;
	size_t n, i, k, v;

	(void)state;
	for (k = 0; k < sizeof(all) / sizeof(all[0]); k++) {
		p = fixture_load(all[k], &n);
		q = fixture_dup(p, n);
		for (i = 0; i < n; i++) {
			for (v = 0; v < sizeof(vals); v++) {
				q[i] = vals[v];
				(void)gss_tok_decode(q, n, &t);
			}
			q[i] = p[i];
		}
		free(q);
		free(p);
	}
}

static void
test_junk(void **state)
{
	static const uint8_t ntlm_bad[] = { 'N', 'T', 'L', 'M', 'S', 'S', 'P',
	    0, 9, 0, 0, 0 };
	static const uint8_t basic[] = "dXNlcjpwYXNz";
	struct gss_tok t;

	(void)state;
	assert_int_equal(gss_tok_decode(ntlm_bad, sizeof(ntlm_bad), &t),
	    ERR_UNSUPPORTED);
	assert_int_equal(gss_tok_decode(basic, sizeof(basic) - 1, &t),
	    ERR_UNSUPPORTED);
	assert_int_equal(t.kind, TOK_UNKNOWN);
	assert_int_equal(gss_tok_decode(NULL, 0, &t), ERR_TRUNCATED);
	assert_int_equal(t.krb.error_code, -1);
	assert_null(gss_oid_name("1.2.3"));
	assert_null(gss_oid_name(NULL));
	assert_string_equal(gss_oid_name("1.3.6.1.5.5.2"), "spnego");
	assert_string_equal(gss_oid_name(KRB5), "krb5");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_init),
		cmocka_unit_test(test_http_resp),
		cmocka_unit_test(test_krb5_token),
		cmocka_unit_test(test_bare_init),
		cmocka_unit_test(test_smb_skew),
		cmocka_unit_test(test_other_krb),
		cmocka_unit_test(test_ntlm),
		cmocka_unit_test(test_mit),
		cmocka_unit_test(test_raw_aprep_resp),
		cmocka_unit_test(test_partial),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_junk),
	};

	return cmocka_run_group_tests_name("spnego", tests, NULL, NULL);
}
