/*
 * test_rules.c - the engine's rules over recorded facts (src/rules_logs.c,
 * src/rules_mp.c), on events made here as register, mp-info and the log
 * readers make them: each finding from its fact, and none without it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "engine.h"
#include "report.h"
#include "report_find.h"
#include "rules.h"
#include "util.h"

static struct report r;

static int
setup(void **state)
{
	(void)state;
	report_init(&r, "register", "mp.test");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	report_release(&r);
	return 0;
}

static int
add(const struct event *ev)
{
	int i = report_add_event(&r, ev);

	assert_true(i >= 0);
	return i;
}

static const struct finding *
finding(const char *key)
{
	return report_find(&r, key);
}

/* The only finding is key, citing event ev alone. */
static void
only(const char *key, int ev)
{
	const struct finding *f;

	assert_int_equal(r.n_findings, 1);
	assert_non_null(f = finding(key));
	assert_int_equal(f->n_evidence, 1);
	assert_int_equal(f->evidence[0], ev);
}

static void
reset(void)
{
	teardown(NULL);
	setup(NULL);
}

/* ev alone in a new report, judged by rules: want (NULL: nothing). */
static void
judged(const struct event *ev, void (*rules)(struct report *),
    const char *want)
{
	int k;

	reset();
	k = add(ev);
	rules(&r);
	if (want)
		only(want, k);
	else
		assert_int_equal(r.n_findings, 0);
}

/* A ClientRegistrationResponse the registration ended on (or not). */
static int
response(int status, int approval, const char *smsid, int final)
{
	struct event ev;

	event_init(&ev, EV_REG_REPLY);
	ev.reg.reply = REG_REPLY_RESPONSE;
	ev.reg.status = status;
	ev.reg.approval = approval;
	strlcpy0(ev.reg.smsid, smsid, sizeof(ev.reg.smsid));
	ev.reg.smsid_valid = strncmp(smsid, "GUID:", 5) == 0;
	ev.reg.final = final;
	return add(&ev);
}

static void
test_final_status(void **state)
{
	static const struct {
		int status, approval;
		const char *smsid, *want;
	} cases[] = {
		{ 0, 1, "GUID:A", "registration-approved" },
		{ 0, 2, "GUID:A", "registration-approved" },
		{ 0, 0, "GUID:A", "registration-unapproved" },
		{ 0, -2, "GUID:A", "registration-unapproved" },
		{ 1, 0, "GUID:A", "registration-pending" },
		{ 1, 0, "", "registration-reply-invalid" },
		{ 2, -2, "", "registration-reset" },
		{ 3, -2, "", "registration-rejected" },
		{ 4, -2, "", "registration-cert-conflict" },
		{ 7, -2, "", "registration-rejected" },
	};
	size_t i;
	int ev;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		reset();
		ev = response(cases[i].status, cases[i].approval,
		    cases[i].smsid, 1);
		rules_mp(&r);
		only(cases[i].want, ev);
	}
}

/* A Pending that was confirmed is a step: only the last reply counts. */
static void
test_pending_confirmed(void **state)
{
	int ev;

	(void)state;
	(void)response(1, 0, "GUID:A", 0);
	ev = response(0, 1, "GUID:A", 1);
	rules_mp(&r);
	only("registration-approved", ev);
	reset();
	(void)response(1, 0, "GUID:A", 0);
	rules_mp(&r);
	assert_int_equal(r.n_findings, 0);
}

static void
test_reply_problems(void **state)
{
	static const struct {
		enum reg_reply what;
		const char *want;
	} cases[] = {
		{ REG_REPLY_TOO_LARGE, "registration-reply-too-large" },
		{ REG_REPLY_TRUNCATED, "registration-reply-truncated" },
		{ REG_REPLY_EMPTY, "registration-reply-empty" },
		{ REG_REPLY_HTML, "registration-reply-html" },
		{ REG_REPLY_NOT_MULTIPART, "registration-reply-invalid" },
		{ REG_REPLY_BAD_ZLIB, "registration-reply-bad-zlib" },
		{ REG_REPLY_BAD_UTF16, "registration-reply-bad-utf16" },
		{ REG_REPLY_BAD_PAYLOAD, "registration-reply-invalid" },
	};
	struct event ev;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		event_init(&ev, EV_REG_REPLY);
		ev.reg.reply = cases[i].what;
		judged(&ev, rules_mp, cases[i].want);
	}
}

static void
test_signature(void **state)
{
	static const struct {
		enum reg_signature sig;
		int trusted;
		const char *want;	/* NULL: nothing */
	} cases[] = {
		{ REG_SIG_UNSIGNED, 0, NULL },
		{ REG_SIG_UNSIGNED, 1, "registration-reply-unsigned" },
		{ REG_SIG_UNCHECKED, 0, NULL },
		{ REG_SIG_VERIFIED, 1, "registration-reply-verified" },
		{ REG_SIG_BAD, 1, "registration-reply-bad-signature" },
	};
	struct event ev;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		event_init(&ev, EV_REG_SIGNATURE);
		ev.reg.signature = cases[i].sig;
		ev.reg.trusted = cases[i].trusted;
		judged(&ev, rules_mp, cases[i].want);
	}
}

static void
test_tls(void **state)
{
	static const struct {
		enum tls_failure tls;
		const char *want;
	} cases[] = {
		{ TLS_FAIL_CLIENT_CERT_REJECTED, "mp-client-cert-rejected" },
		{ TLS_FAIL_CLIENT_CERT_REVOKED, "client-cert-revoked" },
		{ TLS_FAIL_SERVER_CERT_REVOKED, "mp-cert-revoked" },
		{ TLS_FAIL_CRL_UNUSABLE, "mp-crl-unusable" },
	};
	struct event ev;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		event_init(&ev, EV_TLS_FAILURE);
		ev.tls = cases[i].tls;
		judged(&ev, rules_mp, cases[i].want);
	}
	event_init(&ev, EV_TLS_FAILURE);
	judged(&ev, rules_mp, NULL);
}

/* An MP certificate judged at the time it came: expired, not yet valid,
 * valid, validity unknown. */
static void
test_mp_cert(void **state)
{
	struct event ev;
	int a, b;

	(void)state;
	event_init(&ev, EV_MP_CERT);
	ev.t = 2000;
	ev.cert.not_before = 1000;
	ev.cert.not_after = 1999;
	a = add(&ev);
	ev.cert.not_before = 2001;
	ev.cert.not_after = 3000;
	b = add(&ev);
	ev.cert.not_before = 1000;		/* valid */
	(void)add(&ev);
	event_init(&ev, EV_MP_CERT);		/* no dates read */
	(void)add(&ev);
	rules_mp(&r);
	assert_int_equal(r.n_findings, 1);
	assert_int_equal(finding("mp-cert-expired")->n_evidence, 2);
	assert_int_equal(finding("mp-cert-expired")->evidence[0], a);
	assert_int_equal(finding("mp-cert-expired")->evidence[1], b);
}

static void
test_ssl_state(void **state)
{
	struct event ev;
	int k;

	(void)state;
	event_init(&ev, EV_MP_SSL_STATE);
	ev.mp.ssl_state = 0;
	(void)add(&ev);
	ev.mp.ssl_state = 63;
	k = add(&ev);
	rules_mp(&r);
	only("mp-https-only", k);
}

static int
answer(const char *verb, int status, int xml)
{
	struct event ev;

	event_init(&ev, EV_MP_QUERY);
	strlcpy0(ev.name, verb, sizeof(ev.name));
	ev.status = status;
	ev.mp.xml = xml;
	return add(&ev);
}

/* MPLIST 500 while MPCERT answers: the site database, not a server error
 * of MPLIST; another verb's 500 is one. */
static void
test_site_db(void **state)
{
	const struct finding *f;
	int list, cert, key;

	(void)state;
	list = answer("MPLIST", 500, 0);
	cert = answer("MPCERT", 200, 1);
	key = answer("MPKEYINFORMATION", 503, 0);
	(void)answer("SITESIGNCERT", 200, 1);
	rules_mp(&r);
	assert_int_equal(r.n_findings, 2);
	assert_non_null(f = finding("mp-site-db-unreachable"));
	assert_int_equal(f->n_evidence, 2);
	assert_int_equal(f->evidence[0], list);
	assert_int_equal(f->evidence[1], cert);
	assert_non_null(f = finding("mp-server-error"));
	assert_int_equal(f->n_evidence, 1);
	assert_int_equal(f->evidence[0], key);
}

/* Answers, none of them XML, nothing else wrong: no getauth.dll.  One XML
 * answer, or an error that says why, and it is not said. */
static void
test_getauth(void **state)
{
	const struct finding *f;

	(void)state;
	(void)answer("MPLIST", 200, 0);
	(void)answer("MPCERT", 200, 0);
	rules_mp(&r);
	assert_non_null(f = finding("mp-getauth-unavailable"));
	assert_int_equal(f->n_evidence, 2);
	reset();
	(void)answer("MPLIST", 200, 0);
	(void)answer("MPCERT", 200, 1);
	rules_mp(&r);
	assert_int_equal(r.n_findings, 0);
	reset();
	(void)answer("MPLIST", 403, 0);
	(void)answer("MPCERT", 200, 0);
	rules_mp(&r);
	assert_non_null(finding("mp-forbidden"));
	assert_null(finding("mp-getauth-unavailable"));
}

/* The IIS request that decided a client: its verdict's finding. */
static void
test_iis_verdicts(void **state)
{
	static const struct {
		const char *verdict;
		int status;
		const char *want;	/* NULL: nothing */
	} cases[] = {
		{ "kerberos", 200, NULL },
		{ "ntlm", 200, "iis-ntlm-only" },
		{ "ntlm-incomplete", 401, "iis-ntlm-only" },
		{ "rejected", 401, "iis-kerberos-rejected" },
		{ "anonymous-accepted", 200, "mp-anonymous-accepted" },
		{ "never-authenticated", 401, "iis-never-authenticated" },
		{ "http-error", 403, "mp-forbidden" },
		{ "http-error", 404, "mp-not-mp" },
		{ "http-error", 502, "mp-server-error" },
		{ "http-error", 400, NULL },
		{ "unknown", 401, NULL },
		{ "", 401, NULL },
	};
	struct event ev;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		event_init(&ev, EV_IIS_REQUEST);
		ev.status = cases[i].status;
		strlcpy0(ev.iis.verdict, cases[i].verdict,
		    sizeof(ev.iis.verdict));
		judged(&ev, rules_logs, cases[i].want);
	}
}

static int
claim(enum ev_type type, const char *source, const char *guid,
    const char *hwid, const char *machine)
{
	struct event ev;

	event_init(&ev, type);
	strlcpy0(ev.source, source, sizeof(ev.source));
	strlcpy0(ev.cm.guid, guid, sizeof(ev.cm.guid));
	strlcpy0(ev.cm.hwid, hwid, sizeof(ev.cm.hwid));
	strlcpy0(ev.cm.machine, machine, sizeof(ev.cm.machine));
	return add(&ev);
}

/* One GUID, one hardware id, two names: a duplicate by name; the GUID's
 * case does not matter; another GUID or a GUID alone claims nothing. */
static void
test_duplicate_by_name(void **state)
{
	const struct finding *f;
	int a, b;

	(void)state;
	a = claim(EV_CM_RECORD, "mp.log:1", "AB-01", "2:11", "PC1");
	(void)claim(EV_CM_RECORD, "mp.log:2", "CD-02", "2:22", "PC2");
	(void)claim(EV_CM_RECORD, "mp.log:3", "AB-01", "", "");
	b = claim(EV_CM_RECORD, "mp.log:4", "ab-01", "2:11", "PC7");
	rules_logs(&r);
	assert_non_null(f = finding("duplicate-guid"));
	assert_int_equal(r.n_findings, 1);
	assert_int_equal(f->n_evidence, 2);
	assert_int_equal(f->evidence[0], a);
	assert_int_equal(f->evidence[1], b);
}

/* A client log's identity cites the records at its GUID's and hardware
 * id's lines, in its own file only. */
static void
test_identity_cites_its_lines(void **state)
{
	const struct finding *f;
	struct event ev;
	int rec_hw, rec_guid, other, id, mp;

	(void)state;
	other = claim(EV_CM_RECORD, "b/x.log:2", "", "2:99", "");
	rec_hw = claim(EV_CM_RECORD, "x.log:2", "", "2:11", "");
	rec_guid = claim(EV_CM_RECORD, "x.log:9", "AB-01", "", "");
	event_init(&ev, EV_CM_IDENTITY);
	strlcpy0(ev.source, "x.log:9", sizeof(ev.source));
	strlcpy0(ev.cm.guid, "AB-01", sizeof(ev.cm.guid));
	strlcpy0(ev.cm.hwid, "2:11", sizeof(ev.cm.hwid));
	ev.cm.line_guid = 9;
	ev.cm.line_hwid = 2;
	id = add(&ev);
	mp = claim(EV_CM_RECORD, "mp.log:3", "AB-01", "2:22", "");
	rules_logs(&r);
	assert_non_null(f = finding("duplicate-guid"));
	assert_int_equal(f->n_evidence, 4);
	assert_int_equal(f->evidence[0], id);
	assert_int_equal(f->evidence[1], rec_guid);
	assert_int_equal(f->evidence[2], rec_hw);
	assert_int_equal(f->evidence[3], mp);
	(void)other;
}

/* rules run from engine_run: the findings are there, sorted. */
static void
test_from_engine(void **state)
{
	(void)state;
	(void)response(0, 0, "GUID:A", 1);
	engine_run(&r);
	assert_non_null(finding("registration-unapproved"));
	assert_false(r.approved);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_final_status, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pending_confirmed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reply_problems, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_signature, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mp_cert, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ssl_state, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_site_db, setup, teardown),
		cmocka_unit_test_setup_teardown(test_getauth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iis_verdicts, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_by_name, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_identity_cites_its_lines,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_from_engine, setup,
		    teardown),
	};

	return cmocka_run_group_tests_name("rules", tests, NULL, NULL);
}
