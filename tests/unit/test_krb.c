/* test_krb.c - Kerberos decoder against messages from public captures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "fixture.h"
#include "krb.h"

static const char *const all[] = {
	"krb/as_req.bin", "krb/as_req_preauth.bin", "krb/as_rep.bin",
	"krb/tgs_req.bin", "krb/tgs_req_cross.bin", "krb/tgs_rep_referral.bin",
	"krb/tgs_rep_final.bin", "krb/tgs_rep_rc4.bin",
	"krb/err7_s_principal_unknown.bin", "krb/err25_preauth_required.bin",
	"krb/err13_ntstatus.bin", "krb/err60_no_sname.bin",
	"krb/err52_udp.bin", "krb/err68_wrong_realm.bin",
	"krb/err7_mit_etext.bin", "krb/err6_enterprise.bin",
};

static int
decode(const char *rel, struct krb_msg *m)
{
	uint8_t *p;
	size_t n;
	int r;

	p = fixture_load(rel, &n);
	r = krb_decode(p, n, m);
	free(p);
	return r;
}

/* suricata-verify bug-8278-krb5-03 baseline.2.flows.pcap frame 21 */
static void
test_err7(void **state)
{
	struct krb_msg m;

	(void)state;
	assert_int_equal(decode("krb/err7_s_principal_unknown.bin", &m), 0);
	assert_int_equal(m.msg_type, KRB_ERROR);
	assert_string_equal(krb_msg_name(m.msg_type), "KRB-ERROR");
	assert_int_equal(m.pvno, 5);
	assert_int_equal(m.error_code, 7);
	assert_string_equal(krb_err_name(m.error_code),
	    "KDC_ERR_S_PRINCIPAL_UNKNOWN");
	assert_string_equal(m.realm, "DOM189.LOCAL");
	assert_string_equal(m.crealm, "");
	assert_int_equal(m.sname.type, 2);
	assert_string_equal(m.sname.text, "host/anything");
	assert_int_equal(m.cname.type, -1);
	assert_true(m.stime == 1771014631LL);	/* 2026-02-13 20:30:31Z */
	assert_int_equal(m.susec, 275103);
	assert_true(m.ctime == -1);
	assert_int_equal(m.cusec, -1);
	assert_int_equal(m.edata_kind, KRB_EDATA_NONE);
	assert_int_equal(m.has_ticket, 0);
	assert_false(krb_is_referral(&m));
}

/* same capture, frame 5: PREAUTH_REQUIRED with METHOD-DATA */
static void
test_err25(void **state)
{
	static const int pa[] = { 11, 19, 2, 16, 15 };
	struct krb_msg m;

	(void)state;
	assert_int_equal(decode("krb/err25_preauth_required.bin", &m), 0);
	assert_int_equal(m.error_code, 25);
	assert_string_equal(m.sname.text, "krbtgt/DOM189.LOCAL");
	assert_true(m.stime == 1771014631LL);
	assert_int_equal(m.susec, 243953);
	assert_int_equal(m.edata_kind, KRB_EDATA_METHOD_DATA);
	assert_int_equal(m.n_edata_padata, 5);
	assert_memory_equal(m.edata_padata, pa, sizeof(pa));
	assert_string_equal(krb_padata_name(m.edata_padata[1]),
	    "PA-ETYPE-INFO2");
	assert_int_equal(m.kerb_err_data_type, -1);
	assert_int_equal(m.n_padata, 0);
}

/* nDPI kerberos.pcap frame 32: KERB-ERROR-DATA with KERB-EXT-ERROR */
static void
test_err13_ntstatus(void **state)
{
	struct krb_msg m;

	(void)state;
	assert_int_equal(decode("krb/err13_ntstatus.bin", &m), 0);
	assert_int_equal(m.error_code, 13);
	assert_string_equal(krb_err_name(13), "KDC_ERR_BADOPTION");
	assert_string_equal(m.realm, "HAPPYCRAFT.ORG");
	assert_int_equal(m.sname.type, 10);
	assert_string_equal(m.sname.text, "johnson-pc$@HAPPYCRAFT.ORG");
	assert_true(m.stime == 1549337929LL);
	assert_int_equal(m.susec, 826418);
	assert_int_equal(m.edata_kind, KRB_EDATA_KERB_ERROR_DATA);
	assert_int_equal(m.kerb_err_data_type, 3);
	assert_true(m.has_ntstatus);
	assert_int_equal(m.ntstatus, 0xc00000bb);	/* STATUS_NOT_SUPPORTED */
	assert_int_equal(m.n_edata_padata, 0);
}

static void
test_other_errors(void **state)
{
	struct krb_msg m;

	(void)state;
	/* zeek optional-service-name.pcap frame 4 */
	assert_int_equal(decode("krb/err60_no_sname.bin", &m), 0);
	assert_int_equal(m.error_code, 60);
	assert_string_equal(krb_err_name(60), "KRB_ERR_GENERIC");
	assert_string_equal(m.realm, "HEC.NET");
	/* nDPI kerberos-error.pcap frame 2 */
	assert_int_equal(decode("krb/err52_udp.bin", &m), 0);
	assert_int_equal(m.error_code, 52);
	assert_string_equal(krb_err_name(52), "KRB_ERR_RESPONSE_TOO_BIG");
	assert_string_equal(m.sname.text, "krbtgt/LINUX.SHELL.COM");
	/* wswiki win_s4u2self.pcap frame 6 */
	assert_int_equal(decode("krb/err68_wrong_realm.bin", &m), 0);
	assert_int_equal(m.error_code, 68);
	assert_string_equal(krb_err_name(68), "KDC_ERR_WRONG_REALM");
	assert_string_equal(m.realm, "ACME.COM");
	assert_string_equal(m.crealm, "CDOM.ACME.COM");
}

/* zeek krb/kinit.pcap frames 175 and 76: MIT errors with ctime, cname, e-text */
static void
test_mit_errors(void **state)
{
	struct krb_msg m;

	(void)state;
	assert_int_equal(decode("krb/err7_mit_etext.bin", &m), 0);
	assert_int_equal(m.error_code, 7);
	assert_string_equal(m.realm, "VLADG.NET");
	assert_string_equal(m.crealm, "VLADG.NET");
	assert_int_equal(m.cname.type, 1);
	assert_string_equal(m.cname.text, "valid_client_principal");
	assert_string_equal(m.sname.text,
	    "invalid_service_principal/test.vladg.net");
	assert_string_equal(m.etext, "SERVER_NOT_FOUND");
	assert_true(m.ctime == 1436675346LL);
	assert_int_equal(m.cusec, -1);
	assert_true(m.stime == 1421708052LL);
	assert_int_equal(m.susec, 481339);

	assert_int_equal(decode("krb/err6_enterprise.bin", &m), 0);
	assert_int_equal(m.error_code, 6);
	assert_string_equal(krb_err_name(6), "KDC_ERR_C_PRINCIPAL_UNKNOWN");
	assert_int_equal(m.cname.type, 10);
	assert_string_equal(m.cname.text, "enterprise_principal@AD.VLADG.NET");
	assert_string_equal(m.etext, "CLIENT_NOT_FOUND");
}

static void
test_as_req(void **state)
{
	static const int pa[] = { 2, 128 };
	struct krb_msg m;

	(void)state;
	assert_int_equal(decode("krb/as_req.bin", &m), 0);
	assert_int_equal(m.msg_type, KRB_AS_REQ);
	assert_int_equal(m.pvno, 5);
	assert_int_equal(m.cname.type, 1);
	assert_string_equal(m.cname.text, "test");
	assert_string_equal(m.realm, "DOM189.LOCAL");
	assert_string_equal(m.sname.text, "krbtgt/DOM189.LOCAL");
	assert_int_equal(m.kdc_options, 0x50800000);
	assert_int_equal(m.n_etypes, 1);
	assert_int_equal(m.etypes[0], 23);
	assert_int_equal(m.n_padata, 1);
	assert_int_equal(m.padata[0], 128);
	assert_int_equal(m.pac_request, 1);
	assert_int_equal(m.error_code, -1);

	assert_int_equal(decode("krb/as_req_preauth.bin", &m), 0);
	assert_int_equal(m.n_padata, 2);
	assert_memory_equal(m.padata, pa, sizeof(pa));
	assert_int_equal(m.pac_request, 1);
}

static void
test_as_rep(void **state)
{
	struct krb_msg m;

	(void)state;
	assert_int_equal(decode("krb/as_rep.bin", &m), 0);
	assert_int_equal(m.msg_type, KRB_AS_REP);
	assert_string_equal(m.crealm, "DOM189.LOCAL");
	assert_string_equal(m.cname.text, "test");
	assert_true(m.has_ticket);
	assert_string_equal(m.tkt_realm, "DOM189.LOCAL");
	assert_string_equal(m.tkt_sname.text, "krbtgt/DOM189.LOCAL");
	assert_int_equal(m.tkt_etype, 18);
	assert_int_equal(m.tkt_kvno, 2);
	assert_int_equal(m.enc_etype, 23);
	assert_int_equal(m.enc_kvno, 4);
	assert_false(krb_is_referral(&m));
}

static void
test_tgs_req(void **state)
{
	static const int et[] = { 23, 16, 3, 23 };
	static const int et2[] = { 18, 17, 23, 24, -135 };
	struct krb_msg m;

	(void)state;
	/* baseline.2.flows.pcap frame 20: the request that got error 7 */
	assert_int_equal(decode("krb/tgs_req.bin", &m), 0);
	assert_int_equal(m.msg_type, KRB_TGS_REQ);
	assert_string_equal(m.realm, "DOM189.LOCAL");
	assert_string_equal(m.sname.text, "host/anything");
	assert_int_equal(m.kdc_options, 0x40810010);
	assert_int_equal(m.n_etypes, 4);
	assert_memory_equal(m.etypes, et, sizeof(et));
	assert_int_equal(m.n_padata, 1);
	assert_int_equal(m.padata[0], 1);
	/* the TGT presented in PA-TGS-REQ */
	assert_true(m.has_ticket);
	assert_string_equal(m.tkt_realm, "DOM189.LOCAL");
	assert_string_equal(m.tkt_sname.text, "krbtgt/DOM189.LOCAL");
	assert_int_equal(m.tkt_etype, 18);
	assert_int_equal(m.tkt_kvno, 2);

	/* rbcd_win_trasitive_trust.pcapng frame 9: first hop for HTTP/ */
	assert_int_equal(decode("krb/tgs_req_cross.bin", &m), 0);
	assert_string_equal(m.sname.text, "HTTP/iis-user.beta.local");
	assert_string_equal(m.realm, "HACKERS.DEVEL.ALPHA.LOCAL");
	assert_int_equal(m.n_etypes, 5);
	assert_memory_equal(m.etypes, et2, sizeof(et2));
	assert_string_equal(krb_etype_name(m.etypes[4]), "rc4-hmac-old-exp");
	assert_int_equal(m.n_padata, 2);
	assert_int_equal(m.padata[1], 167);
}

/* rbcd_win_trasitive_trust.pcapng frames 11 (referral) and 19 (service) */
static void
test_referral(void **state)
{
	struct krb_msg m;

	(void)state;
	assert_int_equal(decode("krb/tgs_rep_referral.bin", &m), 0);
	assert_int_equal(m.msg_type, KRB_TGS_REP);
	assert_string_equal(m.crealm, "HACKERS.DEVEL.ALPHA.LOCAL");
	assert_string_equal(m.cname.text, "apache");
	assert_string_equal(m.tkt_realm, "HACKERS.DEVEL.ALPHA.LOCAL");
	assert_int_equal(m.tkt_sname.type, 2);
	assert_string_equal(m.tkt_sname.text, "krbtgt/DEVEL.ALPHA.LOCAL");
	assert_int_equal(m.tkt_etype, 23);
	assert_int_equal(m.tkt_kvno, -1);
	assert_int_equal(m.enc_etype, 18);
	assert_true(krb_is_referral(&m));

	assert_int_equal(decode("krb/tgs_rep_final.bin", &m), 0);
	assert_string_equal(m.tkt_realm, "BETA.LOCAL");
	assert_string_equal(m.tkt_sname.text, "HTTP/iis-user.beta.local");
	assert_int_equal(m.tkt_etype, 23);
	assert_int_equal(m.tkt_kvno, 3);
	assert_false(krb_is_referral(&m));

	/* a renewed TGT of the same realm, in another case, is no referral */
	strcpy(m.tkt_sname.text, "KRBTGT/beta.local");
	assert_false(krb_is_referral(&m));
	strcpy(m.tkt_sname.text, "krbtgt/");
	assert_false(krb_is_referral(&m));
	strcpy(m.tkt_sname.text, "krbtgt/ALPHA.LOCAL");
	assert_true(krb_is_referral(&m));
	m.msg_type = KRB_AS_REP;
	assert_false(krb_is_referral(&m));
}

/* suricata-verify krb5-kerberoasting: an RC4 service ticket */
static void
test_rc4_ticket(void **state)
{
	struct krb_msg m;

	(void)state;
	assert_int_equal(decode("krb/tgs_rep_rc4.bin", &m), 0);
	assert_string_equal(m.tkt_sname.text, "HTTP/dc-mantvydas.offense.local");
	assert_int_equal(m.tkt_etype, 23);
	assert_string_equal(krb_etype_name(m.tkt_etype), "rc4-hmac");
	assert_int_equal(m.tkt_kvno, 2);
	assert_int_equal(m.enc_etype, 18);
}

/* Cut right after error-code: what precedes the cut is still reported. */
static void
test_partial(void **state)
{
	static const uint8_t code[] = { 0xa6, 0x03, 0x02, 0x01, 0x07 };
	struct krb_msg m;
	uint8_t *p, *q;
	size_t n, i;

	(void)state;
	p = fixture_load("krb/err7_s_principal_unknown.bin", &n);
	for (i = 0; i + sizeof(code) <= n; i++)
		if (memcmp(p + i, code, sizeof(code)) == 0)
			break;
	assert_true(i + sizeof(code) < n);
	q = fixture_dup(p, i + sizeof(code));
	assert_int_equal(krb_decode(q, i + sizeof(code), &m), ERR_TRUNCATED);
	assert_int_equal(m.msg_type, KRB_ERROR);
	assert_int_equal(m.error_code, 7);
	assert_true(m.stime == 1771014631LL);
	assert_string_equal(m.realm, "");	/* comes after the cut */
	free(q);
	/* cut inside the realm string: the string is not half filled */
	q = fixture_dup(p, i + sizeof(code) + 6);
	assert_int_equal(krb_decode(q, i + sizeof(code) + 6, &m), ERR_TRUNCATED);
	assert_string_equal(m.realm, "");
	free(q);
	free(p);
}

/* Every prefix of every message fails cleanly; ASan checks the reads. */
static void
test_prefixes(void **state)
{
	struct krb_msg m;
	uint8_t *p, *q;
	size_t n, i, k;
	int r;

	(void)state;
	for (k = 0; k < sizeof(all) / sizeof(all[0]); k++) {
		p = fixture_load(all[k], &n);
		for (i = 0; i < n; i++) {
			q = fixture_dup(p, i);
			r = krb_decode(q, i, &m);
			if (r != ERR_TRUNCATED)
				fail_msg("%s: prefix %zu gave %d", all[k], i, r);
			if (i >= 4)
				assert_int_equal(m.msg_type, p[0] & 0x1f);
			free(q);
		}
		q = fixture_dup(p, n);
		assert_int_equal(krb_decode(q, n, &m), 0);
		free(q);
		free(p);
	}
}

/* Single-byte damage anywhere: an answer, never a crash. */
static void
test_mutations(void **state)
{
	static const uint8_t vals[] = { 0x00, 0x7f, 0x80, 0x84, 0xff };
	struct krb_msg m;
	uint8_t *p, *q;
	size_t n, i, k, v;

	(void)state;
	for (k = 0; k < sizeof(all) / sizeof(all[0]); k++) {
		p = fixture_load(all[k], &n);
		q = fixture_dup(p, n);
		for (i = 0; i < n; i++) {
			for (v = 0; v < sizeof(vals); v++) {
				q[i] = vals[v];
				(void)krb_decode(q, n, &m);
			}
			q[i] = p[i];
		}
		free(q);
		free(p);
	}
}

static void
test_not_kerberos(void **state)
{
	static const uint8_t ticket[] = { 0x61, 0x03, 0x30, 0x01, 0x00 };
	static const uint8_t seq[] = { 0x30, 0x00 };
	struct krb_msg m;
	uint8_t *p;
	size_t n;

	(void)state;
	/* nDPI kerberos_fuzz.pcapng: a damaged packet */
	p = fixture_load("krb/fuzzed_frame.bin", &n);
	assert_int_not_equal(krb_decode(p, n, &m), 0);
	free(p);
	assert_int_equal(krb_decode(ticket, sizeof(ticket), &m),
	    ERR_UNSUPPORTED);
	assert_int_equal(m.msg_type, 1);
	assert_int_equal(krb_decode(seq, sizeof(seq), &m), ERR_MALFORMED);
	assert_int_equal(krb_decode(NULL, 0, &m), ERR_TRUNCATED);
	assert_int_equal(m.error_code, -1);
}

static void
test_names(void **state)
{
	int i;

	(void)state;
	for (i = 0; i <= 52; i++)
		if (i != 30)
			assert_non_null(krb_err_name(i));
	for (i = 60; i <= 81; i++)
		assert_non_null(krb_err_name(i));
	assert_string_equal(krb_err_name(37), "KRB_AP_ERR_SKEW");
	assert_string_equal(krb_err_name(41), "KRB_AP_ERR_MODIFIED");
	assert_string_equal(krb_err_name(93),
	    "KDC_ERR_UNKNOWN_CRITICAL_FAST_OPTIONS");
	assert_null(krb_err_name(30));
	assert_null(krb_err_name(94));
	assert_null(krb_err_name(-1));
	assert_null(krb_err_name(100000));
	assert_string_equal(krb_msg_name(13), "TGS-REP");
	assert_null(krb_msg_name(99));
	assert_string_equal(krb_etype_name(18), "aes256-cts-hmac-sha1-96");
	assert_string_equal(krb_etype_name(17), "aes128-cts-hmac-sha1-96");
	assert_null(krb_etype_name(4));
	assert_string_equal(krb_padata_name(128), "PA-PAC-REQUEST");
	assert_null(krb_padata_name(9999));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_err7),
		cmocka_unit_test(test_err25),
		cmocka_unit_test(test_err13_ntstatus),
		cmocka_unit_test(test_other_errors),
		cmocka_unit_test(test_mit_errors),
		cmocka_unit_test(test_as_req),
		cmocka_unit_test(test_as_rep),
		cmocka_unit_test(test_tgs_req),
		cmocka_unit_test(test_referral),
		cmocka_unit_test(test_rc4_ticket),
		cmocka_unit_test(test_partial),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_not_kerberos),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("krb", tests, NULL, NULL);
}
