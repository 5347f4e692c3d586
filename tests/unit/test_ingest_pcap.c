/* test_ingest_pcap.c - the capture reader over real captures. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ingest.h"
#include "report.h"

extern const struct ingest_reader ingest_pcap;

#ifndef TEST_DATA_DIR
#define TEST_DATA_DIR "tests/data"
#endif

/* Read tests/data/SUB/NAME (TEST_DATA_DIR overrides tests/data). */
static void
read_capture(struct report *r, const char *sub, const char *name)
{
	const char *dir = getenv("TEST_DATA_DIR");
	char path[1024], err[512];

	if (dir == NULL || *dir == '\0')
		dir = TEST_DATA_DIR;
	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	if (access(path, R_OK) != 0)
		fail_msg("cannot read capture %s", path);
	report_init(r, "analyze", path);
	assert_int_equal(ingest_read_path(&ingest_pcap, path, r, err,
	    sizeof(err)), 0);
}

/* One of the public captures (tests/data/pcap/public, see SOURCES.md). */
static void
load(struct report *r, const char *name)
{
	read_capture(r, "pcap/public", name);
}

/* One of the captures made for ccmdiag (tests/data/pcap). */
static void
load_own(struct report *r, const char *name)
{
	read_capture(r, "pcap", name);
}

static int
count_type(const struct report *r, enum ev_type type)
{
	size_t i;
	int n = 0;

	for (i = 0; i < r->n_events; i++)
		n += r->events[i].type == type;
	return n;
}

static const struct event *
find_type(const struct report *r, enum ev_type type, int nth)
{
	size_t i;

	for (i = 0; i < r->n_events; i++)
		if (r->events[i].type == type && nth-- == 0)
			return &r->events[i];
	return NULL;
}

static const struct event *
find(const struct report *r, enum ev_type type, int frame)
{
	size_t i;

	for (i = 0; i < r->n_events; i++)
		if (r->events[i].type == type && r->events[i].frame == frame)
			return &r->events[i];
	return NULL;
}

static void
test_referrals_and_negotiate(void **state)
{
	const struct event *ev;
	struct report r;

	(void)state;
	load(&r, "wswiki__rbcd_win_trasitive_trust.pcapng");
	/* child -> parent -> root -> other forest, all by referral */
	ev = find(&r, EV_KRB_REFERRAL, 11);
	assert_non_null(ev);
	assert_string_equal(ev->realm, "HACKERS.DEVEL.ALPHA.LOCAL");
	assert_string_equal(ev->value, "DEVEL.ALPHA.LOCAL");
	ev = find(&r, EV_KRB_REFERRAL, 16);
	assert_non_null(ev);
	assert_string_equal(ev->realm, "ALPHA.LOCAL");
	assert_string_equal(ev->value, "BETA.LOCAL");
	ev = find(&r, EV_KRB_REPLY, 19);
	assert_non_null(ev);
	assert_string_equal(ev->name, "HTTP/iis-user.beta.local");
	assert_string_equal(ev->realm, "BETA.LOCAL");
	assert_int_equal(ev->etype, 23);
	assert_int_equal(ev->kvno, 3);
	/* 401 Negotiate, then Authorization: Negotiate, then 200 */
	ev = find(&r, EV_HTTP_RESPONSE, 3);
	assert_non_null(ev);
	assert_int_equal(ev->status, 401);
	assert_string_equal(ev->name, "");
	assert_string_equal(ev->text, "Negotiate, NTLM, Basic");
	ev = find(&r, EV_HTTP_REQUEST, 20);
	assert_non_null(ev);
	assert_string_equal(ev->name, "Negotiate");
	ev = find(&r, EV_TICKET, 20);
	assert_non_null(ev);
	assert_string_equal(ev->name, "HTTP/iis-user.beta.local");
	assert_string_equal(ev->realm, "BETA.LOCAL");
	assert_int_equal(ev->kvno, 3);
	ev = find(&r, EV_HTTP_RESPONSE, 21);
	assert_non_null(ev);
	assert_int_equal(ev->status, 200);
	assert_string_equal(ev->name, "Negotiate");
	assert_string_equal(ev->value, "HTTP/iis-user.beta.local");
	assert_int_equal(ev->has_token, 1);
	assert_non_null(find(&r, EV_SPNEGO_REPLY, 21));
	/* who talked to whom: the engine follows each client by these */
	ev = find(&r, EV_HTTP_REQUEST, 20);
	assert_string_equal(ev->client, "172.16.1.41");
	assert_int_equal(ev->port, 80);
	assert_true(ev->conn > 0);
	assert_int_equal(ev->flags & EVF_CCM, 0);	/* not ConfigMgr's */
	assert_int_equal(find(&r, EV_HTTP_RESPONSE, 21)->conn, ev->conn);
	assert_string_equal(find(&r, EV_KRB_REQUEST, 4)->client,
	    find(&r, EV_TICKET, 20)->client);
	/* the source names the capture, as given, and the frame */
	assert_string_equal(find(&r, EV_KRB_REQUEST, 4)->source,
	    "wswiki__rbcd_win_trasitive_trust.pcapng frame 4");
	report_release(&r);
}

static void
test_krb_error_7(void **state)
{
	struct report r;
	size_t i;
	int n7 = 0;

	(void)state;
	load(&r, "suricata-verify__bug-8278-krb5-03_baseline.2.flows.pcap");
	for (i = 0; i < r.n_events; i++) {
		const struct event *ev = &r.events[i];

		if (ev->type == EV_KRB_ERROR && ev->code == 7) {
			assert_int_equal(ev->from, ROLE_KDC);
			assert_true(ev->frame > 0);
			n7++;
		}
	}
	assert_true(n7 >= 1);
	report_release(&r);
}

static void
test_split_record(void **state)
{
	struct report r;
	size_t i;
	int n = 0;

	(void)state;
	load(&r,
	    "suricata-verify__bug-8278-krb5-02_evasion.1.flow.2.segments.pcap");
	/* the record marker and the message arrive in two segments */
	for (i = 0; i < r.n_events; i++)
		if (r.events[i].type == EV_KRB_REQUEST ||
		    r.events[i].type == EV_KRB_REPLY ||
		    r.events[i].type == EV_KRB_ERROR)
			n++;
	assert_true(n >= 1);
	report_release(&r);
}

/* kdc-down in the lab: one AS-REQ over UDP, nothing comes back. */
static void
test_kdc_unanswered(void **state)
{
	const struct event *ev;
	struct report r;

	(void)state;
	load_own(&r, "kdc-unanswered.pcap");
	assert_int_equal(count_type(&r, EV_KDC_UNREACHABLE), 1);
	ev = find(&r, EV_KDC_UNREACHABLE, 5);
	assert_non_null(ev);
	assert_int_equal(ev->from, ROLE_CLIENT);
	assert_int_equal(ev->to, ROLE_KDC);
	assert_string_equal(ev->realm, "CHILD.PARENT.LAB");
	assert_string_equal(ev->peer, "10.77.0.11");
	assert_non_null(strstr(ev->text, "1 AS-REQ over UDP to 10.77.0.11 "
	    "port 88 got no answer"));
	report_release(&r);
}

/* ICMP port unreachable (v4 and v6) and a reset SYN on port 88. */
static void
test_kdc_refused(void **state)
{
	const struct event *ev;
	struct report r;

	(void)state;
	load_own(&r, "kdc-refused.pcap");
	assert_int_equal(count_type(&r, EV_KDC_UNREACHABLE), 2);
	ev = find_type(&r, EV_KDC_UNREACHABLE, 0);
	assert_string_equal(ev->peer, "10.77.0.11");
	assert_string_equal(ev->realm, "CHILD.PARENT.LAB");
	assert_int_equal(ev->frame, 1);
	assert_non_null(strstr(ev->text, "1 ICMP destination unreachable"));
	assert_non_null(strstr(ev->text, "1 TCP connection to 10.77.0.11 "
	    "port 88 refused"));
	ev = find_type(&r, EV_KDC_UNREACHABLE, 1);
	assert_string_equal(ev->peer, "fd00:77::11");
	assert_int_equal(ev->frame, 5);
	assert_non_null(strstr(ev->text, "1 ICMP destination unreachable"));
	/* a refused KDC is no failed connection to the MP */
	assert_int_equal(count_type(&r, EV_CONNECT_FAIL), 0);
	report_release(&r);
}

/* The first KDC never answers, the second does: the client failed over. */
static void
test_kdc_failover(void **state)
{
	struct report r;

	(void)state;
	load_own(&r, "kdc-failover.pcap");
	assert_int_equal(count_type(&r, EV_KRB_REQUEST), 2);
	assert_int_equal(count_type(&r, EV_KRB_ERROR), 1);
	assert_int_equal(count_type(&r, EV_KDC_UNREACHABLE), 0);
	report_release(&r);
}

/* mp-closed in the lab: the SYN to port 80 is answered by a reset. */
static void
test_mp_refused(void **state)
{
	const struct event *ev;
	struct report r;

	(void)state;
	load_own(&r, "mp-refused.pcap");
	assert_int_equal(count_type(&r, EV_CONNECT_FAIL), 1);
	ev = find(&r, EV_CONNECT_FAIL, 4);
	assert_non_null(ev);
	assert_int_equal(ev->from, ROLE_CLIENT);
	assert_int_equal(ev->to, ROLE_MP);
	assert_int_equal(ev->status, CONN_REFUSED);
	assert_string_equal(ev->peer, "10.77.0.20");
	/* named by the A query that preceded the connection */
	assert_string_equal(ev->name, "mp.parent.lab:80");
	assert_string_equal(ev->client, "10.77.0.30");
	assert_int_equal(ev->port, 80);
	ev = find(&r, EV_DNS, 2);
	assert_non_null(ev);
	assert_int_equal(ev->qtype, 1);
	assert_int_equal(ev->rcode, 0);
	assert_int_equal(ev->status, 1);
	assert_string_equal(ev->text, "A 10.77.0.20");
	report_release(&r);
}

/* mp-hang in the lab: CCM_POST sent, no byte back until the client quits. */
static void
test_mp_hang(void **state)
{
	const struct event *ev;
	struct report r;

	(void)state;
	load_own(&r, "mp-hang.pcap");
	assert_int_equal(count_type(&r, EV_CONNECT_FAIL), 1);
	ev = find_type(&r, EV_CONNECT_FAIL, 0);
	assert_int_equal(ev->to, ROLE_MP);
	assert_int_equal(ev->status, CONN_NO_ANSWER);
	assert_non_null(strstr(ev->text, "after the request (frame 6)"));
	ev = find(&r, EV_HTTP_REQUEST, 6);
	assert_non_null(ev);
	assert_string_equal(ev->host, "mp.parent.lab");
	assert_string_equal(ev->uri, "/ccm_system_windowsauth/request");
	assert_int_equal(ev->flags & (EVF_CCM | EVF_WINDOWSAUTH),
	    EVF_CCM | EVF_WINDOWSAUTH);
	report_release(&r);
}

/* HTTP inside GRE (Ethernet bridging) from an ERSPAN session, some of it
 * in IPv4 fragments of the GRE packets. */
static void
test_gre_fragments(void **state)
{
	const struct event *ev;
	struct report r;

	(void)state;
	load(&r, "zeek__erspan.pcap");
	ev = find(&r, EV_HTTP_REQUEST, 100);
	assert_non_null(ev);
	assert_string_equal(ev->name, "NTLM");
	assert_non_null(find(&r, EV_HTTP_RESPONSE, 101));
	/* frame 183 completes a GRE datagram sent in IP fragments */
	ev = find(&r, EV_HTTP_RESPONSE, 183);
	assert_non_null(ev);
	assert_int_equal(ev->status, 200);
	assert_int_equal(count_type(&r, EV_HTTP_REQUEST), 22);
	report_release(&r);
}

/* kpasswd over TCP: the AP-REQ's ticket is for kadmin/changepw. */
static void
test_kpasswd(void **state)
{
	const struct event *ev;
	struct report r;

	(void)state;
	load(&r, "wswiki__kpasswd_tcp.cap");
	ev = find(&r, EV_TICKET, 12);
	assert_non_null(ev);
	assert_string_equal(ev->name, "kadmin/changepw");
	assert_string_equal(ev->realm, "DISJOINT.ADS03.ENG.BLUEARC.COM");
	assert_int_equal(ev->etype, 23);
	assert_int_equal(ev->kvno, 2);
	assert_int_equal(count_type(&r, EV_KRB_ERROR), 0);
	report_release(&r);
}

/* Request lines ended by bare LF, without a URI or version; responses to
 * HEAD have no body whatever their Content-Length. */
static void
test_http_odd_requests(void **state)
{
	const struct event *ev;
	struct report r;

	(void)state;
	load(&r, "zeek__http_methods.pcap");
	ev = find(&r, EV_HTTP_REQUEST, 14);
	assert_non_null(ev);
	assert_string_equal(ev->text, "OPTIONS http://www.google.comHTTP/1.1");
	ev = find(&r, EV_HTTP_REQUEST, 34);
	assert_non_null(ev);
	assert_string_equal(ev->text, "OPTIONS http://www.google.com");
	ev = find(&r, EV_HTTP_REQUEST, 369);
	assert_non_null(ev);
	assert_string_equal(ev->text, "CONNECT /");
	ev = find(&r, EV_HTTP_RESPONSE, 611);	/* to HEAD */
	assert_non_null(ev);
	assert_int_equal(ev->status, 200);
	report_release(&r);
}

/* A response without Content-Length ends with the server's FIN, and is
 * reported with that frame, as tshark does. */
static void
test_http_until_fin(void **state)
{
	const struct event *ev;
	struct report r;

	(void)state;
	load(&r, "wswiki__LDAP-capture2.pcap");
	assert_null(find(&r, EV_HTTP_RESPONSE, 38));
	ev = find(&r, EV_HTTP_RESPONSE, 39);
	assert_non_null(ev);
	assert_int_equal(ev->status, 200);
	report_release(&r);
}

/* Segments lost before, between and inside responses: each response that
 * arrived whole is read, with the frame that ends it. */
static void
test_http_lost_segments(void **state)
{
	const struct event *ev;
	struct report r;

	(void)state;
	load(&r, "wswiki__NTLM-wenchao.pcap");
	ev = find(&r, EV_HTTP_RESPONSE, 6);
	assert_non_null(ev);
	assert_int_equal(ev->status, 302);
	assert_non_null(find(&r, EV_HTTP_RESPONSE, 35));
	assert_non_null(find(&r, EV_HTTP_RESPONSE, 58));
	report_release(&r);
	/* a 206 is reported where its 206024-byte body ends */
	load(&r, "zeek__http_206_example_b.pcap");
	assert_null(find(&r, EV_HTTP_RESPONSE, 957));
	ev = find(&r, EV_HTTP_RESPONSE, 1213);
	assert_non_null(ev);
	assert_int_equal(ev->status, 206);
	report_release(&r);
}

/*
 * Segments held past a lost one: a run of 16 (tshark waits for any number)
 * until the fast retransmission fills the hole, a response completed by an
 * out-of-order segment, and holes tshark leaves open (see pcap-oracle.sh):
 * an RTO retransmission's new bytes, one on a 4-tuple whose first SYN got a
 * stray ACK, and the 206 whose 45 KB resend carries 1135 new bytes.  The
 * 302s of wswiki__win2k19-joined.pcapng end in bytes that arrive after the
 * server's FIN; the client acknowledges them, so they are read.
 */
static void
test_http_held_segments(void **state)
{
	static const int frames[] = { 1521, 1597, 1601, 2005 };
	static const int status[] = { 200, 200, 200, 404 };
	static const int fin_first[] = { 1432, 1451, 1925 };
	const struct event *ev;
	struct report r;
	size_t i;

	(void)state;
	load(&r, "suricata-verify__tls-subjectaltname.pcap");
	for (i = 0; i < sizeof(frames) / sizeof(frames[0]); i++) {
		ev = find(&r, EV_HTTP_RESPONSE, frames[i]);
		assert_non_null(ev);
		assert_int_equal(ev->status, status[i]);
	}
	report_release(&r);
	load(&r, "zeek__http_206_example_b.pcap");
	ev = find(&r, EV_HTTP_RESPONSE, 953);
	assert_non_null(ev);
	assert_int_equal(ev->status, 206);
	report_release(&r);
	load(&r, "wswiki__win2k19-joined.pcapng");
	for (i = 0; i < sizeof(fin_first) / sizeof(fin_first[0]); i++) {
		ev = find(&r, EV_HTTP_RESPONSE, fin_first[i]);
		assert_non_null(ev);
		assert_int_equal(ev->status, 302);
	}
	report_release(&r);
}

/* IPv6 fragments reassembled; a kpasswd server's KRB-ERROR; datagrams that
 * never complete are bounded and counted (tests/data/pcap/
 * make-frag-kpasswd.py). */
static void
test_frag_kpasswd_error(void **state)
{
	const struct event *ev;
	struct report r;
	size_t i;
	int noted = 0;

	(void)state;
	load_own(&r, "frag-kpasswd.pcap");
	assert_null(find(&r, EV_KRB_ERROR, 1));
	ev = find(&r, EV_KRB_ERROR, 2);
	assert_non_null(ev);
	assert_int_equal(ev->code, 52);
	assert_string_equal(ev->realm, "LINUX.SHELL.COM");
	ev = find(&r, EV_KRB_ERROR, 3);
	assert_non_null(ev);
	assert_int_equal(ev->code, 52);
	for (i = 0; i < r.n_events; i++)
		if (r.events[i].type == EV_NOTE &&
		    strstr(r.events[i].text, "70 IP fragment"))
			noted = 1;
	assert_true(noted);
	report_release(&r);
}

static void
test_sniff(void **state)
{
	static const uint8_t pcap[] = { 0xd4, 0xc3, 0xb2, 0xa1 };
	static const uint8_t ng[] = { 0x0a, 0x0d, 0x0d, 0x0a };
	static const uint8_t text[] = "#Software: Microsoft IIS";

	(void)state;
	assert_true(ingest_pcap.sniff(pcap, sizeof(pcap)));
	assert_true(ingest_pcap.sniff(ng, sizeof(ng)));
	assert_false(ingest_pcap.sniff(text, sizeof(text)));
	assert_false(ingest_pcap.sniff(pcap, 2));
}

static void
test_unreadable(void **state)
{
	char err[512];
	struct report r;

	(void)state;
	report_init(&r, "analyze", "x");
	assert_int_not_equal(ingest_read_path(&ingest_pcap,
	    "/nonexistent/x.pcap", &r, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "cannot open"));
	assert_null(strchr(err, '\n'));
	report_release(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_referrals_and_negotiate),
		cmocka_unit_test(test_krb_error_7),
		cmocka_unit_test(test_split_record),
		cmocka_unit_test(test_kdc_unanswered),
		cmocka_unit_test(test_kdc_refused),
		cmocka_unit_test(test_kdc_failover),
		cmocka_unit_test(test_mp_refused),
		cmocka_unit_test(test_mp_hang),
		cmocka_unit_test(test_gre_fragments),
		cmocka_unit_test(test_kpasswd),
		cmocka_unit_test(test_http_odd_requests),
		cmocka_unit_test(test_http_until_fin),
		cmocka_unit_test(test_http_lost_segments),
		cmocka_unit_test(test_http_held_segments),
		cmocka_unit_test(test_frag_kpasswd_error),
		cmocka_unit_test(test_sniff),
		cmocka_unit_test(test_unreadable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
