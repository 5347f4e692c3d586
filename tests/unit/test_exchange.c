/* test_exchange.c - offline evidence cut into clients and attempts. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine.h"
#include "krb.h"
#include "proto.h"
#include "report.h"
#include "util.h"

#define MP "10.77.0.20"
#define WEB "10.77.0.21"
#define KDC "10.77.0.11"
#define KDCP "10.77.0.10"
#define C1 "10.77.0.30"
#define C2 "10.77.0.31"
#define C3 "10.77.0.32"

static struct report r;
static int frame;
static double now;

static int
setup(void **state)
{
	(void)state;
	report_init(&r, "analyze", "client.pcapng");
	frame = 0;
	now = 1.7e9;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	report_release(&r);
	return 0;
}

/* A capture event from client to (or from) server: frame and time move. */
static struct event *
ev_new(enum ev_type type, const char *client, const char *server, int port)
{
	struct event ev;
	int k;

	event_init(&ev, type);
	ev.frame = ++frame;
	now += 0.01;
	ev.t = now;
	snprintf(ev.source, sizeof(ev.source), "frame %d", ev.frame);
	strlcpy0(ev.client, client, sizeof(ev.client));
	strlcpy0(ev.peer, server, sizeof(ev.peer));
	ev.port = port;
	k = report_add_event(&r, &ev);
	assert_true(k >= 0);
	return &r.events[k];
}

static void
request(const char *client, const char *server, const char *host,
    const char *uri, const char *auth, const char *ticket)
{
	struct event *e = ev_new(EV_HTTP_REQUEST, client, server, 80);

	e->from = ROLE_CLIENT;
	e->to = ROLE_MP;
	strlcpy0(e->host, host, sizeof(e->host));
	strlcpy0(e->uri, uri, sizeof(e->uri));
	snprintf(e->text, sizeof(e->text), "%s http://%s%s",
	    strstr(uri, "ccm_system") ? "CCM_POST" : "GET", host, uri);
	strlcpy0(e->name, auth, sizeof(e->name));
	strlcpy0(e->value, ticket, sizeof(e->value));
	if (strstr(uri, "ccm_system"))
		e->flags |= EVF_CCM;
	if (strstr(uri, "windowsauth"))
		e->flags |= EVF_WINDOWSAUTH;
	if (ticket[0]) {
		unsigned fl = e->flags;
		struct event *t = ev_new(EV_TICKET, client, server, 80);

		t->flags = fl;
		strlcpy0(t->name, ticket, sizeof(t->name));
		strlcpy0(t->realm, "PARENT.LAB", sizeof(t->realm));
		t->etype = 18;
		t->kvno = 1;
	}
}

static void
response(const char *client, const char *server, int status,
    const char *auth, const char *ticket, const char *schemes, int wauth)
{
	struct event *e = ev_new(EV_HTTP_RESPONSE, client, server, 80);

	e->from = ROLE_MP;
	e->to = ROLE_CLIENT;
	e->status = status;
	strlcpy0(e->name, auth, sizeof(e->name));
	strlcpy0(e->value, ticket, sizeof(e->value));
	strlcpy0(e->text, schemes, sizeof(e->text));
	e->has_token = 0;
	if (wauth)
		e->flags = EVF_CCM | EVF_WINDOWSAUTH;
}

/* The MP's Negotiate reply carrying a Kerberos error. */
static void
reply_error(const char *client, int code)
{
	struct event *e = ev_new(EV_SPNEGO_REPLY, client, MP, 80);

	e->from = ROLE_MP;
	e->code = code;
	e->flags = EVF_CCM | EVF_WINDOWSAUTH;
	strlcpy0(e->name, "HTTP/mp.parent.lab", sizeof(e->name));
	strlcpy0(e->text, "negState reject", sizeof(e->text));
}

static void
krb(enum ev_type type, const char *client, const char *kdc, int msg,
    const char *sname, const char *realm, int code)
{
	struct event *e = ev_new(type, client, kdc, 88);

	e->from = type == EV_KRB_REQUEST ? ROLE_CLIENT : ROLE_KDC;
	e->to = type == EV_KRB_REQUEST ? ROLE_KDC : ROLE_CLIENT;
	e->msg_type = msg;
	e->code = code;
	strlcpy0(e->name, sname, sizeof(e->name));
	strlcpy0(e->realm, realm, sizeof(e->realm));
}

/* curl --negotiate: anonymous CCM_POST, 401, ticket, Negotiate, answer. */
static void
exchange(const char *client, int answer, int code, int kvno)
{
	request(client, MP, "mp.parent.lab",
	    "/ccm_system_windowsauth/request", "", "");
	response(client, MP, 401, "", "", "Negotiate", 1);
	krb(EV_KRB_REQUEST, client, KDC, KRB_TGS_REQ, "HTTP/mp.parent.lab",
	    "CHILD.PARENT.LAB", -1);
	krb(EV_KRB_REPLY, client, KDC, KRB_TGS_REP, "HTTP/mp.parent.lab",
	    "PARENT.LAB", -1);
	request(client, MP, "mp.parent.lab",
	    "/ccm_system_windowsauth/request", "Negotiate",
	    "HTTP/mp.parent.lab");
	r.events[r.n_events - 1].kvno = kvno;
	response(client, MP, answer, "Negotiate", "HTTP/mp.parent.lab",
	    answer == 401 ? "Negotiate" : "", 1);
	if (code >= 0)
		reply_error(client, code);
}

static const struct client_verdict *
client(const char *addr)
{
	size_t i;

	for (i = 0; i < r.n_clients; i++)
		if (strcmp(r.clients[i].client, addr) == 0)
			return &r.clients[i];
	return NULL;
}

static int
has(const char *id)
{
	size_t i;

	for (i = 0; i < r.n_findings; i++)
		if (strcmp(finding_key(r.findings[i].id), id) == 0)
			return 1;
	return 0;
}

static const char *
root(void)
{
	return r.n_findings ? finding_key(r.findings[0].id) : "-";
}

/* Other web traffic: a 200, 404 and 500 to a web server are nobody's
 * failure, and a capture with nothing else holds no MP exchange. */
static void
test_background_only(void **state)
{
	(void)state;
	request(C1, WEB, "web.parent.lab", "/index.html", "", "");
	response(C1, WEB, 200, "", "", "", 0);
	request(C1, WEB, "web.parent.lab", "/missing", "", "");
	response(C1, WEB, 404, "", "", "", 0);
	request(C1, WEB, "web.parent.lab", "/broken", "", "");
	response(C1, WEB, 500, "", "", "", 0);
	krb(EV_KRB_ERROR, C1, KDC, KRB_ERROR, "cifs/192.168.129.60",
	    "CHILD.PARENT.LAB", KDC_ERR_S_PRINCIPAL_UNKNOWN);
	engine_run(&r);
	assert_int_equal(r.basis, BASIS_NO_EXCHANGE);
	assert_int_equal(engine_exit_code(&r), 3);
	assert_false(has("mp-anonymous-accepted"));
	assert_false(has("mp-not-mp"));
	assert_false(has("mp-server-error"));
	assert_false(has("spn-missing"));
	assert_true(has("kerberos-other-service"));
	assert_true(has("no-mp-exchange"));
}

static void
test_healthy(void **state)
{
	(void)state;
	request(C1, WEB, "web.parent.lab", "/", "", "");
	response(C1, WEB, 404, "", "", "", 0);
	exchange(C1, 200, -1, 1);
	engine_run(&r);
	assert_int_equal(r.basis, BASIS_JUDGED);
	assert_int_equal(engine_exit_code(&r), 0);
	assert_int_equal(r.n_clients, 1);
	assert_int_equal(client(C1)->approval, CV_APPROVED);
	assert_string_equal(r.mp_name, "mp.parent.lab");
	assert_int_equal(r.n_exchanges, 1);
}

/* Healthy, then the MP can no longer read its ticket: the latest attempt
 * decides and the history keeps the healthy one. */
static void
test_healthy_then_broken(void **state)
{
	const struct client_verdict *cv;

	(void)state;
	exchange(C1, 200, -1, 1);
	now += 300;
	exchange(C1, 401, KRB_AP_ERR_BADKEYVER, 1);
	now += 60;
	exchange(C1, 401, KRB_AP_ERR_BADKEYVER, 1);
	engine_run(&r);
	assert_int_equal(engine_exit_code(&r), 1);
	assert_string_equal(root(), "mp-cannot-decrypt");
	cv = client(C1);
	assert_non_null(cv);
	assert_int_equal(cv->approval, CV_NOT_APPROVED);
	assert_int_equal(cv->n_attempts, 3);
	assert_non_null(strstr(cv->history, "approved"));
	assert_non_null(strstr(cv->history, "failing since"));
	assert_non_null(strstr(cv->history, "(2 attempts)"));
}

/* The ticket's key version went up since an accepted one, and the MP
 * cannot read the new one: its key is stale. */
static void
test_kvno_decides_stale(void **state)
{
	(void)state;
	exchange(C1, 200, -1, 1);
	now += 300;
	exchange(C1, 401, KRB_AP_ERR_BADKEYVER, 2);
	engine_run(&r);
	assert_string_equal(root(), "mp-key-stale");
	assert_false(has("mp-cannot-decrypt"));
}

static void
test_broken_then_fixed(void **state)
{
	(void)state;
	exchange(C1, 401, KRB_AP_ERR_MODIFIED, 1);
	now += 120;
	exchange(C1, 200, -1, 1);
	engine_run(&r);
	assert_int_equal(engine_exit_code(&r), 0);
	assert_int_equal(client(C1)->approval, CV_APPROVED);
	assert_non_null(strstr(client(C1)->history, "failing"));
}

/* A refused connection (the web server still starting) then a working
 * exchange: transient, not mp-unreachable. */
static void
test_refused_then_ok(void **state)
{
	struct event *e;

	(void)state;
	e = ev_new(EV_CONNECT_FAIL, C1, MP, 80);
	e->to = ROLE_MP;
	e->status = CONN_REFUSED;
	now += 5;
	exchange(C1, 200, -1, 1);
	engine_run(&r);
	assert_int_equal(engine_exit_code(&r), 0);
	assert_false(has("mp-unreachable"));
	assert_non_null(strstr(client(C1)->history, "transient"));
}

/* The capture ends right after the anonymous 401: incomplete, exit 3. */
static void
test_cut(void **state)
{
	(void)state;
	request(C1, MP, "mp.parent.lab", "/ccm_system_windowsauth/request",
	    "", "");
	response(C1, MP, 401, "", "", "Negotiate", 1);
	engine_run(&r);
	assert_int_equal(r.basis, BASIS_INCOMPLETE);
	assert_int_equal(engine_exit_code(&r), 3);
	assert_int_equal(client(C1)->approval, CV_UNDECIDED);
	assert_true(has("attempt-incomplete"));
	assert_false(has("mp-unreachable"));
}

/* A SYN 1.4 s before the end, never retransmitted: not unreachable. */
static void
test_syn_at_end(void **state)
{
	struct event *e;

	(void)state;
	exchange(C1, 200, -1, 1);
	now += 30;
	e = ev_new(EV_CONNECT_FAIL, C1, MP, 80);
	e->to = ROLE_MP;
	e->status = CONN_INCOMPLETE;
	engine_run(&r);
	assert_int_equal(engine_exit_code(&r), 0);
	assert_false(has("mp-unreachable"));
	assert_int_equal(client(C1)->approval, CV_APPROVED);
}

/* At the MP: three clients, three stories. */
static void
test_mp_side(void **state)
{
	(void)state;
	exchange(C1, 200, -1, 1);
	/* one that never comes back with a ticket, retrying */
	request(C2, MP, "mp.parent.lab", "/ccm_system_windowsauth/request",
	    "", "");
	response(C2, MP, 401, "", "", "Negotiate", 1);
	now += 60;
	request(C2, MP, "mp.parent.lab", "/ccm_system_windowsauth/request",
	    "", "");
	response(C2, MP, 401, "", "", "Negotiate", 1);
	now += 60;
	exchange(C3, 401, KRB_AP_ERR_SKEW, 1);	/* its clock, not the MP's */
	now += 30;
	exchange(C1, 200, -1, 1);	/* the capture goes on */
	engine_run(&r);
	assert_int_equal(r.n_clients, 3);
	assert_int_equal(client(C1)->approval, CV_APPROVED);
	assert_int_equal(client(C2)->approval, CV_NOT_APPROVED);
	assert_string_equal(client(C2)->root_cause,
	    "iis-never-authenticated");
	assert_int_equal(client(C3)->approval, CV_NOT_APPROVED);
	/* the MP took C1's tickets meanwhile: C3's clock is the odd one */
	assert_string_equal(client(C3)->root_cause, "clock-skew");
	assert_int_equal(engine_exit_code(&r), 1);
}

/* SRV lookups for the client's realm that fail after earlier ones had
 * worked, and no Kerberos follows: this attempt cannot find a KDC. */
static void
test_srv_fails_later(void **state)
{
	struct event *e;

	(void)state;
	e = ev_new(EV_DNS, C1, "10.77.0.2", 53);
	e->qtype = DNS_T_SRV;
	e->rcode = DNS_R_NOERROR;
	e->status = 1;
	strlcpy0(e->name, "_kerberos._udp.CHILD.PARENT.LAB", sizeof(e->name));
	strlcpy0(e->text, "SRV 0 0 88 kdc.child.parent.lab", sizeof(e->text));
	exchange(C1, 200, -1, 1);
	now += 600;
	request(C1, MP, "mp.parent.lab", "/ccm_system_windowsauth/request",
	    "", "");
	response(C1, MP, 401, "", "", "Negotiate", 1);
	e = ev_new(EV_DNS, C1, "10.77.0.2", 53);
	e->qtype = DNS_T_SRV;
	e->rcode = DNS_R_NXDOMAIN;
	e->status = 0;
	strlcpy0(e->name, "_kerberos._udp.CHILD.PARENT.LAB", sizeof(e->name));
	now += 60;
	request(C1, WEB, "web.parent.lab", "/", "", "");	/* goes on */
	engine_run(&r);
	assert_string_equal(root(), "dns-no-kdc-srv");
	assert_int_equal(client(C1)->approval, CV_NOT_APPROVED);
}

/* The client's KDC answered 7 for the MP's service (no referral) and the
 * client then asked it for krbtgt/PARENT.LAB itself, which it got: a
 * trust that gives no referral, an external trust. */
static void
test_external_trust(void **state)
{
	(void)state;
	request(C1, MP, "mp.parent.lab", "/ccm_system_windowsauth/request",
	    "", "");
	response(C1, MP, 401, "", "", "Negotiate", 1);
	krb(EV_KRB_REQUEST, C1, KDC, KRB_TGS_REQ, "HTTP/mp.parent.lab",
	    "OTHER.LAB", -1);
	krb(EV_KRB_ERROR, C1, KDC, KRB_ERROR, "HTTP/mp.parent.lab",
	    "OTHER.LAB", KDC_ERR_S_PRINCIPAL_UNKNOWN);
	krb(EV_KRB_REQUEST, C1, KDC, KRB_TGS_REQ, "krbtgt/PARENT.LAB",
	    "OTHER.LAB", -1);
	krb(EV_KRB_REPLY, C1, KDC, KRB_TGS_REP, "krbtgt/PARENT.LAB",
	    "OTHER.LAB", -1);
	krb(EV_KRB_REQUEST, C1, KDCP, KRB_TGS_REQ, "HTTP/mp.parent.lab",
	    "PARENT.LAB", -1);
	krb(EV_KRB_REPLY, C1, KDCP, KRB_TGS_REP, "HTTP/mp.parent.lab",
	    "PARENT.LAB", -1);
	request(C1, MP, "mp.parent.lab", "/ccm_system_windowsauth/request",
	    "Negotiate", "HTTP/mp.parent.lab");
	response(C1, MP, 200, "Negotiate", "HTTP/mp.parent.lab", "", 1);
	engine_run(&r);
	assert_string_equal(root(), "trust-external");
	assert_true(has("mit-fallback-realm"));
	assert_false(has("no-trust-path"));
}

/* A capture whose clock is decades off, with a KDC that accepted
 * pre-authentication: no clock finding from timestamps alone. */
static void
test_capture_clock_proves_nothing(void **state)
{
	struct event *e;

	(void)state;
	e = ev_new(EV_CLOCK, C1, KDC, 88);
	e->to = ROLE_KDC;
	e->offset = 51 * 365.25 * 86400;
	e->uncertainty = 0.5;
	exchange(C1, 200, -1, 1);
	engine_run(&r);
	assert_false(has("clock-skew"));
	assert_false(has("clock-skew-mp"));
	assert_int_equal(engine_exit_code(&r), 0);
}

/* Every client refused for time: the MP's clock. */
static void
test_mp_clock_for_all(void **state)
{
	(void)state;
	exchange(C1, 401, KRB_AP_ERR_SKEW, 1);
	exchange(C2, 401, KRB_AP_ERR_SKEW, 1);
	engine_run(&r);
	assert_string_equal(client(C1)->root_cause, "clock-skew-mp");
	assert_string_equal(client(C2)->root_cause, "clock-skew-mp");
}

/* The same client in an IIS log (never authenticated, earlier) and in a
 * capture (approved, later), and its CM log: one client, one story. */
static void
test_one_story(void **state)
{
	struct client_verdict cv;
	struct event *e;

	(void)state;
	memset(&cv, 0, sizeof(cv));
	strlcpy0(cv.client, C1, sizeof(cv.client));
	strlcpy0(cv.verdict, "never-authenticated", sizeof(cv.verdict));
	strlcpy0(cv.last_status, "401.2", sizeof(cv.last_status));
	strlcpy0(cv.first, "2020-01-01 09:00:00", sizeof(cv.first));
	strlcpy0(cv.last, "2020-01-01 09:05:00", sizeof(cv.last));
	strlcpy0(cv.source, "u_ex200101.log:7", sizeof(cv.source));
	report_add_client(&r, &cv);
	krb(EV_KRB_REQUEST, C1, KDC, KRB_AS_REQ, "krbtgt/CHILD.PARENT.LAB",
	    "CHILD.PARENT.LAB", -1);
	strlcpy0(r.events[r.n_events - 1].value, "WS01$",
	    sizeof(r.events[0].value));
	exchange(C1, 200, -1, 1);
	e = ev_new(EV_CM_IDENTITY, "", "", -1);
	e->frame = -1;
	strlcpy0(e->cm.machine, "WS01", sizeof(e->cm.machine));
	strlcpy0(e->cm.guid, "GUID:0D1B-1", sizeof(e->cm.guid));
	engine_run(&r);
	assert_int_equal(r.n_clients, 1);
	assert_int_equal(client(C1)->approval, CV_APPROVED);
	assert_non_null(strstr(client(C1)->history, "capture: approved"));
	assert_non_null(strstr(client(C1)->history, "IIS log: "
	    "never-authenticated"));
	assert_string_equal(client(C1)->machine, "WS01");
	assert_string_equal(client(C1)->guid, "GUID:0D1B-1");
}

/* The user names the MP: Kerberos for it alone is an exchange. */
static void
test_named_mp_kerberos_only(void **state)
{
	(void)state;
	strlcpy0(r.mp_given[0], "mp.parent.lab", sizeof(r.mp_given[0]));
	r.n_mp_given = 1;
	krb(EV_KRB_REQUEST, C1, KDCP, KRB_TGS_REQ, "HTTP/mp.parent.lab",
	    "PARENT.LAB", -1);
	krb(EV_KRB_ERROR, C1, KDCP, KRB_ERROR, "HTTP/mp.parent.lab",
	    "PARENT.LAB", KDC_ERR_S_PRINCIPAL_UNKNOWN);
	engine_run(&r);
	assert_string_equal(root(), "spn-missing");
	assert_int_equal(engine_exit_code(&r), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_background_only, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_healthy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_healthy_then_broken, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_kvno_decides_stale, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_broken_then_fixed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_refused_then_ok, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cut, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syn_at_end, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_mp_side, setup, teardown),
		cmocka_unit_test_setup_teardown(test_srv_fails_later, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_external_trust, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_capture_clock_proves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mp_clock_for_all, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_one_story, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_named_mp_kerberos_only,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
