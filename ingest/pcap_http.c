/* pcap_http.c - TCP payload streams: HTTP, records, connection fates. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto.h"
#include "cursor.h"
#include "ingest_pcap.h"
#include "krb.h"
#include "spnego.h"
#include "tokev.h"
#include "util.h"

#define HTTP_HEAD_MAX (64 * 1024)

/* ---- HTTP and connections ---- */

static void
consume(struct pcap_ingest *s, struct tcp_dir *d, size_t n)
{
	if (n > d->len)
		n = d->len;
	memmove(d->buf, d->buf + n, d->len - n);
	d->len -= n;
	s->buffered -= n;
}

static int
is_token_char(uint8_t ch)
{
	return (ch >= 'A' && ch <= 'Z') || ch == '_' || ch == '-';
}

/* Does buf start like an HTTP/1.x message?  1 yes, 0 no, -1 too short. */
static int
http_start(const uint8_t *buf, size_t len)
{
	size_t i;

	if (len >= 7 && memcmp(buf, "HTTP/1.", 7) == 0)
		return 1;
	for (i = 0; i < len && i < 20; i++) {
		if (buf[i] == ' ' || buf[i] == '\r' || buf[i] == '\n')
			return i > 0;
		if (!is_token_char(buf[i]))
			return 0;
	}
	return i >= 20 ? 0 : -1;
}

/* Length of the header block at buf (its empty line included, CRLF or
 * bare LF), 0 when it has not ended yet. */
static size_t
head_end(const uint8_t *buf, size_t len)
{
	const uint8_t *nl = buf, *end = buf + len;

	while ((nl = memchr(nl, '\n', (size_t)(end - nl))) != NULL) {
		nl++;
		if (nl < end && *nl == '\n')
			return (size_t)(nl - buf) + 1;
		if (nl + 1 < end && nl[0] == '\r' && nl[1] == '\n')
			return (size_t)(nl - buf) + 2;
	}
	return 0;
}

struct http_head {
	int response;
	int status;
	char method[32];
	char uri[512];
	char host[256];
	long long content_length;	/* -1 absent */
	int chunked;
	int negotiate;			/* Authorization: Negotiate */
	char auth_scheme[32];
	uint8_t *token;			/* decoded Authorization token */
	size_t token_len;
	char schemes[256];		/* WWW-Authenticate schemes offered */
	uint8_t *reply_token;		/* WWW-Authenticate: Negotiate token */
	size_t reply_token_len;
	int reply_garbage;
	int ccm_header;			/* User-Agent or Content-Type of CCM */
};

static void
head_release(struct http_head *h)
{
	if (h->token)
		crypto_freezero(h->token, h->token_len);
	if (h->reply_token)
		crypto_freezero(h->reply_token, h->reply_token_len);
	h->token = h->reply_token = NULL;
}

static const char *
skip_ws(const char *v)
{
	while (*v == ' ' || *v == '\t')
		v++;
	return v;
}

/* The base64 word after a scheme, decoded; -1 when it is not base64. */
static int
b64_word(const char *v, uint8_t **out, size_t *outlen)
{
	size_t n;

	v = skip_ws(v);
	n = strcspn(v, " \t,");
	if (n == 0)
		return 0;
	return crypto_b64decode(v, n, out, outlen) == 0 ? 1 : -1;
}

static void
www_authenticate(struct http_head *h, const char *v)
{
	char scheme[32];
	size_t n;

	/* schemes and their tokens, comma-separated; params have '=' */
	while (*(v = skip_ws(v))) {
		n = strcspn(v, " \t,");
		if (n > 0 && n < sizeof(scheme) && memchr(v, '=', n) == NULL) {
			memcpy(scheme, v, n);
			scheme[n] = '\0';
			if (strlen(h->schemes) + n + 3 < sizeof(h->schemes))
				strappendf(h->schemes, sizeof(h->schemes),
				    "%s%s", h->schemes[0] ? ", " : "", scheme);
			if (strcasecmp(scheme, "Negotiate") == 0 &&
			    h->reply_token == NULL) {
				int rc = b64_word(v + n, &h->reply_token,
				    &h->reply_token_len);

				if (rc < 0)
					h->reply_garbage = 1;
			}
		}
		v += strcspn(v, ",");
		if (*v == ',')
			v++;
	}
}

static void
header(struct http_head *h, const char *name, const char *v)
{
	if (strcasecmp(name, "Content-Length") == 0) {
		char *end;
		long long cl = strtoll(v, &end, 10);

		h->content_length = end != v && cl >= 0 ? cl : -1;
	} else if (strcasecmp(name, "Transfer-Encoding") == 0) {
		h->chunked = strcasestr(v, "chunked") != NULL;
	} else if (strcasecmp(name, "Host") == 0) {
		strlcpy0(h->host, v, sizeof(h->host));
	} else if (strcasecmp(name, "User-Agent") == 0) {
		/* the agent's own and the SDK's (docs/ccm-protocol.md 1.2) */
		if (strcasecmp(v, "ccmhttp") == 0 || strncasecmp(v,
		    "ConfigMgr Messaging HTTP Sender", 31) == 0)
			h->ccm_header = 1;
	} else if (strcasecmp(name, "Content-Type") == 0) {
		if (strstr(v, "aAbBcCdDv1234567890VxXyYzZ") != NULL)
			h->ccm_header = 1;
	} else if (strcasecmp(name, "Authorization") == 0 && !h->response) {
		size_t n = strcspn(v, " \t");

		if (n >= sizeof(h->auth_scheme))
			n = sizeof(h->auth_scheme) - 1;
		memcpy(h->auth_scheme, v, n);
		h->auth_scheme[n] = '\0';
		if (strcasecmp(h->auth_scheme, "Negotiate") == 0) {
			h->negotiate = 1;
			if (h->token == NULL)
				b64_word(v + n, &h->token, &h->token_len);
		}
	} else if (strcasecmp(name, "WWW-Authenticate") == 0 && h->response) {
		www_authenticate(h, v);
	}
}

/* A header header() reads. */
static int
wanted_header(const char *name)
{
	switch (name[0]) {
	case 'C': case 'c': case 'T': case 't': case 'H': case 'h':
	case 'A': case 'a': case 'W': case 'w': case 'U': case 'u':
		return strcasecmp(name, "Content-Length") == 0 ||
		    strcasecmp(name, "Content-Type") == 0 ||
		    strcasecmp(name, "Transfer-Encoding") == 0 ||
		    strcasecmp(name, "Host") == 0 ||
		    strcasecmp(name, "Authorization") == 0 ||
		    strcasecmp(name, "WWW-Authenticate") == 0 ||
		    strcasecmp(name, "User-Agent") == 0;
	default:
		return 0;
	}
}

/* Parse the header block (start line to the empty line); 0 or -1. */
static int
head_parse(const uint8_t *p, size_t n, struct http_head *h)
{
	struct cursor c, line, part;
	char *buf, name[64];
	int found, first = 1;

	memset(h, 0, sizeof(*h));
	h->content_length = -1;
	h->status = -1;
	if ((buf = malloc(n + 1)) == NULL)
		return -1;
	cur_init(&c, p, n);
	while (!cur_empty(&c)) {
		line = cur_line(&c, &found);
		if (cur_empty(&line))
			break;
		if (first) {
			first = 0;
			part = cur_until(&line, ' ', &found);
			cur_str(&part, cur_left(&part), buf, n + 1);
			if (strncmp(buf, "HTTP/1.", 7) == 0) {
				h->response = 1;
				part = cur_until(&line, ' ', &found);
				cur_str(&part, cur_left(&part), buf, n + 1);
				h->status = atoi(buf);
			} else {
				strlcpy0(h->method, buf, sizeof(h->method));
				part = cur_until(&line, ' ', &found);
				cur_str(&part, cur_left(&part), h->uri,
				    sizeof(h->uri));
			}
			continue;
		}
		part = cur_until(&line, ':', &found);
		if (!found)
			continue;
		cur_str(&part, cur_left(&part), name, sizeof(name));
		if (!wanted_header(name))
			continue;	/* its value is not copied */
		cur_str(&line, cur_left(&line), buf, n + 1);
		header(h, name, skip_ws(buf));
	}
	free(buf);
	if (h->response && (h->status < 100 || h->status > 999)) {
		head_release(h);	/* a Negotiate token may be held */
		return -1;
	}
	return 0;
}

/*
 * Length of a whole chunked body at p; 0 when it has not all arrived,
 * -1 when it is not chunked encoding.
 */
static long long
chunked_len(const uint8_t *p, size_t n)
{
	struct cursor c, line;
	char buf[32], *end;
	unsigned long long sz;
	int found;

	cur_init(&c, p, n);
	for (;;) {
		line = cur_line(&c, &found);
		if (!found)
			return 0;
		cur_str(&line, cur_left(&line) < 20 ? cur_left(&line) : 20,
		    buf, sizeof(buf));
		sz = strtoull(buf, &end, 16);
		if (end == buf)
			return -1;
		if (sz == 0)
			break;
		if (sz > PCAP_STREAM_CAP)
			return -1;
		cur_skip(&c, (size_t)sz);
		line = cur_line(&c, &found);
		if (!cur_ok(&c) || !found)
			return 0;
	}
	do {			/* trailers, then the empty line */
		line = cur_line(&c, &found);
		if (!found)
			return 0;
	} while (!cur_empty(&line));
	return (long long)(n - cur_left(&c));
}

/* The request's path ("/ccm_system/request"), without scheme, host and
 * query. */
static void
request_path(const char *uri, char *out, size_t n)
{
	const char *p = uri;

	if (strncasecmp(p, "http://", 7) == 0 ||
	    strncasecmp(p, "https://", 8) == 0) {
		p = strchr(p, ':') + 3;
		p += strcspn(p, "/");
	}
	strlcpy0(out, p, n);
	out[strcspn(out, "?#")] = '\0';
}

/* "mp.example.com:80" or "[2001:db8::1]:80" -> the host alone */
static void
host_only(const char *host, char *out, size_t n)
{
	const char *colon;

	if (host[0] == '[') {
		strlcpy0(out, host + 1, n);
		out[strcspn(out, "]")] = '\0';
		return;
	}
	strlcpy0(out, host, n);
	colon = strchr(out, ':');
	if (colon && strchr(colon + 1, ':') == NULL)
		out[colon - out] = '\0';
}

/* What in a request says it is ConfigMgr's (enum ev_flags). */
static unsigned
ccm_flags(const struct http_head *h, const char *path)
{
	unsigned fl = 0;

	if (strcmp(h->method, "CCM_POST") == 0 || h->ccm_header ||
	    strncasecmp(path, "/ccm_system", 11) == 0)
		fl |= EVF_CCM;
	if (strncasecmp(path, "/ccm_system_windowsauth", 23) == 0)
		fl |= EVF_CCM | EVF_WINDOWSAUTH;
	if (strncasecmp(path, "/sms_mp", 7) == 0)
		fl |= EVF_CCM | EVF_SMS_MP;
	return fl;
}

/* An event of f's connection: who is the client, where is the server. */
static void
conn_ev_start(struct event *ev, enum ev_type type, const struct pkt_ctx *p,
    const struct flow *f)
{
	int srv = !f->conn.client;
	char addr[48];

	pcap_addr_text(f->af, f->addr[srv], addr, sizeof(addr));
	pcap_ev_start(ev, type, p, addr);
	pcap_addr_text(f->af, f->addr[!srv], ev->client, sizeof(ev->client));
	ev->port = f->port[srv];
	ev->conn = f->conn.id;
}

static void
http_request(struct pcap_ingest *s, const struct pkt_ctx *p, struct flow *f,
    struct http_head *h)
{
	struct http_pending *q;
	struct gss_tok tok;
	struct event ev;
	int ntlm = 0;

	pcap_ev_start(&ev, EV_HTTP_REQUEST, p, pkt_dst(p));
	strlcpy0(ev.client, pkt_src(p), sizeof(ev.client));
	ev.port = p->dport;
	ev.conn = f->conn.id;
	ev.from = ROLE_CLIENT;
	ev.to = ROLE_MP;
	strlcpy0(ev.text, h->method, sizeof(ev.text));
	if (strncmp(h->uri, "http://", 7) == 0 || !h->host[0] ||
	    strcmp(h->method, "CONNECT") == 0)
		strappendf(ev.text, sizeof(ev.text), " %s", h->uri);
	else
		strappendf(ev.text, sizeof(ev.text), " http://%s%s", h->host,
		    h->uri);
	request_path(h->uri, ev.uri, sizeof(ev.uri));
	host_only(h->host, ev.host, sizeof(ev.host));
	if (!ev.host[0] && strncasecmp(h->uri, "http://", 7) == 0) {
		strlcpy0(ev.host, h->uri + 7, sizeof(ev.host));
		ev.host[strcspn(ev.host, "/:")] = '\0';
	}
	ev.flags = ccm_flags(h, ev.uri);
	strlcpy0(ev.name, h->auth_scheme, sizeof(ev.name));
	if (h->negotiate && h->token && gss_tok_decode(h->token,
	    h->token_len, &tok) == 0) {
		if (tok.krb_tok_id == 0x0100 && tok.krb.has_ticket)
			strlcpy0(ev.value, tok.krb.tkt_sname.text,
			    sizeof(ev.value));
		/* Negotiate that fell back to NTLM is not Kerberos: the
		 * request shows the header's scheme, its answer says NTLM */
		if (tok.ntlm_type > 0)
			ntlm = 1;
	}
	pcap_event(s, &ev);
	if (ev.value[0]) {
		struct event t;

		pcap_ev_start(&t, EV_TICKET, p, pkt_dst(p));
		strlcpy0(t.client, ev.client, sizeof(t.client));
		t.port = ev.port;
		t.conn = ev.conn;
		t.flags = ev.flags;
		strlcpy0(t.host, ev.host, sizeof(t.host));
		t.from = ROLE_CLIENT;
		t.to = ROLE_MP;
		strlcpy0(t.name, tok.krb.tkt_sname.text, sizeof(t.name));
		strlcpy0(t.realm, tok.krb.tkt_realm, sizeof(t.realm));
		t.etype = tok.krb.tkt_etype;
		t.kvno = tok.krb.tkt_kvno;
		pcap_event(s, &t);
	}
	if (h->negotiate || (ev.flags & EVF_CCM))
		f->conn.ccm = 1;
	f->conn.req_flags = ev.flags;
	if (f->q_n == PCAP_HTTP_QUEUE) {	/* drop the oldest */
		f->q_head = (f->q_head + 1) % PCAP_HTTP_QUEUE;
		f->q_n--;
	}
	q = &f->q[(f->q_head + f->q_n++) % PCAP_HTTP_QUEUE];
	q->negotiate = h->negotiate;
	q->flags = ev.flags;
	strlcpy0(q->scheme, ntlm ? "Negotiate/NTLM" : ev.name,
	    sizeof(q->scheme));
	q->head = strcmp(h->method, "HEAD") == 0;
	strlcpy0(q->sname, ev.value, sizeof(q->sname));
}

static void
reply_token(struct pcap_ingest *s, const struct pkt_ctx *p,
    const struct http_head *h, const struct event *resp, const char *sname)
{
	struct event reply, err;
	int has_err;

	pcap_ev_start(&reply, EV_SPNEGO_REPLY, p, pkt_src(p));
	pcap_ev_start(&err, EV_KRB_ERROR, p, pkt_src(p));
	strlcpy0(reply.client, resp->client, sizeof(reply.client));
	strlcpy0(err.client, resp->client, sizeof(err.client));
	reply.port = err.port = resp->port;
	reply.conn = err.conn = resp->conn;
	reply.flags = err.flags = resp->flags;
	has_err = tokev_reply(h->reply_token, h->reply_token_len, sname,
	    &reply, &err, NULL);
	pcap_event(s, &reply);
	if (has_err)
		pcap_event(s, &err);
}

static void
http_response(struct pcap_ingest *s, const struct pkt_ctx *p,
    struct flow *f, struct http_head *h)
{
	struct http_pending q = { 0, 0, 0, "", "" };
	struct event ev;

	if (f->q_n > 0 && h->status >= 200) {
		q = f->q[f->q_head];
		f->q_head = (f->q_head + 1) % PCAP_HTTP_QUEUE;
		f->q_n--;
	} else if (h->status >= 200 && h->reply_token) {
		/* its request is not in the capture (a lost packet), but a
		 * Negotiate token answers only a Negotiate request */
		strlcpy0(q.scheme, "Negotiate", sizeof(q.scheme));
		q.flags = f->conn.req_flags;
	}
	pcap_ev_start(&ev, EV_HTTP_RESPONSE, p, pkt_src(p));
	strlcpy0(ev.client, pkt_dst(p), sizeof(ev.client));
	ev.port = p->sport;
	ev.conn = f->conn.id;
	ev.flags = q.flags;
	ev.from = ROLE_MP;
	ev.to = ROLE_CLIENT;
	ev.status = h->status;
	strlcpy0(ev.text, h->schemes, sizeof(ev.text));
	if (h->reply_garbage)
		strappendf(ev.text, sizeof(ev.text), " (the Negotiate value "
		    "is not base64)");
	/* the request's scheme: "" only for an anonymous request */
	strlcpy0(ev.name, q.scheme, sizeof(ev.name));
	if (q.negotiate)
		strlcpy0(ev.value, q.sname, sizeof(ev.value));
	ev.has_token = h->reply_garbage ? -1 : h->reply_token != NULL;
	pcap_event(s, &ev);
	if (h->reply_token)
		reply_token(s, p, h, &ev, q.sname);
}

static void
http_emit(struct pcap_ingest *s, const struct pkt_ctx *p, struct flow *f,
    struct http_head *h)
{
	if (h->response)
		http_response(s, p, f, h);
	else
		http_request(s, p, f, h);
}

/* "mp.example.com:80" for a connection to addr port: the name the client
 * looked up, else the address. */
static void
conn_name(const struct pcap_ingest *s, const char *addr, unsigned port,
    char *buf, size_t n)
{
	const char *name = pcap_addr_name(s, addr);

	if (!name[0])
		name = addr;
	snprintf(buf, n, strchr(name, ':') ? "[%s]:%u" : "%s:%u", name, port);
}

/*
 * A TCP connection to a server failed (or its fate is not in the
 * capture): the engine decides whether the server is the MP.
 */
static void
conn_fail(struct pcap_ingest *s, const struct pkt_ctx *p, struct flow *f,
    int srv, int status, const char *text)
{
	struct event ev;
	char addr[48];

	(void)srv;
	conn_ev_start(&ev, EV_CONNECT_FAIL, p, f);
	pcap_addr_text(f->af, f->addr[!f->conn.client], addr, sizeof(addr));
	ev.from = ROLE_CLIENT;
	ev.to = ROLE_MP;
	ev.status = status;
	if (f->conn.ccm)
		ev.flags |= EVF_CCM;
	conn_name(s, addr, (unsigned)ev.port, ev.name, sizeof(ev.name));
	strlcpy0(ev.text, text, sizeof(ev.text));
	f->conn.reported = 1;
	pcap_event(s, &ev);
}

/* The MP's response header did not end within what we keep of it. */
static void
head_overflow(struct pcap_ingest *s, const struct pkt_ctx *p,
    struct flow *f, const struct tcp_dir *d)
{
	char text[128];

	if (f->conn.reported)
		return;
	snprintf(text, sizeof(text), "HTTP response header exceeds %d bytes "
	    "(%zu bytes without its end)", HTTP_HEAD_MAX, d->len);
	conn_fail(s, p, f, d == &f->dir[1], CONN_PROTOCOL, text);
}

void
proto_conn_open(struct pcap_ingest *s, const struct pkt_ctx *p,
    struct flow *f)
{
	(void)p;
	f->conn.id = ++s->n_conns;
}

void
proto_conn_end(struct pcap_ingest *s, const struct pkt_ctx *p,
    struct flow *f)
{
	const struct tcp_conn *k = &f->conn;
	const struct tcp_dir *d;
	char addr[48], text[256];
	int srv = !k->client;
	unsigned port = f->port[srv];
	const char *how = k->closed_by < 0 ? "by the end of the capture" :
	    k->closed_by == srv ? "when the server closed the connection" :
	    "when the client gave up";

	if (!k->syn_seen || k->reported)
		return;
	pcap_addr_text(f->af, f->addr[srv], addr, sizeof(addr));
	if (port == 88) {
		/* a request over it, unanswered, is already counted */
		if (!k->established)
			pcap_kdc_no_accept(s, addr, f);
		return;
	}
	if (port == 53)
		return;
	d = &f->dir[srv];
	if (!k->established && k->refused) {
		snprintf(text, sizeof(text), "the SYN to port %u was answered "
		    "by %s", port, k->refused == 2 ? "ICMP destination "
		    "unreachable" : "a TCP reset");
		conn_fail(s, p, f, srv, CONN_REFUSED, text);
	} else if (!k->established && k->syns < 2) {
		/* a SYN is "unanswered" only once it was sent again */
		snprintf(text, sizeof(text), "one SYN to port %u, %.1f s "
		    "before the %s: no retransmission yet, so no verdict on "
		    "the connection", port, p->t - k->t_syn, k->closed_by < 0 ?
		    "end of the capture" : "client gave up");
		conn_fail(s, p, f, srv, CONN_INCOMPLETE, text);
	} else if (k->closed_by != srv && k->waiting &&
	    p->t - k->t_wait < 1.0) {
		/* the capture stopped, or the client moved on, too soon to
		 * call it a timeout */
		snprintf(text, sizeof(text), "no reply yet %s, %.1f s after "
		    "the request (frame %lu)", how, p->t - k->t_wait,
		    k->frame_wait);
		conn_fail(s, p, f, srv, CONN_INCOMPLETE, text);
	} else if (!k->established) {
		snprintf(text, sizeof(text), "%d SYN%s to port %u, no answer "
		    "%s (%.1f s after the first)", k->syns, k->syns == 1 ? "" :
		    "s", port, how, p->t - k->t_syn);
		conn_fail(s, p, f, srv, CONN_TIMEOUT, text);
	} else if (k->waiting && k->closed_by == srv) {
		snprintf(text, sizeof(text), "the server %s the connection "
		    "%.1f s after the request without a byte of reply",
		    k->closed_rst ? "reset" : "closed", p->t - k->t_wait);
		conn_fail(s, p, f, srv, CONN_PROTOCOL, text);
	} else if (k->waiting) {
		snprintf(text, sizeof(text), "no byte of reply %s, %.1f s "
		    "after the request (frame %lu)", how, p->t - k->t_wait,
		    k->frame_wait);
		conn_fail(s, p, f, srv, CONN_NO_ANSWER, text);
	} else if (k->closed_by >= 0 && d->kind == APP_HTTP && d->len >= 7 &&
	    memcmp(d->buf, "HTTP/1.", 7) == 0 &&
	    memmem(d->buf, d->len, "\r\n\r\n", 4) == NULL) {
		snprintf(text, sizeof(text), "the HTTP response header had not "
		    "ended after %zu bytes %s", d->len, how);
		conn_fail(s, p, f, srv, CONN_PROTOCOL, text);
	}
}

/* A message head read before its body's end: reported when that comes. */
struct http_held {
	struct http_head h;
};

static void
hold(struct tcp_dir *d, struct http_head *h)
{
	struct http_held *k;

	if ((k = malloc(sizeof(*k))) == NULL) {
		head_release(h);
		return;
	}
	k->h = *h;		/* takes the tokens */
	d->held = k;
}

void
proto_dir_lost(struct pcap_ingest *s, struct flow *f, int side)
{
	struct tcp_dir *d = &f->dir[side];
	struct http_held *k = d->held;

	if (k == NULL)
		return;
	/* like tshark, which shows no message it could not reassemble */
	s->undecoded[UND_TRUNCATED]++;
	head_release(&k->h);
	free(k);
	d->held = NULL;
}

/* The held message's end came with p. */
static void
held_done(struct pcap_ingest *s, const struct pkt_ctx *p, struct flow *f,
    struct tcp_dir *d)
{
	struct http_held *k = d->held;

	d->has_msg_end = 0;
	if (k == NULL)
		return;
	d->held = NULL;
	http_emit(s, p, f, &k->h);
	head_release(&k->h);
	free(k);
}

void
proto_tcp_fin(struct pcap_ingest *s, const struct pkt_ctx *p,
    struct flow *f, int side)
{
	struct tcp_dir *d = &f->dir[side];

	if (d->until_fin) {
		d->until_fin = 0;
		held_done(s, p, f, d);
	}
}

/* One message off the front of d, if it is all there; 0 to wait. */
static int
http_step(struct pcap_ingest *s, const struct pkt_ctx *p, struct flow *f,
    struct tcp_dir *d)
{
	struct http_head h;
	size_t hlen;
	uint32_t seq0 = d->next - (uint32_t)d->len;	/* of d->buf[0] */
	long long blen = 0;
	int st;

	if (d->until_fin) {
		consume(s, d, d->len);
		return 0;
	}
	if (d->len == 0)
		return 0;
	if ((st = http_start(d->buf, d->len)) <= 0) {
		if (st == 0) {
			if (!d->resync)
				s->undecoded[UND_NOT_HTTP]++;
			d->resync = 1;
			consume(s, d, d->len);
		}
		return 0;
	}
	d->resync = 0;
	if ((hlen = head_end(d->buf, d->len)) == 0) {
		if (d->len > HTTP_HEAD_MAX) {
			if (memcmp(d->buf, "HTTP/1.", 7) == 0)
				head_overflow(s, p, f, d);
			s->undecoded[UND_NOT_HTTP]++;
			d->resync = 1;
			consume(s, d, d->len);
		}
		return 0;
	}
	if (head_parse(d->buf, hlen, &h) != 0) {
		s->undecoded[UND_NOT_HTTP]++;
		d->resync = 1;
		consume(s, d, d->len);
		return 0;
	}
	if (h.response && (h.status < 200 || h.status == 204 ||
	    h.status == 304 || (f->q_n > 0 && f->q[f->q_head].head))) {
		blen = 0;
	} else if (h.chunked) {
		blen = chunked_len(d->buf + hlen, d->len - hlen);
		if (blen == 0 && d->len < PCAP_STREAM_CAP / 2) {
			head_release(&h);
			return 0;	/* wait for the last chunk */
		}
		if (blen <= 0) {
			/* emit now, find the next message later */
			http_emit(s, p, f, &h);
			head_release(&h);
			d->resync = 1;
			consume(s, d, d->len);
			return 0;
		}
	} else if (h.content_length >= 0) {
		blen = h.content_length;
		if ((size_t)blen > d->len - hlen) {
			/*
			 * Reported with the segment that ends the body, as
			 * tshark does; the body itself is not kept.
			 */
			consume(s, d, hlen);
			hold(d, &h);
			d->skip = (size_t)blen;
			if (blen < 0x40000000) {
				d->msg_end = seq0 + (uint32_t)(hlen +
				    (size_t)blen);
				d->has_msg_end = 1;
			}
			return d->len > 0;
		}
	} else if (h.response) {
		/* the body runs to the FIN: reported with it */
		consume(s, d, d->len);
		hold(d, &h);
		d->until_fin = 1;
		return 0;
	}
	http_emit(s, p, f, &h);
	head_release(&h);
	consume(s, d, hlen + (size_t)blen);
	return d->len > 0;
}

/* Length-prefixed records: Kerberos (4 bytes) and DNS (2 bytes) on TCP. */
static int
record_step(struct pcap_ingest *s, const struct pkt_ctx *p,
    struct tcp_dir *d)
{
	struct cursor c;
	size_t hl = d->kind == APP_DNS ? 2 : 4, n;
	uint32_t seq0 = d->next - (uint32_t)d->len;

	if (d->len < hl)
		return 0;
	cur_init(&c, d->buf, d->len);
	n = hl == 4 ? cur_be32(&c) & 0x7fffffff : cur_be16(&c);
	if (n > PCAP_STREAM_CAP - hl) {
		s->undecoded[d->kind == APP_DNS ? UND_NOT_DNS : UND_NOT_KRB]++;
		d->kind = APP_NONE;
		consume(s, d, d->len);
		return 0;
	}
	if (d->len < hl + n) {
		d->msg_end = seq0 + (uint32_t)(hl + n);
		d->has_msg_end = 1;
		return 0;
	}
	d->has_msg_end = 0;
	if (d->kind == APP_KRB)
		pcap_krb_message(s, p, cur_bytes(&c, n), n, 1);
	else if (d->kind == APP_KPASSWD)
		pcap_kpasswd_message(s, p, cur_bytes(&c, n), n);
	else
		pcap_dns_message(s, p, cur_bytes(&c, n), n);
	consume(s, d, hl + n);
	return d->len > 0;
}

void
proto_tcp(struct pcap_ingest *s, const struct pkt_ctx *p, struct flow *f,
    int side)
{
	struct tcp_dir *d = &f->dir[side];
	int more, st;

	if (d->kind == APP_UNKNOWN) {
		if (p->sport == 88 || p->dport == 88) {
			d->kind = APP_KRB;
		} else if (p->sport == 464 || p->dport == 464) {
			d->kind = APP_KPASSWD;
		} else if (p->sport == 53 || p->dport == 53) {
			d->kind = APP_DNS;
		} else if ((st = http_start(d->buf, d->len)) > 0) {
			d->kind = APP_HTTP;
		} else if (st == 0 && d->started && !d->resync) {
			d->kind = APP_NONE;
		} else if (st == 0) {
			/* the stream's start was not seen, or a hole: a
			 * message may start with a later segment */
			consume(s, d, d->len);
			return;
		} else {
			return;
		}
	}
	if (d->kind == APP_NONE) {
		consume(s, d, d->len);
		return;
	}
	do {
		if (d->skip) {
			/* the body (or lost message) being passed over */
			size_t k = d->skip < d->len ? d->skip : d->len;

			consume(s, d, k);
			d->skip -= k;
			if (d->skip == 0)
				held_done(s, p, f, d);
			more = d->len > 0;
		} else if (d->kind == APP_HTTP) {
			more = http_step(s, p, f, d);
		} else {
			more = record_step(s, p, d);
		}
	} while (more && d->kind != APP_NONE);
}
