/* pcap_krb.c - Kerberos, kpasswd, DNS, UDP dispatch; end of capture. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cursor.h"
#include "dns.h"
#include "error.h"
#include "ingest_pcap.h"
#include "krb.h"
#include "proto.h"
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
		k->client[0] = '\0';
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
	if (!k->client[0])
		strlcpy0(k->client, pkt_src(p), sizeof(k->client));
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
	int clocked = k->clocked;

	strlcpy0(realm, k->realm, sizeof(realm));
	memset(k, 0, sizeof(*k));
	strlcpy0(k->addr, pkt_src(p), sizeof(k->addr));
	strlcpy0(k->realm, realm, sizeof(k->realm));
	k->answered = 1;
	k->clocked = clocked;
	k->t_answer = p->t;
}

void
proto_kdc_refused(struct pcap_ingest *s, const struct pkt_ctx *p,
    const char *addr)
{
	struct kdc_peer *k = kdc_trouble(s, addr, p->t, p->frame);

	if (k == NULL)
		return;
	k->unreach++;
	if (!k->client[0])	/* the ICMP error goes back to the client */
		strlcpy0(k->client, pkt_dst(p), sizeof(k->client));
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
	if (!k->client[0])
		pcap_addr_text(f->af, f->addr[f->conn.client], k->client,
		    sizeof(k->client));
	if (f->conn.refused == 2)
		k->unreach++;
	else if (f->conn.refused)
		k->reset++;
	else
		k->no_accept++;
}

/* The events of one decoded Kerberos message. */
/* Remember what a request asked for, to read its answer by. */
static void
req_remember(struct pcap_ingest *s, const struct pkt_ctx *p,
    const struct krb_msg *m)
{
	struct kdc_req *q = &s->reqs[s->reqs_next];

	s->reqs_next = (s->reqs_next + 1) % PCAP_KDC_REQS;
	strlcpy0(q->client, pkt_src(p), sizeof(q->client));
	strlcpy0(q->kdc, pkt_dst(p), sizeof(q->kdc));
	q->cport = p->sport;
	strlcpy0(q->sname, m->sname.text, sizeof(q->sname));
}

/* The service the request answered by p asked for, "" unknown. */
static const char *
req_asked(const struct pcap_ingest *s, const struct pkt_ctx *p)
{
	const struct kdc_req *q;
	int i;

	for (i = 1; i <= PCAP_KDC_REQS; i++) {	/* newest first */
		q = &s->reqs[(s->reqs_next - i + PCAP_KDC_REQS) %
		    PCAP_KDC_REQS];
		if (q->cport == p->dport && q->client[0] &&
		    strcmp(q->client, pkt_dst(p)) == 0 &&
		    strcmp(q->kdc, pkt_src(p)) == 0)
			return q->sname;
	}
	return "";
}

/* A Kerberos event: from the client (to 1) or to it. */
static void
krb_ev_start(struct event *ev, enum ev_type type, const struct pkt_ctx *p,
    int to_kdc)
{
	pcap_ev_start(ev, type, p, to_kdc ? pkt_dst(p) : pkt_src(p));
	strlcpy0(ev->client, to_kdc ? pkt_src(p) : pkt_dst(p),
	    sizeof(ev->client));
	ev->port = to_kdc ? p->dport : p->sport;
}

static int
has_padata(const struct krb_msg *m, int type)
{
	int i;

	for (i = 0; i < m->n_padata; i++)
		if (m->padata[i] == type)
			return 1;
	return 0;
}

static void
krb_event(struct pcap_ingest *s, const struct pkt_ctx *p,
    const struct krb_msg *m)
{
	struct kdc_peer *k;
	struct event ev;

	switch (m->msg_type) {
	case KRB_AS_REQ:
	case KRB_TGS_REQ:
		krb_ev_start(&ev, EV_KRB_REQUEST, p, 1);
		ev.from = ROLE_CLIENT;
		ev.to = ROLE_KDC;
		ev.msg_type = m->msg_type;
		strlcpy0(ev.name, m->sname.text, sizeof(ev.name));
		strlcpy0(ev.realm, m->realm, sizeof(ev.realm));
		req_remember(s, p, m);
		if (m->msg_type == KRB_AS_REQ) {
			/* the client principal asking for its TGT */
			strlcpy0(ev.value, m->cname.text, sizeof(ev.value));
			if (has_padata(m, PA_ENC_TIMESTAMP))
				ev.flags |= EVF_PREAUTH;
		} else if (m->has_ticket && m->tkt_realm[0] &&
		    strncasecmp(m->tkt_sname.text, "krbtgt/", 7) == 0 &&
		    strcasecmp(m->tkt_sname.text + 7, m->tkt_realm) != 0) {
			/* it presents krbtgt/THIS@OTHER: a referral TGT */
			ev.flags |= EVF_REFERRAL_TGT;
			strlcpy0(ev.value, m->tkt_realm, sizeof(ev.value));
		}
		pcap_event(s, &ev);
		break;
	case KRB_AS_REP:
	case KRB_TGS_REP:
		krb_ev_start(&ev, EV_KRB_REPLY, p, 0);
		/* what was asked for, when the request was seen */
		strlcpy0(ev.value, req_asked(s, p), sizeof(ev.value));
		ev.from = ROLE_KDC;
		ev.to = ROLE_CLIENT;
		ev.msg_type = m->msg_type;
		strlcpy0(ev.name, m->tkt_sname.text, sizeof(ev.name));
		strlcpy0(ev.realm, m->tkt_realm, sizeof(ev.realm));
		ev.etype = m->tkt_etype;
		ev.kvno = m->tkt_kvno;
		pcap_event(s, &ev);
		/* a cross-realm TGT (whether the engine counts it as a
		 * referral depends on what came before it: MIT's own guess
		 * of a realm asks for one after a KDC_ERR_S_PRINCIPAL_UNKNOWN) */
		if (!krb_is_referral(m))
			break;
		krb_ev_start(&ev, EV_KRB_REFERRAL, p, 0);
		ev.from = ROLE_KDC;
		ev.to = ROLE_CLIENT;
		strlcpy0(ev.realm, m->tkt_realm, sizeof(ev.realm));
		strlcpy0(ev.value, m->tkt_sname.text + 7, sizeof(ev.value));
		pcap_event(s, &ev);
		break;
	case KRB_ERROR:
		krb_ev_start(&ev, EV_KRB_ERROR, p, 0);
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
		/* one clock reading per KDC: the capture's clock is the
		 * client's when captured there, which only the engine can
		 * judge */
		if (m->stime < 0 || (k = kdc_peer(s, pkt_src(p))) == NULL ||
		    k->clocked)
			break;
		k->clocked = 1;
		krb_ev_start(&ev, EV_CLOCK, p, 0);
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
		krb_ev_start(&ev, EV_TICKET, p, 1);
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
	strlcpy0(ev.client, pkt_dst(p), sizeof(ev.client));
	ev.port = p->sport;
	ev.from = ROLE_CLIENT;
	ev.to = msg->qtype == DNS_T_SRV ? ROLE_KDC : ROLE_NONE;
	ev.qtype = msg->qtype;
	ev.rcode = msg->rcode;
	ev.status = 0;
	strlcpy0(ev.name, msg->qname, sizeof(ev.name));
	strlcpy0(ev.value, msg->qname, sizeof(ev.value));
	for (i = 0; i < msg->n_an; i++) {
		const struct dns_rr *rr = &msg->an[i];

		if (rr->type == msg->qtype)
			ev.status++;
		if (rr->type == msg->qtype && (rr->type == DNS_T_A ||
		    rr->type == DNS_T_AAAA))
			pcap_addr_name_add(s, rr->data, msg->qname);
		if (rr->type == DNS_T_CNAME &&
		    strcasecmp(rr->name, ev.value) == 0)
			strlcpy0(ev.value, rr->data, sizeof(ev.value));
		if (msg->qtype == DNS_T_PTR && rr->type == DNS_T_PTR)
			strlcpy0(ev.value, rr->data, sizeof(ev.value));
		strappendf(ev.text, sizeof(ev.text), "%s%s%s%s",
		    ev.text[0] ? "; " : "", dns_type_name(rr->type) ?
		    dns_type_name(rr->type) : "?", rr->data[0] ? " " : "",
		    rr->data);
	}
	if (msg->qtype == DNS_T_PTR && ev.status == 0)
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
	strlcpy0(ev.client, k->client, sizeof(ev.client));
	ev.port = 88;
	ev.from = ROLE_CLIENT;
	ev.to = ROLE_KDC;
	strlcpy0(ev.realm, k->realm, sizeof(ev.realm));
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
	unsigned long total = 0;
	int k;

	for (k = 0; k < s->n_kdcs; k++)
		kdc_unreachable(s, &s->kdcs[k]);
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
