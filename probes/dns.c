/* dns.c - probe: where the client would connect (the system resolver, as
 * the client's own), and the exact DNS facts Kerberos depends on: the MP's
 * addresses in DNS, CNAME chain, PTR, and the KDC SRV records, each answer
 * recorded with the resolver's exact code. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dns.h"
#include "error.h"
#include "probe.h"
#include "proto.h"
#include "resolver.h"
#include "util.h"

#define MAX_SEARCH 6

/* Seconds one question may wait at most (glibc's stub resolver would
 * wait 5 s per server and attempt). */
#define QUESTION_WAIT 2.0

/* The seconds one question may wait: its share of what is left. */
static double
question_wait(struct probe_ctx *ctx)
{
	double left = probe_remaining(ctx), wait = left / 4;

	/* a second when there is one: less would blame --timeout */
	if (wait < PROBE_MIN_WAIT)
		wait = left < PROBE_MIN_WAIT ? left : PROBE_MIN_WAIT;
	return wait > QUESTION_WAIT ? QUESTION_WAIT : wait;
}

/* No server answered the question, or what came was no answer. */
static void
unanswered(struct probe_ctx *ctx, const char *name, int type, double allowed,
    const struct resolver_trace *tr, const char *what)
{
	struct event ev;

	event_init(&ev, EV_CONNECT_FAIL);
	ev.from = ROLE_CLIENT;
	ev.to = ROLE_DNS;
	ev.qtype = type;
	ev.status = tr->err == ERR_REFUSED ? CONN_REFUSED : tr->err ==
	    ERR_TIMEOUT ? CONN_TIMEOUT : CONN_PROTOCOL;
	ev.port = 53;
	if (tr->at_deadline)
		ev.flags |= EVF_DEADLINE;
	strlcpy0(ev.peer, tr->server, sizeof(ev.peer));
	snprintf(ev.name, sizeof(ev.name), "%s %s", dns_type_name(type) ?
	    dns_type_name(type) : "query", name);
	snprintf(ev.text, sizeof(ev.text), "%s%s%s", what, tr->text[0] &&
	    what[0] ? ": " : "", tr->text);
	probe_event(ctx, &ev);
	/* one question failed: the next would fail as slowly */
	ctx->dns_silent = 1;
	if (tr->err == ERR_TIMEOUT)
		probe_out_of_time(ctx, allowed);
}

/* Ask one question; fill *msg and record the event.  -1 on no answer. */
static int
ask(struct probe_ctx *ctx, const char *name, int type, enum ev_role about,
    struct dns_msg *msg, struct event *ev_out)
{
	uint8_t buf[4096];
	struct resolver_trace tr;
	struct event ev;
	double allowed = question_wait(ctx);
	int n, i;

	memset(msg, 0, sizeof(*msg));
	if (ctx->dns_silent)
		return -1;	/* said once: the servers do not answer */
	event_init(&ev, EV_DNS);
	ev.from = ROLE_CLIENT;
	ev.to = about;
	ev.qtype = type;
	strlcpy0(ev.name, name, sizeof(ev.name));
	n = resolver_query(name, type, buf, sizeof(buf), now_mono() + allowed,
	    &tr);
	if (n < 0) {
		unanswered(ctx, name, type, allowed, &tr, tr.err ==
		    ERR_TIMEOUT ? "no DNS server answered" : tr.err ==
		    ERR_REFUSED ? "the DNS servers' port refused the question" :
		    tr.err == ERR_MALFORMED ? "no DNS server gave a usable "
		    "answer" : err_str(tr.err));
		return -1;
	}
	if (dns_decode(buf, (size_t)n, msg) != 0) {
		tr.err = ERR_MALFORMED;
		unanswered(ctx, name, type, allowed, &tr, "answered garbage: an "
		    "undecodable DNS reply");
		return -1;
	}
	ev.rcode = msg->rcode;
	ev.status = 0;
	strlcpy0(ev.peer, tr.server, sizeof(ev.peer));
	strlcpy0(ev.value, name, sizeof(ev.value));
	for (i = 0; i < msg->n_an; i++) {
		const struct dns_rr *rr = &msg->an[i];

		if (rr->type == type)
			ev.status++;
		if (rr->type == DNS_T_CNAME &&
		    strcasecmp(rr->name, ev.value) == 0)
			strlcpy0(ev.value, rr->data, sizeof(ev.value));
		if (type == DNS_T_PTR && rr->type == DNS_T_PTR)
			strlcpy0(ev.value, rr->data, sizeof(ev.value));
		strappendf(ev.text, sizeof(ev.text), "%s%s %s",
		    ev.text[0] ? "; " : "", dns_type_name(rr->type) ?
		    dns_type_name(rr->type) : "record", rr->data);
	}
	if (type == DNS_T_PTR && ev.status == 0)
		ev.value[0] = '\0';
	if (ev_out)
		*ev_out = ev;
	probe_event(ctx, &ev);
	return 0;
}

static void
add_addr(char list[][64], int *n, const char *a)
{
	int i;

	for (i = 0; i < *n; i++)
		if (strcmp(list[i], a) == 0)
			return;
	if (*n < PROBE_MAX_ADDR)
		strlcpy0(list[(*n)++], a, 64);
}

/* The answers of one A or AAAA question about the MP: its addresses in
 * DNS, and the canonical name at the end of the CNAME chain. */
static void
take_addresses(struct probe_ctx *ctx, const struct dns_msg *msg,
    const struct event *ev, int type, char dns_addrs[][64], int *n_dns)
{
	int i;

	if (ev->value[0] && !ctx->canon[0] && ev->status > 0)
		strlcpy0(ctx->canon, ev->value, sizeof(ctx->canon));
	for (i = 0; i < msg->n_an; i++)
		if (msg->an[i].type == type)
			add_addr(dns_addrs, n_dns, msg->an[i].data);
}

/*
 * The FQDN the client builds the SPN from, asked as the resolver asks: a
 * name with a dot as given first, then with the search list's suffixes in
 * order (a short name gets the suffixes only), the first that DNS knows
 * winning; failing all, the canonical name this machine's resolver gave (a
 * hosts file line), else the name as given.  The A answers of the winning
 * name are kept in *msg / *ev; 1 when DNS answered for it.
 */
static int
qualify(struct probe_ctx *ctx, const char *sys_canon, struct dns_msg *msg,
    struct event *ev)
{
	struct dns_msg given_msg;	/* the answer to the name as given */
	struct event given_ev;
	char search[MAX_SEARCH][256], name[520];
	const char *t = ctx->opts->target;
	int n, i, dotted = strchr(t, '.') != NULL, given = 0;

	n = resolver_search_list(search, MAX_SEARCH);
	for (i = dotted ? -1 : 0; i < n; i++) {
		if (i < 0)
			snprintf(name, sizeof(name), "%s", t);
		else
			snprintf(name, sizeof(name), "%.253s.%.255s", t,
			    search[i]);
		if (!valid_hostname(name) || ask(ctx, name, DNS_T_A, ROLE_MP,
		    msg, ev) != 0)
			continue;
		if (ev->rcode == DNS_R_NOERROR && (ev->status > 0 ||
		    strcasecmp(ev->value, name) != 0)) {
			strlcpy0(ctx->fqdn, name, sizeof(ctx->fqdn));
			return 1;
		}
		if (i < 0) {
			given_msg = *msg;
			given_ev = *ev;
			given = 1;
			/* the name exists, without an address: no devolution */
			if (ev->rcode == DNS_R_NOERROR)
				break;
		}
	}
	if (!dotted && strchr(sys_canon, '.')) {
		strlcpy0(ctx->fqdn, sys_canon, sizeof(ctx->fqdn));
		return ask(ctx, ctx->fqdn, DNS_T_A, ROLE_MP, msg, ev) == 0;
	}
	strlcpy0(ctx->fqdn, t, sizeof(ctx->fqdn));
	if (given) {
		*msg = given_msg;
		*ev = given_ev;
	}
	return given;
}

static int
is_localhost(const char *name)
{
	size_t n = strlen(name);

	return strcasecmp(name, "localhost") == 0 || (n > 10 &&
	    strcasecmp(name + n - 10, ".localhost") == 0);
}

static void
resolve_event(struct probe_ctx *ctx, enum resolve_how how)
{
	struct event ev;
	int i;

	event_init(&ev, EV_RESOLVE);
	ev.from = ROLE_CLIENT;
	ev.to = ROLE_MP;
	ev.status = how;
	strlcpy0(ev.name, ctx->opts->target, sizeof(ev.name));
	strlcpy0(ev.value, ctx->fqdn, sizeof(ev.value));
	for (i = 0; i < ctx->n_addrs; i++)
		strappendf(ev.text, sizeof(ev.text), "%s%s", i ? ", " : "",
		    ctx->addrs[i]);
	if (ctx->n_addrs)
		strlcpy0(ev.peer, ctx->addrs[0], sizeof(ev.peer));
	probe_event(ctx, &ev);
}

/*
 * The MP's name as the client would resolve it.  Where to connect comes
 * from the system resolver; DNS is asked the exact questions Kerberos
 * depends on, so that a name only this machine knows shows as such.
 */
static void
mp_addresses(struct probe_ctx *ctx)
{
	char sys_addrs[PROBE_MAX_ADDR][64], dns_addrs[PROBE_MAX_ADDR][64];
	char sys_canon[256];
	struct dns_msg msg;
	struct event ev;
	int n_sys = 0, n_dns = 0, i;
	enum resolve_how how;

	resolver_system(ctx->opts->target, sys_addrs, PROBE_MAX_ADDR, &n_sys,
	    sys_canon, sizeof(sys_canon), now_mono() + question_wait(ctx));
	if (qualify(ctx, sys_canon, &msg, &ev))
		take_addresses(ctx, &msg, &ev, DNS_T_A, dns_addrs, &n_dns);
	if (strchr(ctx->fqdn, '.') && ask(ctx, ctx->fqdn, DNS_T_AAAA,
	    ROLE_MP, &msg, &ev) == 0)
		take_addresses(ctx, &msg, &ev, DNS_T_AAAA, dns_addrs, &n_dns);
	if (!ctx->canon[0])
		strlcpy0(ctx->canon, ctx->fqdn, sizeof(ctx->canon));
	/* connect where the system would; DNS only when it says nothing */
	for (i = 0; i < n_sys; i++)
		add_addr(ctx->addrs, &ctx->n_addrs, sys_addrs[i]);
	for (i = 0; n_sys == 0 && i < n_dns; i++)
		add_addr(ctx->addrs, &ctx->n_addrs, dns_addrs[i]);
	ctx->resolved = ctx->n_addrs > 0;
	if (n_sys > 0 && n_dns == 0)
		how = RESOLVE_HOSTS_ONLY;
	else
		how = ctx->resolved ? RESOLVE_DNS : RESOLVE_NONE;
	ctx->hosts_only = how == RESOLVE_HOSTS_ONLY;
	resolve_event(ctx, how);
}

/* An address (or localhost) for a name: connect to it, ask DNS nothing
 * about it, and guess no realm from it. */
static void
mp_literal(struct probe_ctx *ctx)
{
	char sys_canon[256];
	const char *t = ctx->opts->target;

	ctx->name_is_address = 1;
	strlcpy0(ctx->fqdn, t, sizeof(ctx->fqdn));
	strlcpy0(ctx->canon, t, sizeof(ctx->canon));
	if (is_ip_literal(t))
		strlcpy0(ctx->addrs[ctx->n_addrs++], t, 64);
	else
		resolver_system(t, ctx->addrs, PROBE_MAX_ADDR, &ctx->n_addrs,
		    sys_canon, sizeof(sys_canon), now_mono() + question_wait(ctx));
	ctx->resolved = ctx->n_addrs > 0;
	resolve_event(ctx, RESOLVE_ADDRESS);
}

static void
realm_guess(struct probe_ctx *ctx)
{
	if (!ctx->name_is_address)
		host_realm_guess(ctx->canon, ctx->mp_realm_guess,
		    sizeof(ctx->mp_realm_guess));
}

/* _kerberos SRV of a realm; the client realm's targets become KDCs. */
static void
kdc_srv(struct probe_ctx *ctx, const char *realm, int keep)
{
	static const char *const protos[] = { "_udp", "_tcp" };
	struct dns_msg msg, amsg;
	char name[300];
	size_t p;
	int i, j;

	for (p = 0; p < 2; p++) {
		snprintf(name, sizeof(name), "_kerberos.%s.%s", protos[p],
		    realm);
		if (ask(ctx, name, DNS_T_SRV, ROLE_KDC, &msg, NULL) != 0 ||
		    !keep || p != 0)
			continue;
		for (i = 0; i < msg.n_an; i++) {
			const char *target;

			if (msg.an[i].type != DNS_T_SRV)
				continue;
			/* "prio weight port target" */
			target = strrchr(msg.an[i].data, ' ');
			if (!target || ask(ctx, target + 1, DNS_T_A, ROLE_KDC,
			    &amsg, NULL) != 0)
				continue;
			for (j = 0; j < amsg.n_an; j++)
				if (amsg.an[j].type == DNS_T_A)
					add_addr(ctx->kdc_addrs,
					    &ctx->n_kdc_addrs, amsg.an[j].data);
		}
	}
}

static int
dns_run(struct probe_ctx *ctx)
{
	const char *t = ctx->opts->target;
	struct dns_msg msg;
	char rev[128];
	int i;

	if (is_ip_literal(t) || is_localhost(t)) {
		mp_literal(ctx);
	} else {
		mp_addresses(ctx);
		for (i = 0; i < ctx->n_addrs; i++)
			if (resolver_reverse_name(ctx->addrs[i], rev,
			    sizeof(rev)) == 0)
				ask(ctx, rev, DNS_T_PTR, ROLE_MP, &msg, NULL);
	}
	realm_guess(ctx);
	if (ctx->client_realm[0])
		kdc_srv(ctx, ctx->client_realm, 1);
	if (ctx->mp_realm_guess[0] &&
	    strcasecmp(ctx->mp_realm_guess, ctx->client_realm) != 0)
		kdc_srv(ctx, ctx->mp_realm_guess, 0);
	if (ctx->name_is_address) {
		probe_step_done(ctx, STEP_FAILED, "%s is %s: no SPN can name "
		    "it, a Windows client would use NTLM", t,
		    is_ip_literal(t) ? "an address" : "this machine's "
		    "own name");
		return 0;
	}
	if (!ctx->resolved) {
		probe_step_done(ctx, STEP_FAILED, "%s does not resolve%s%s", t,
		    strcmp(ctx->fqdn, t) ? " (nor " : "",
		    strcmp(ctx->fqdn, t) ? ctx->fqdn : "");
		if (strcmp(ctx->fqdn, t))
			strappendf(ctx->report->steps[ctx->step].summary,
			    sizeof(ctx->report->steps[ctx->step].summary), ")");
		return 0;
	}
	probe_step_done(ctx, ctx->hosts_only ? STEP_WARN : STEP_OK,
	    "%s -> %s (%d address%s%s), SPN HTTP/%s", t, ctx->addrs[0],
	    ctx->n_addrs, ctx->n_addrs == 1 ? "" : "es", ctx->hosts_only ?
	    ", from this machine's hosts file, not DNS" : "", ctx->canon);
	if (ctx->client_realm[0])
		strappendf(ctx->report->steps[ctx->step].summary,
		    sizeof(ctx->report->steps[ctx->step].summary), "; %d KDC "
		    "address%s for %s", ctx->n_kdc_addrs, ctx->n_kdc_addrs == 1 ?
		    "" : "es", ctx->client_realm);
	return 0;
}

const struct probe probe_dns = {
	.name = "dns",
	.summary = "where the system resolver connects; A/AAAA, CNAME, PTR of "
	    "the MP in DNS; _kerberos SRV of both realms",
	.run = dns_run,
};
