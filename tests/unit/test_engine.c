/* test_engine.c - the rules that turn events into a root cause. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine.h"
#include "report.h"
#include "util.h"

static struct report r;

static int
setup(void **state)
{
	report_init(&r, "probe", "mp.parent.lab");
	strlcpy0(r.client_realm, "CHILD.PARENT.LAB", sizeof(r.client_realm));
	strlcpy0(r.mp_realm, "PARENT.LAB", sizeof(r.mp_realm));
	strlcpy0(r.mp_name, "mp.parent.lab", sizeof(r.mp_name));
	return 0;
}

static int
teardown(void **state)
{
	report_release(&r);
	return 0;
}

static void
dns_a(const char *name, int rcode, const char *canon, const char *answers)
{
	struct event ev;

	event_init(&ev, EV_DNS);
	ev.to = ROLE_MP;
	ev.qtype = 1;
	ev.rcode = rcode;
	ev.status = answers[0] ? 1 : 0;
	strlcpy0(ev.name, name, sizeof(ev.name));
	strlcpy0(ev.value, canon, sizeof(ev.value));
	strlcpy0(ev.text, answers, sizeof(ev.text));
	report_add_event(&r, &ev);
}

static void
http(int status, const char *auth, const char *sname, const char *schemes)
{
	struct event ev;

	event_init(&ev, EV_HTTP_RESPONSE);
	ev.from = ROLE_MP;
	ev.status = status;
	strlcpy0(ev.name, auth, sizeof(ev.name));
	strlcpy0(ev.value, sname, sizeof(ev.value));
	strlcpy0(ev.text, schemes, sizeof(ev.text));
	report_add_event(&r, &ev);
}

static void
kdc_error(const char *realm, const char *sname, int code)
{
	struct event ev;

	event_init(&ev, EV_KRB_ERROR);
	ev.from = ROLE_KDC;
	ev.code = code;
	strlcpy0(ev.realm, realm, sizeof(ev.realm));
	strlcpy0(ev.name, sname, sizeof(ev.name));
	report_add_event(&r, &ev);
}

static void
referral(const char *from, const char *to)
{
	struct event ev;

	event_init(&ev, EV_KRB_REFERRAL);
	strlcpy0(ev.realm, from, sizeof(ev.realm));
	strlcpy0(ev.value, to, sizeof(ev.value));
	report_add_event(&r, &ev);
}

static void
clock_ev(enum ev_role to, double offset)
{
	struct event ev;

	event_init(&ev, EV_CLOCK);
	ev.to = to;
	ev.offset = offset;
	ev.uncertainty = 0.5;
	report_add_event(&r, &ev);
}

static const char *
root(void)
{
	return r.n_findings ? finding_key(r.findings[0].id) : "";
}

static int
has(const char *key)
{
	size_t i;

	for (i = 0; i < r.n_findings; i++)
		if (strcmp(finding_key(r.findings[i].id), key) == 0)
			return 1;
	return 0;
}

static void
healthy_path(void)
{
	dns_a("mp.parent.lab", 0, "mp.parent.lab", "A 10.77.0.5");
	http(401, "", "", "Negotiate");
	referral("CHILD.PARENT.LAB", "PARENT.LAB");
}

static void
test_healthy(void **state)
{
	healthy_path();
	clock_ev(ROLE_KDC, 0.2);
	http(200, "Negotiate", "HTTP/mp.parent.lab", "Negotiate");
	engine_run(&r);
	assert_true(r.approved);
	assert_int_equal(engine_exit_code(&r), 0);
	assert_false(has("kerberos-failed"));
}

static void
test_no_address(void **state)
{
	dns_a("nosuch.parent.lab", 3, "nosuch.parent.lab", "");
	engine_run(&r);
	assert_false(r.approved);
	assert_string_equal(root(), "dns-no-address");
	assert_int_equal(engine_exit_code(&r), 1);
}

static void
test_cname_is_warning(void **state)
{
	dns_a("sccm.parent.lab", 0, "mp.parent.lab",
	    "CNAME mp.parent.lab; A 10.77.0.5");
	http(401, "", "", "Negotiate");
	http(200, "Negotiate", "HTTP/mp.parent.lab", "Negotiate");
	engine_run(&r);
	assert_true(r.approved);
	assert_true(has("dns-cname-alias"));
}

static void
test_spn_missing_after_referral(void **state)
{
	healthy_path();
	kdc_error("PARENT.LAB", "HTTP/mp.parent.lab", 7);
	engine_run(&r);
	assert_string_equal(root(), "spn-missing");
}

static void
test_no_trust_without_referral(void **state)
{
	strlcpy0(r.client_realm, "UNTRUSTED.LAB", sizeof(r.client_realm));
	dns_a("mp.parent.lab", 0, "mp.parent.lab", "A 10.77.0.5");
	http(401, "", "", "Negotiate");
	kdc_error("UNTRUSTED.LAB", "HTTP/mp.parent.lab", 7);
	engine_run(&r);
	assert_string_equal(root(), "no-trust-path");
}

/*
 * Referrals between two other realms (another identity on the same machine)
 * do not make the untrusted realm's "unknown" a missing SPN; a client realm
 * whose KDC refers elsewhere is in a trust, so its "unknown" is one.
 */
static void
test_referral_of_other_realms(void **state)
{
	strlcpy0(r.mp_realm, "PARENT.LAB", sizeof(r.mp_realm));
	strlcpy0(r.client_realm, "UNTRUSTED.LAB", sizeof(r.client_realm));
	dns_a("mp.parent.lab", 0, "mp.parent.lab", "A 10.77.0.5");
	http(401, "", "", "Negotiate");
	referral("CHILD.PARENT.LAB", "PARENT.LAB");
	kdc_error("UNTRUSTED.LAB", "HTTP/mp.parent.lab", 7);
	engine_run(&r);
	assert_string_equal(root(), "no-trust-path");
	assert_false(has("spn-missing"));

	report_release(&r);
	report_init(&r, "probe", "mp.parent.lab");
	strlcpy0(r.mp_realm, "PARENT.LAB", sizeof(r.mp_realm));
	strlcpy0(r.client_realm, "CHILD.PARENT.LAB", sizeof(r.client_realm));
	dns_a("mp.parent.lab", 0, "mp.parent.lab", "A 10.77.0.5");
	http(401, "", "", "Negotiate");
	referral("CHILD.PARENT.LAB", "PARENT.LAB");
	kdc_error("CHILD.PARENT.LAB", "HTTP/mp.parent.lab", 7);
	engine_run(&r);
	assert_string_equal(root(), "spn-missing");
	assert_false(has("no-trust-path"));
}

static void
test_trust_broken(void **state)
{
	healthy_path();
	kdc_error("PARENT.LAB", "HTTP/mp.parent.lab", 31);
	engine_run(&r);
	assert_string_equal(root(), "trust-broken");
}

static void
test_misbound_vs_stale(void **state)
{
	healthy_path();
	http(401, "Negotiate", "HTTP/mp.parent.lab", "Negotiate");
	http(200, "Negotiate", "host/mp.parent.lab", "Negotiate");
	engine_run(&r);
	assert_string_equal(root(), "spn-misbound");
	report_release(&r);
	setup(state);
	healthy_path();
	http(401, "Negotiate", "HTTP/mp.parent.lab", "Negotiate");
	http(401, "Negotiate", "host/mp.parent.lab", "Negotiate");
	engine_run(&r);
	assert_string_equal(root(), "mp-key-stale");
}

static void
test_skews(void **state)
{
	/* the client is off, the MP agrees with the KDC: not the MP's fault */
	healthy_path();
	clock_ev(ROLE_KDC, -1200);
	clock_ev(ROLE_MP, -1200);
	engine_run(&r);
	assert_string_equal(root(), "clock-skew");
	assert_false(has("clock-skew-mp"));
	report_release(&r);
	setup(state);
	healthy_path();
	clock_ev(ROLE_KDC, 0.1);
	clock_ev(ROLE_MP, 900);
	engine_run(&r);
	assert_string_equal(root(), "clock-skew-mp");
	assert_false(has("clock-skew"));
}

static void
test_negotiate_and_anonymous(void **state)
{
	dns_a("mp.parent.lab", 0, "mp.parent.lab", "A 10.77.0.5");
	http(401, "", "", "NTLM");
	engine_run(&r);
	assert_string_equal(root(), "mp-no-negotiate");
	report_release(&r);
	setup(state);
	dns_a("mp.parent.lab", 0, "mp.parent.lab", "A 10.77.0.5");
	http(200, "", "", "");
	engine_run(&r);
	assert_string_equal(root(), "mp-anonymous-accepted");
}

static void
test_root_cause_order(void **state)
{
	struct event ev;

	/* an unreachable KDC explains the missing ticket, not the reverse */
	healthy_path();
	event_init(&ev, EV_KDC_UNREACHABLE);
	strlcpy0(ev.realm, "CHILD.PARENT.LAB", sizeof(ev.realm));
	report_add_event(&r, &ev);
	kdc_error("PARENT.LAB", "HTTP/mp.parent.lab", 7);
	engine_run(&r);
	assert_string_equal(root(), "kdc-unreachable");
	assert_true(has("spn-missing"));
}

static void
srv(const char *name, int rcode, int answers)
{
	struct event ev;

	event_init(&ev, EV_DNS);
	ev.qtype = 33;
	ev.rcode = rcode;
	ev.status = answers;
	strlcpy0(ev.name, name, sizeof(ev.name));
	report_add_event(&r, &ev);
}

static void
test_kdc_srv_offline(void **state)
{
	/* the client realm's SRV records are gone and nothing was sent */
	srv("_kerberos._udp.CHILD.PARENT.LAB", 3, 0);
	srv("_kerberos._tcp.CHILD.PARENT.LAB", 3, 0);
	srv("_kerberos._udp.PARENT.LAB", 0, 1);
	engine_run(&r);
	assert_string_equal(root(), "dns-no-kdc-srv");
	report_release(&r);
	setup(state);
	/* empty SRV but the KDC was reached anyway (krb5.conf kdc=) */
	srv("_kerberos._udp.CHILD.PARENT.LAB", 3, 0);
	healthy_path();
	{
		struct event ev;

		event_init(&ev, EV_KRB_REQUEST);
		strlcpy0(ev.realm, "CHILD.PARENT.LAB", sizeof(ev.realm));
		report_add_event(&r, &ev);
	}
	http(200, "Negotiate", "HTTP/mp.parent.lab", "Negotiate");
	engine_run(&r);
	assert_false(has("dns-no-kdc-srv"));
	assert_true(r.approved);
}

static void
test_no_address_by_mp_name(void **state)
{
	struct event ev;

	/* offline: the question is not marked, the name tells */
	event_init(&ev, EV_DNS);
	ev.qtype = 1;
	ev.rcode = 3;
	ev.status = 0;
	strlcpy0(ev.name, "MP.parent.lab", sizeof(ev.name));
	report_add_event(&r, &ev);
	engine_run(&r);
	assert_string_equal(root(), "dns-no-address");
}

static void
dns_other(int qtype, const char *name, const char *value)
{
	struct event ev;

	event_init(&ev, EV_DNS);
	ev.qtype = qtype;
	ev.rcode = 0;
	ev.status = 1;
	strlcpy0(ev.name, name, sizeof(ev.name));
	strlcpy0(ev.value, value, sizeof(ev.value));
	strlcpy0(ev.text, "answer", sizeof(ev.text));
	report_add_event(&r, &ev);
}

static void
test_other_lookups_ignored(void **state)
{
	/* a capture's unrelated lookups: a CDN alias, someone's PTR */
	healthy_path();
	dns_other(1, "www.example.com", "cdn.example.net");
	dns_other(12, "9.0.0.10.in-addr.arpa", "printer.parent.lab");
	http(200, "Negotiate", "HTTP/mp.parent.lab", "Negotiate");
	engine_run(&r);
	assert_true(r.approved);
	assert_false(has("dns-cname-alias"));
	assert_false(has("dns-ptr-mismatch"));
	report_release(&r);
	setup(state);
	/* the alias that leads to the MP is flagged */
	dns_other(1, "sccm.parent.lab", "mp.parent.lab");
	http(200, "Negotiate", "HTTP/mp.parent.lab", "Negotiate");
	engine_run(&r);
	assert_true(has("dns-cname-alias"));
}

static void
ptr(int rcode, const char *target)
{
	struct event ev;

	event_init(&ev, EV_DNS);
	ev.to = ROLE_MP;
	ev.qtype = 12;
	ev.rcode = rcode;
	ev.status = target[0] ? 1 : 0;
	strlcpy0(ev.name, "5.0.77.10.in-addr.arpa", sizeof(ev.name));
	strlcpy0(ev.value, target, sizeof(ev.value));
	strlcpy0(ev.text, target, sizeof(ev.text));
	report_add_event(&r, &ev);
}

static int
worst_severity(void)
{
	size_t i;
	int worst = -1;

	for (i = 0; i < r.n_findings; i++)
		if ((int)finding_severity(r.findings[i].id) > worst)
			worst = (int)finding_severity(r.findings[i].id);
	return worst;
}

static void
test_ptr_where_it_matters(void **state)
{
	struct event ev;

	/* no PTR: Windows does not need one, a healthy MP stays healthy */
	healthy_path();
	ptr(3, "");
	http(200, "Negotiate", "HTTP/mp.parent.lab", "Negotiate");
	engine_run(&r);
	assert_true(r.approved);
	assert_true(has("dns-no-ptr"));
	assert_int_equal(worst_severity(), SEV_INFO);
	report_release(&r);
	/* a PTR naming another host that no client used: information */
	setup(state);
	healthy_path();
	ptr(0, "web.parent.lab");
	http(200, "Negotiate", "HTTP/mp.parent.lab", "Negotiate");
	engine_run(&r);
	assert_true(has("dns-ptr-other-host"));
	assert_false(has("dns-ptr-mismatch"));
	assert_int_equal(worst_severity(), SEV_INFO);
	report_release(&r);
	/* a client that asked for HTTP/<the PTR's name>: it mattered */
	setup(state);
	healthy_path();
	ptr(0, "web.parent.lab.");
	event_init(&ev, EV_KRB_REQUEST);
	ev.to = ROLE_KDC;
	ev.msg_type = 12;
	strlcpy0(ev.name, "HTTP/web.parent.lab", sizeof(ev.name));
	report_add_event(&r, &ev);
	engine_run(&r);
	assert_true(has("dns-ptr-mismatch"));
	assert_false(has("dns-ptr-other-host"));
}

static void
test_ntlm_is_not_kerberos(void **state)
{
	/* 200 to NTLM (bare or inside Negotiate) is neither anonymous
	 * access nor a Kerberos success */
	dns_a("mp.parent.lab", 0, "mp.parent.lab", "A 10.77.0.5");
	http(401, "", "", "Negotiate, NTLM");
	http(200, "Negotiate/NTLM", "", "Negotiate");
	engine_run(&r);
	assert_string_equal(root(), "iis-ntlm-only");
	assert_false(has("mp-anonymous-accepted"));
	assert_false(r.approved);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_healthy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_address, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cname_is_warning, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_spn_missing_after_referral,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_trust_without_referral,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_referral_of_other_realms,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_trust_broken, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_misbound_vs_stale, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_skews, setup, teardown),
		cmocka_unit_test_setup_teardown(test_negotiate_and_anonymous,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_root_cause_order, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_kdc_srv_offline, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_no_address_by_mp_name,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_lookups_ignored,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_ntlm_is_not_kerberos,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_ptr_where_it_matters,
		    setup, teardown),
	};

	return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
