/* pcap_krb.c - Kerberos, kpasswd, DNS, UDP dispatch; end of capture. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cursor.h"
#include "dns.h"
#include "error.h"
#include "ingest_pcap.h"
#include "krb.h"
#include "util.h"

/* ---- Kerberos ---- */

static struct kdc_peer *
kdc_peer(struct pcap_ingest *s, const char *addr)
{
	struct kdc_peer *k;
	int i;

	for (i = 0; i < s->n_kdcs; i++)
		if (strcmp(s->kdcs[i].addr, addr) == 0)
			return &s->kdcs[i];
	if (s->n_kdcs == PCAP_MAX_KDCS)
		return NULL;
	k = &s->kdcs[s->n_kdcs++];
	memset(k, 0, sizeof(*k));
	strlcpy0(k->addr, addr, sizeof(k->addr));
	return k;
}

/* The KDC at addr left something unanswered from t on, unless it already
 * had. */
static struct kdc_peer *
kdc_trouble(struct pcap_ingest *s, const char *addr, double t,
    unsigned long frame)
{
	struct kdc_peer *k = kdc_peer(s, addr);

	if (k && !k->pending && !k->unreach && !k->reset && !k->no_accept) {
		k->t_first = t;
		k->frame_first = frame;
	}
	return k;
}

static void
kdc_request(struct pcap_ingest *s, const struct pkt_ctx *p,
    const struct krb_msg *m, int tcp)
{
	struct kdc_peer *k = kdc_trouble(s, pkt_dst(p), p->t, p->frame);

	if (k == NULL)
		return;
	k->pending++;
	if (m->msg_type == KRB_AS_REQ)
		k->n_as++;
	else
		k->n_tgs++;
	if (tcp)
		k->tcp = 1;
	else
		k->udp = 1;
	if (m->realm[0])
		strlcpy0(k->realm, m->realm, sizeof(k->realm));
}

static void
kdc_answer(struct pcap_ingest *s, const struct pkt_ctx *p)
{
	struct kdc_peer *k = kdc_peer(s, pkt_src(p));
	char realm[sizeof(k->realm)];

	if (k == NULL)
		return;
	strlcpy0(realm, k->realm, sizeof(realm));
	memset(k, 0, sizeof(*k));
	strlcpy0(k->addr, pkt_src(p), sizeof(k->addr));
	strlcpy0(k->realm, realm, sizeof(k->realm));
	k->answered = 1;
	k->t_answer = p->t;
}

void
proto_kdc_refused(struct pcap_ingest *s, const struct pkt_ctx *p,
    const char *addr)
{
	struct kdc_peer *k = kdc_trouble(s, addr, p->t, p->frame);

	if (k)
		k->unreach++;
}

/* The KDC at addr did not accept a TCP connection to port 88. */
void
pcap_kdc_no_accept(struct pcap_ingest *s, const char *addr,
    const struct flow *f)
{
	struct kdc_peer *k = kdc_trouble(s, addr, f->conn.t_syn,
	    f->conn.frame_syn);

	if (k == NULL)
		return;
	if (f->conn.refused == 2)
		k->unreach++;
	else if (f->conn.refused)
		k->reset++;
	else
		k->no_accept++;
}

/* The events of one decoded Kerberos message. */
static void
krb_event(struct pcap_ingest *s, const struct pkt_ctx *p,
    const struct krb_msg *m)
{
	struct event ev;

	switch (m->msg_type) {
	case KRB_AS_REQ:
	case KRB_TGS_REQ:
		pcap_ev_start(&ev, EV_KRB_REQUEST, p, pkt_dst(p));
		ev.from = ROLE_CLIENT;
		ev.to = ROLE_KDC;
		ev.msg_type = m->msg_type;
		strlcpy0(ev.name, m->sname.text, sizeof(ev.name));
		strlcpy0(ev.realm, m->realm, sizeof(ev.realm));
		pcap_event(s, &ev);
		if (!s->have_client_realm && m->realm[0]) {
			strlcpy0(s->r->client_realm, m->realm,
			    sizeof(s->r->client_realm));
			s->have_client_realm = 1;
		}
		break;
	case KRB_AS_REP:
	case KRB_TGS_REP:
		pcap_ev_start(&ev, EV_KRB_REPLY, p, pkt_src(p));
		ev.from = ROLE_KDC;
		ev.to = ROLE_CLIENT;
		ev.msg_type = m->msg_type;
		strlcpy0(ev.name, m->tkt_sname.text, sizeof(ev.name));
		strlcpy0(ev.realm, m->tkt_realm, sizeof(ev.realm));
		ev.etype = m->tkt_etype;
		ev.kvno = m->tkt_kvno;
		pcap_event(s, &ev);
		if (!krb_is_referral(m))
			break;
		pcap_ev_start(&ev, EV_KRB_REFERRAL, p, pkt_src(p));
		ev.from = ROLE_KDC;
		ev.to = ROLE_CLIENT;
		strlcpy0(ev.realm, m->tkt_realm, sizeof(ev.realm));
		strlcpy0(ev.value, m->tkt_sname.text + 7, sizeof(ev.value));
		pcap_event(s, &ev);
		break;
	case KRB_ERROR:
		pcap_ev_start(&ev, EV_KRB_ERROR, p, pkt_src(p));
		ev.from = ROLE_KDC;
		ev.to = ROLE_CLIENT;
		ev.msg_type = m->msg_type;
		ev.code = m->error_code;
		ev.stime = m->stime;
		if (m->has_ntstatus)
			ev.ntstatus = m->ntstatus;
		strlcpy0(ev.realm, m->realm, sizeof(ev.realm));
		strlcpy0(ev.name, m->sname.text, sizeof(ev.name));
		strlcpy0(ev.text, m->etext, sizeof(ev.text));
		pcap_event(s, &ev);
		if (s->clock_done || m->stime < 0)
			break;
		/* the capture's clock is the client's when captured there */
		s->clock_done = 1;
		pcap_ev_start(&ev, EV_CLOCK, p, pkt_src(p));
		ev.from = ROLE_KDC;
		ev.to = ROLE_KDC;
		strlcpy0(ev.name, pkt_src(p), sizeof(ev.name));
		strlcpy0(ev.realm, m->realm, sizeof(ev.realm));
		ev.offset = (double)m->stime + (m->susec >= 0 ? m->susec / 1e6 :
		    0.5) - p->t;
		ev.uncertainty = m->susec >= 0 ? 0.01 : 0.5;
		snprintf(ev.text, sizeof(ev.text), "from the stime of KRB-ERROR "
		    "%d against the capture's timestamp", m->error_code);
		pcap_event(s, &ev);
		break;
	default:
		s->undecoded[UND_NOT_KRB]++;
		break;
	}
}

void
pcap_krb_message(struct pcap_ingest *s, const struct pkt_ctx *p,
    const uint8_t *data, size_t n, int tcp)
{
	struct krb_msg m;
	char host[256];
	int rc = krb_decode(data, n, &m);

	if (rc != 0) {
		s->undecoded[rc == ERR_TRUNCATED ? UND_TRUNCATED :
		    UND_NOT_KRB]++;
		return;
	}
	switch (m.msg_type) {
	case KRB_AS_REQ:
	case KRB_TGS_REQ:
		kdc_request(s, p, &m, tcp);
		/* the service the client wants a ticket for names the MP */
		if (m.msg_type == KRB_TGS_REQ &&
		    strncasecmp(m.sname.text, "HTTP/", 5) == 0) {
			pcap_sname_host(m.sname.text, host, sizeof(host));
			pcap_set_mp_name(s, host, 2);
		}
		break;
	case KRB_AS_REP:
	case KRB_TGS_REP:
	case KRB_ERROR:
		kdc_answer(s, p);
		break;
	default:
		break;
	}
	krb_event(s, p, &m);
}

/* kpasswd (RFC 3244), after any TCP record mark: its AP-REQ, or the
 * KRB-ERROR of a failed change. */
void
pcap_kpasswd_message(struct pcap_ingest *s, const struct pkt_ctx *p,
    const uint8_t *data, size_t n)
{
	struct cursor c;
	struct krb_msg m;
	struct event ev;
	uint16_t len, ver, aplen;

	/* a bare KRB-ERROR, as some servers send */
	if (n > 0 && data[0] == 0x7e) {
		if (krb_decode(data, n, &m) == 0 && m.msg_type == KRB_ERROR)
			krb_event(s, p, &m);
		else
			s->undecoded[UND_NOT_KRB]++;
		return;
	}
	cur_init(&c, data, n);
	len = cur_be16(&c);
	ver = cur_be16(&c);
	aplen = cur_be16(&c);
	if (!cur_ok(&c) || len != n || (ver != 1 && ver != 0xff80) ||
	    aplen > cur_left(&c)) {
		s->undecoded[UND_NOT_KRB]++;
		return;
	}
	if (aplen > 0 && krb_decode(cur_bytes(&c, aplen), aplen, &m) == 0 &&
	    m.msg_type == KRB_AP_REQ && m.has_ticket) {
		/* the client presents its kadmin/changepw ticket */
		pcap_ev_start(&ev, EV_TICKET, p, pkt_dst(p));
		ev.from = ROLE_CLIENT;
		ev.to = ROLE_KDC;
		strlcpy0(ev.name, m.tkt_sname.text, sizeof(ev.name));
		strlcpy0(ev.realm, m.tkt_realm, sizeof(ev.realm));
		ev.etype = m.tkt_etype;
		ev.kvno = m.tkt_kvno;
		pcap_event(s, &ev);
		return;
	}
	if (aplen == 0 && cur_left(&c) > 0 &&
	    krb_decode(c.ptr, cur_left(&c), &m) == 0 &&
	    m.msg_type == KRB_ERROR) {
		krb_event(s, p, &m);
		return;
	}
	if (aplen > 0) {
		/* AP-REP and KRB-PRIV (or AP-REQ without a ticket we read):
		 * encrypted, nothing to report */
		cur_skip(&c, aplen);
		if (cur_left(&c) > 0 && c.ptr[0] == 0x7e &&
		    krb_decode(c.ptr, cur_left(&c), &m) == 0 &&
		    m.msg_type == KRB_ERROR)
			krb_event(s, p, &m);
		return;
	}
	s->undecoded[UND_NOT_KRB]++;
}

/* ---- DNS ---- */

void
pcap_dns_message(struct pcap_ingest *s, const struct pkt_ctx *p,
    const uint8_t *data, size_t n)
{
	struct dns_msg *msg;
	struct event ev;
	int rc, i;

	if ((msg = malloc(sizeof(*msg))) == NULL)
		return;
	rc = dns_decode(data, n, msg);
	if (rc != 0) {
		s->undecoded[rc == ERR_TRUNCATED ? UND_TRUNCATED :
		    UND_NOT_DNS]++;
		free(msg);
		return;
	}
	if (!msg->qr || msg->qtype < 0) {
		free(msg);
		return;		/* the answer carries the question too */
	}
	pcap_ev_start(&ev, EV_DNS, p, pkt_src(p));
	ev.from = ROLE_CLIENT;
	ev.to = msg->qtype == 33 ? ROLE_KDC : ROLE_NONE;
	ev.qtype = msg->qtype;
	ev.rcode = msg->rcode;
	ev.status = 0;
	strlcpy0(ev.name, msg->qname, sizeof(ev.name));
	strlcpy0(ev.value, msg->qname, sizeof(ev.value));
	for (i = 0; i < msg->n_an; i++) {
		const struct dns_rr *rr = &msg->an[i];

		if (rr->type == msg->qtype)
			ev.status++;
		if (rr->type == msg->qtype && (rr->type == 1 || rr->type == 28))
			pcap_addr_name_add(s, rr->data, msg->qname);
		if (rr->type == 5 && strcasecmp(rr->name, ev.value) == 0)
			strlcpy0(ev.value, rr->data, sizeof(ev.value));
		if (msg->qtype == 12 && rr->type == 12)
			strlcpy0(ev.value, rr->data, sizeof(ev.value));
		strappendf(ev.text, sizeof(ev.text), "%s%s %s",
		    ev.text[0] ? "; " : "", dns_type_name(rr->type) ?
		    dns_type_name(rr->type) : "?", rr->data);
	}
	if (msg->qtype == 12 && ev.status == 0)
		ev.value[0] = '\0';
	pcap_event(s, &ev);
	free(msg);
}

void
proto_udp(struct pcap_ingest *s, const struct pkt_ctx *p,
    const uint8_t *data, size_t n, int truncated)
{
	if (p->sport == 88 || p->dport == 88) {
		if (truncated && n == 0)
			s->undecoded[UND_TRUNCATED]++;
		else
			pcap_krb_message(s, p, data, n, 0);
	} else if (p->sport == 464 || p->dport == 464) {
		if (truncated)
			s->undecoded[UND_TRUNCATED]++;
		else
			pcap_kpasswd_message(s, p, data, n);
	} else if (p->sport == 53 || p->dport == 53) {
		pcap_dns_message(s, p, data, n);
	}
}

/* ---- end of capture ---- */

static void
reverse_v4(const char *addr, char *out, size_t n)
{
	unsigned a, b, c, d;

	out[0] = '\0';
	if (sscanf(addr, "%u.%u.%u.%u", &a, &b, &c, &d) == 4)
		snprintf(out, n, "%u.%u.%u.%u.in-addr.arpa", d, c, b, a);
}

static const char *
plural(unsigned n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/*
 * A KDC that left requests unanswered to the end, unless another KDC of
 * the same realm answered after them (the client failed over).
 */
static void
kdc_unreachable(struct pcap_ingest *s, const struct kdc_peer *k)
{
	struct event ev;
	const char *sep = "";
	int i;

	if (!k->pending && !k->unreach && !k->reset && !k->no_accept)
		return;
	for (i = 0; i < s->n_kdcs; i++) {
		const struct kdc_peer *o = &s->kdcs[i];

		if (o != k && o->answered && o->t_answer > k->t_first &&
		    k->realm[0] && strcasecmp(o->realm, k->realm) == 0)
			return;
	}
	event_init(&ev, EV_KDC_UNREACHABLE);
	ev.t = k->t_first;
	ev.frame = (int)k->frame_first;
	snprintf(ev.source, sizeof(ev.source), "%.40s frame %lu", s->source,
	    k->frame_first);
	strlcpy0(ev.peer, k->addr, sizeof(ev.peer));
	ev.from = ROLE_CLIENT;
	ev.to = ROLE_KDC;
	strlcpy0(ev.realm, k->realm[0] ? k->realm : s->r->client_realm,
	    sizeof(ev.realm));
	if (k->pending) {
		snprintf(ev.text, sizeof(ev.text), "%u %s over %s to %s port 88 "
		    "got no answer by the end of the capture", k->pending,
		    k->n_as == k->pending ?
		    plural(k->pending, "AS-REQ", "AS-REQs") :
		    k->n_tgs == k->pending ? plural(k->pending, "TGS-REQ",
		    "TGS-REQs") : "Kerberos requests", k->udp && k->tcp ?
		    "UDP and TCP" : k->tcp ? "TCP" : "UDP", k->addr);
		sep = "; ";
	}
	if (k->unreach) {
		strappendf(ev.text, sizeof(ev.text), "%s%u ICMP destination "
		    "unreachable from %s for port 88", sep, k->unreach, k->addr);
		sep = "; ";
	}
	if (k->reset) {
		strappendf(ev.text, sizeof(ev.text), "%s%u TCP %s to %s port 88 "
		    "refused (reset)", sep, k->reset, plural(k->reset,
		    "connection", "connections"), k->addr);
		sep = "; ";
	}
	if (k->no_accept)
		strappendf(ev.text, sizeof(ev.text), "%s%u TCP %s to %s port 88 "
		    "never answered", sep, k->no_accept, plural(k->no_accept,
		    "connection", "connections"), k->addr);
	pcap_event(s, &ev);
}

void
proto_finish(struct pcap_ingest *s)
{
	static const char *const why[UND__COUNT] = {
		"truncated", "malformed IP/UDP/TCP", "unsupported link type",
		"not IP", "IP fragment", "not Kerberos on port 88",
		"not DNS on port 53", "not HTTP after an HTTP start",
		"flow table full", "TCP bytes dropped (gap or cap)",
		"tunnel payload not read",
	};
	struct report *r = s->r;
	struct event ev;
	char rev[80];
	unsigned long total = 0;
	size_t i;
	int k;

	for (k = 0; k < s->n_deferred; k++) {
		const struct deferred_fail *df = &s->deferred[k];

		if (pcap_is_mp_conn(s, df->ev.peer, df->port, df->ccm))
			pcap_event(s, &df->ev);
	}
	for (k = 0; k < s->n_kdcs; k++)
		kdc_unreachable(s, &s->kdcs[k]);
	/* like the live probe, name the MP by its canonical (CNAME-followed)
	 * name when the name the client used is an alias */
	for (i = 0; i < r->n_events && r->mp_name[0]; i++) {
		const struct event *e = &r->events[i];

		if (e->type == EV_DNS && (e->qtype == 1 || e->qtype == 28) &&
		    e->rcode == 0 && e->status > 0 && e->value[0] &&
		    strcasecmp(e->name, r->mp_name) == 0 &&
		    strcasecmp(e->value, e->name) != 0) {
			strlcpy0(r->mp_name, e->value, sizeof(r->mp_name));
			break;
		}
	}
	reverse_v4(s->mp_addr, rev, sizeof(rev));
	for (i = 0; i < r->n_events; i++) {
		struct event *e = &r->events[i];

		if (e->type != EV_DNS || e->step != -1)
			continue;
		if ((e->qtype == 1 || e->qtype == 28) && r->mp_name[0] &&
		    (strcasecmp(e->name, r->mp_name) == 0 ||
		    strcasecmp(e->value, r->mp_name) == 0))
			e->to = ROLE_MP;
		if (e->qtype == 12 && rev[0] && strcasecmp(e->name, rev) == 0)
			e->to = ROLE_MP;
	}
	pcap_fold_finish(s);
	for (k = 0; k < UND__COUNT; k++)
		total += s->undecoded[k];
	if (total == 0)
		return;
	event_init(&ev, EV_NOTE);
	ev.t = s->t_end > 0 ? s->t_end : 0;	/* capture time, never ours */
	strlcpy0(ev.source, s->source, sizeof(ev.source));
	snprintf(ev.text, sizeof(ev.text), "%lu frame%s not decoded:", total,
	    total == 1 ? "" : "s");
	for (k = 0; k < UND__COUNT; k++)
		if (s->undecoded[k])
			strappendf(ev.text, sizeof(ev.text), "%s %lu %s",
			    ev.text[strlen(ev.text) - 1] == ':' ? "" : ",",
			    s->undecoded[k], why[k]);
	report_add_event(r, &ev);
}
