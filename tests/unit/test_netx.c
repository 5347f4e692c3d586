/*
 * test_netx.c - ccmdiag's own transport (src/netx.c, src/kdc.c) against
 * servers on the loopback that answer, keep silent, refuse, drip, announce
 * 2 GiB or answer what was not asked; and bounded_call (src/bounded.c) on
 * a call that never returns, and its threads kept for the next call.
 * Every wait must end by its deadline.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bounded.h"
#include "error.h"
#include "kdc.h"
#include "netx.h"
#include "util.h"

/* The slack a deadline may be passed by: a scheduler's tick or two. */
#define SLACK 0.25

enum mode { ECHO, SILENT, DRIP, HUGE, CLOSE_HALF, KRB_ERR52, WRONG_TYPE };

struct server {
	int fd;
	int port;
	int udp;
	enum mode mode;
	pthread_t t;
};

/* A KRB-ERROR (APPLICATION 30) with error-code `code`, its stime
 * 20260101000000Z, realm "R", sname krbtgt/R: DER by hand. */
static size_t
krb_error(uint8_t *p, int code)
{
	static const uint8_t tail[] = {
		0xa4, 0x11, 0x18, 0x0f, '2', '0', '2', '6', '0', '1', '0', '1',
		'0', '0', '0', '0', '0', '0', 'Z',
		0xa5, 0x03, 0x02, 0x01, 0x00,
		0xa6, 0x03, 0x02, 0x01, 0x00,	/* code, patched below */
		0xa9, 0x03, 0x1b, 0x01, 'R',
		0xaa, 0x16, 0x30, 0x14, 0xa0, 0x03, 0x02, 0x01, 0x02,
		0xa1, 0x0d, 0x30, 0x0b, 0x1b, 0x06, 'k', 'r', 'b', 't', 'g',
		't', 0x1b, 0x01, 'R',
	};
	static const uint8_t head[] = {
		0xa0, 0x03, 0x02, 0x01, 0x05, 0xa1, 0x03, 0x02, 0x01, 0x1e,
	};
	size_t body = sizeof(head) + sizeof(tail), n = 0;

	p[n++] = 0x7e;
	p[n++] = (uint8_t)(body + 2);
	p[n++] = 0x30;
	p[n++] = (uint8_t)body;
	memcpy(p + n, head, sizeof(head));
	n += sizeof(head);
	memcpy(p + n, tail, sizeof(tail));
	p[n + 28] = (uint8_t)code;
	return n + sizeof(tail);
}

/* An AP-REP (APPLICATION 15): a Kerberos message, not a KDC's reply. */
static size_t
ap_rep(uint8_t *p)
{
	static const uint8_t m[] = {
		0x6f, 0x19, 0x30, 0x17, 0xa0, 0x03, 0x02, 0x01, 0x05, 0xa1,
		0x03, 0x02, 0x01, 0x0f, 0xa2, 0x0b, 0x30, 0x09, 0xa0, 0x03,
		0x02, 0x01, 0x12, 0xa2, 0x02, 0x04, 0x00,
	};

	memcpy(p, m, sizeof(m));
	return sizeof(m);
}

static void
send_all(int fd, const uint8_t *p, size_t n)
{
	ssize_t w;

	while (n > 0 && (w = send(fd, p, n, MSG_NOSIGNAL)) > 0) {
		p += w;
		n -= (size_t)w;
	}
}

static void *
tcp_serve(void *arg)
{
	struct server *s = arg;
	uint8_t buf[4096], rep[512];
	size_t n, i;
	ssize_t r;
	int c;

	while ((c = accept(s->fd, NULL, NULL)) >= 0) {
		r = recv(c, buf, sizeof(buf), 0);
		n = s->mode == WRONG_TYPE ? ap_rep(rep + 4) : krb_error(rep + 4,
		    25);
		rep[0] = rep[1] = 0;
		rep[2] = (uint8_t)(n >> 8);
		rep[3] = (uint8_t)n;
		switch (s->mode) {
		case SILENT:
			sleep(5);
			break;
		case DRIP:
			for (i = 0; i < n + 4; i++) {
				send_all(c, rep + i, 1);
				usleep(200000);
			}
			break;
		case HUGE:
			send_all(c, (const uint8_t *)"\x7f\xff\xff\xff\x7e", 5);
			sleep(5);
			break;
		case CLOSE_HALF:
			send_all(c, rep, 4 + n / 2);
			break;
		default:
			if (r > 0)
				send_all(c, rep, n + 4);
			break;
		}
		close(c);
	}
	return NULL;
}

static void *
udp_serve(void *arg)
{
	struct server *s = arg;
	struct sockaddr_in peer;
	socklen_t pl = sizeof(peer);
	uint8_t buf[4096], rep[512];
	ssize_t r;
	size_t n;

	while ((r = recvfrom(s->fd, buf, sizeof(buf), 0,
	    (struct sockaddr *)&peer, &pl)) >= 0) {
		if (s->mode == SILENT)
			continue;
		n = s->mode == WRONG_TYPE ? ap_rep(rep) : krb_error(rep,
		    s->mode == KRB_ERR52 ? 52 : 25);
		sendto(s->fd, rep, n, 0, (struct sockaddr *)&peer, pl);
		pl = sizeof(peer);
	}
	return NULL;
}

/* A server on 127.0.0.1, port given (0: any), in its own thread; it lives
 * as long as the test program. */
static struct server *
start(int udp, enum mode mode, int port)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	struct server *s = calloc(1, sizeof(*s));
	int one = 1;

	assert_non_null(s);
	s->udp = udp;
	s->mode = mode;
	s->fd = socket(AF_INET, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
	assert_true(s->fd >= 0);
	setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	if (!udp)
		assert_int_equal(listen(s->fd, 8), 0);
	getsockname(s->fd, (struct sockaddr *)&a, &al);
	s->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&s->t, NULL, udp ? udp_serve :
	    tcp_serve, s), 0);
	pthread_detach(s->t);
	return s;
}

static const uint8_t as_req[] = { 0x6a, 0x03, 0x30, 0x01, 0x00 };

/* One netx exchange with a server of mode over proto, wait seconds. */
static int
exchange(int udp, enum mode mode, double wait, struct netx_result *res,
    double *took)
{
	struct server *s;
	uint8_t *rep = NULL;
	size_t n = 0;
	double t0;
	int r;

	s = start(udp, mode, 0);
	t0 = now_mono();
	r = netx_exchange("127.0.0.1", s->port, udp ? NETX_UDP : NETX_TCP, 4,
	    as_req, sizeof(as_req), KDC_MAX_REPLY, now_mono() + wait, NULL,
	    NULL, &rep, &n, res);
	*took = now_mono() - t0;
	free(rep);
	return r;
}

static void
test_answered(void **state)
{
	struct netx_result res;
	double took;

	(void)state;
	assert_int_equal(exchange(0, ECHO, 2, &res, &took), 0);
	assert_int_equal(res.outcome, NETX_ANSWERED);
	assert_int_equal(exchange(1, ECHO, 2, &res, &took), 0);
	assert_int_equal(res.outcome, NETX_ANSWERED);
	assert_true(took < 1);
}

static void
test_silent_ends_at_deadline(void **state)
{
	struct netx_result res;
	double took;

	(void)state;
	assert_int_equal(exchange(1, SILENT, 0.5, &res, &took), ERR_TIMEOUT);
	assert_int_equal(res.outcome, NETX_SILENT);
	assert_true(res.at_deadline);
	assert_true(took >= 0.45 && took < 0.5 + SLACK);
	assert_int_equal(exchange(0, SILENT, 0.5, &res, &took), ERR_TIMEOUT);
	assert_int_equal(res.outcome, NETX_SILENT);
	assert_true(res.connected);
	assert_true(took < 0.5 + SLACK);
}

static void
test_drip_ends_at_deadline(void **state)
{
	struct netx_result res;
	double took;

	(void)state;
	assert_int_equal(exchange(0, DRIP, 1.5, &res, &took), ERR_TIMEOUT);
	assert_int_equal(res.outcome, NETX_PARTIAL);
	assert_true(res.want > 0 && res.got < res.want);
	assert_true(took < 1.5 + SLACK);
}

static void
test_huge_prefix(void **state)
{
	struct netx_result res;
	char text[200];
	double took;

	(void)state;
	assert_int_equal(exchange(0, HUGE, 3, &res, &took), ERR_MALFORMED);
	assert_int_equal(res.outcome, NETX_OVERSIZED);
	assert_int_equal(res.want, 0x7fffffffUL);
	assert_true(took < 1);	/* no wait for bytes that will not come */
	netx_describe(&res, NETX_TCP, text, sizeof(text));
	assert_non_null(strstr(text, "2147483647"));
}

static void
test_cut(void **state)
{
	struct netx_result res;
	double took;

	(void)state;
	assert_int_equal(exchange(0, CLOSE_HALF, 3, &res, &took),
	    ERR_MALFORMED);
	assert_int_equal(res.outcome, NETX_CUT);
	assert_true(res.got > 0 && res.got < res.want);
}

static void
test_refused(void **state)
{
	struct netx_result res;
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	uint8_t *rep = NULL;
	size_t n;
	int fd, port;

	(void)state;
	/* a port just closed: nothing listens there */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	getsockname(fd, (struct sockaddr *)&a, &al);
	port = ntohs(a.sin_port);
	close(fd);
	usleep(50000);
	assert_int_equal(netx_exchange("127.0.0.1", port, NETX_TCP, 4, as_req,
	    sizeof(as_req), 1024, now_mono() + 2, NULL, NULL, &rep, &n, &res),
	    ERR_REFUSED);
	assert_int_equal(res.outcome, NETX_REFUSED);
	assert_int_equal(netx_exchange("127.0.0.1", port, NETX_UDP, 4, as_req,
	    sizeof(as_req), 1024, now_mono() + 2, NULL, NULL, &rep, &n, &res),
	    ERR_REFUSED);
	assert_null(rep);
}

/* A list of one server, proto as given (0: UDP then TCP). */
static void
one_server(struct kdc_list *l, int port, int both)
{
	char cfg[1][256];

	snprintf(cfg[0], sizeof(cfg[0]), "%s127.0.0.1:%d", both ? "" : "tcp/",
	    port);
	assert_int_equal(kdc_locate("R", cfg, 1, 0, now_mono() + 1, l), 0);
}

static void
test_kdc_too_big_goes_tcp(void **state)
{
	struct server *t;
	struct kdc_list l;
	struct kdc_exchange x;
	uint8_t *rep = NULL;
	size_t n = 0;

	(void)state;
	/* UDP says 52, TCP on the same port answers */
	t = start(0, ECHO, 0);
	start(1, KRB_ERR52, t->port);
	one_server(&l, t->port, 1);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.s[0].proto, NETX_UDP);
	assert_int_equal(l.s[0].port, t->port);
	assert_int_equal(kdc_send(&l, as_req, sizeof(as_req), now_mono() + 2,
	    &rep, &n, &x), 0);
	assert_int_equal(x.a[x.answered].server.proto, NETX_TCP);
	assert_int_equal(x.a[0].krb_error, 52);
	free(rep);
}

static void
test_kdc_wrong_type_is_garbage(void **state)
{
	struct server *t;
	struct kdc_list l;
	struct kdc_exchange x;
	uint8_t *rep = NULL;
	size_t n = 0;
	char text[600];

	(void)state;
	t = start(0, WRONG_TYPE, 0);
	one_server(&l, t->port, 0);
	assert_int_equal(kdc_send(&l, as_req, sizeof(as_req), now_mono() + 2,
	    &rep, &n, &x), ERR_MALFORMED);
	assert_null(rep);
	kdc_describe(&x, text, sizeof(text));
	assert_non_null(strstr(text, "AP-REP (msg-type 15) to AS-REQ"));
}

static void
emit_keep(void *arg, struct event *ev)
{
	*(struct event *)arg = *ev;
}

static void
test_kdc_silent_event(void **state)
{
	struct server *t;
	struct kdc_list l;
	struct kdc_exchange x;
	struct event ev;
	uint8_t *rep = NULL;
	size_t n = 0;
	double t0 = now_mono();

	(void)state;
	t = start(0, SILENT, 0);
	one_server(&l, t->port, 0);
	assert_int_equal(kdc_send(&l, as_req, sizeof(as_req), now_mono() +
	    0.6, &rep, &n, &x), ERR_TIMEOUT);
	assert_true(now_mono() - t0 < 0.6 + SLACK);
	assert_true(x.at_deadline);
	memset(&ev, 0, sizeof(ev));
	kdc_events(&l, &x, emit_keep, &ev);
	assert_int_equal(ev.type, EV_KDC_UNREACHABLE);
	assert_int_equal(ev.port, t->port);
	assert_string_equal(ev.peer, "127.0.0.1");
	assert_int_equal(ev.status, CONN_TIMEOUT);
	assert_true(ev.flags & EVF_DEADLINE);
	assert_non_null(strstr(ev.text, "TCP 127.0.0.1:"));
}

static void
test_kdc_conf_forms(void **state)
{
	char cfg[4][256] = { "udp/127.0.0.1:3088", "[::1]:99",
		"https://kdcproxy.example/KdcProxy", "127.0.0.2" };
	struct kdc_list l;

	(void)state;
	assert_int_equal(kdc_locate("R", cfg, 4, 0, now_mono() + 1, &l), 0);
	/* UDP first: the udp/ line, [::1] and 127.0.0.2 by UDP, then TCP */
	assert_int_equal(l.n, 5);
	assert_int_equal(l.s[0].port, 3088);
	assert_string_equal(l.s[1].addr, "::1");
	assert_int_equal(l.s[1].port, 99);
	assert_int_equal(l.s[2].port, KDC_PORT);
	assert_int_equal(l.s[3].proto, NETX_TCP);
	assert_non_null(strstr(l.why, "kdcproxy"));
}

static void
forever(void *arg)
{
	int *fds = arg;
	char c;

	/* a read no one will ever answer */
	while (read(fds[0], &c, 1) < 0)
		;
}

static void
quick(void *arg)
{
	*(int *)arg = 42;
}

static void
test_bounded_call(void **state)
{
	int *fds = malloc(2 * sizeof(int)), v = 0;
	double t0;

	(void)state;
	assert_non_null(fds);
	assert_int_equal(pipe(fds), 0);
	t0 = now_mono();
	assert_int_equal(bounded_call(forever, fds, now_mono() + 0.3),
	    ERR_TIMEOUT);
	assert_true(now_mono() - t0 < 0.3 + SLACK);
	/* fds stay with the abandoned call */
	assert_int_equal(bounded_call(quick, &v, now_mono() + 2), 0);
	assert_int_equal(v, 42);
}

static void
whoami(void *arg)
{
	*(pthread_t *)arg = pthread_self();
}

static void
nap(void *arg)
{
	(void)arg;
	usleep(200000);
}

static void *
napper(void *arg)
{
	*(int *)arg = bounded_call(nap, NULL, now_mono() + 2);
	return NULL;
}

/* A thread whose call has returned serves the next; a call never waits
 * behind another, neither a hung one nor one running meanwhile. */
static void
test_bounded_threads(void **state)
{
	int *fds = malloc(2 * sizeof(int)), rc[4], i;
	pthread_t a, b, hung, t[4];
	double t0;

	(void)state;
	assert_int_equal(bounded_call(whoami, &a, now_mono() + 2), 0);
	assert_int_equal(bounded_call(whoami, &b, now_mono() + 2), 0);
	assert_true(pthread_equal(a, b));
	assert_false(pthread_equal(a, pthread_self()));

	/* the thread that served them hangs now; the next call is served
	 * at once, by another */
	assert_non_null(fds);
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(bounded_call(forever, fds, now_mono() + 0.1),
	    ERR_TIMEOUT);
	hung = a;
	t0 = now_mono();
	assert_int_equal(bounded_call(whoami, &b, now_mono() + 2), 0);
	assert_true(now_mono() - t0 < SLACK);
	assert_false(pthread_equal(b, hung));

	/* four calls at once run at once */
	t0 = now_mono();
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, napper, &rc[i]),
		    0);
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(rc[i], 0);
	}
	assert_true(now_mono() - t0 < 0.2 + SLACK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answered),
		cmocka_unit_test(test_silent_ends_at_deadline),
		cmocka_unit_test(test_drip_ends_at_deadline),
		cmocka_unit_test(test_huge_prefix),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_kdc_too_big_goes_tcp),
		cmocka_unit_test(test_kdc_wrong_type_is_garbage),
		cmocka_unit_test(test_kdc_silent_event),
		cmocka_unit_test(test_kdc_conf_forms),
		cmocka_unit_test(test_bounded_call),
		cmocka_unit_test(test_bounded_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
