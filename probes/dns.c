/* dns.c - probe: the MP's addresses, CNAME chain, PTR, and KDC SRV records,
 * each answer recorded with the resolver's exact code. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dns.h"
#include "error.h"
#include "probe.h"
#include "resolver.h"
#include "util.h"

#define QA 1
#define QPTR 12
#define QAAAA 28
#define QSRV 33

/* Ask one question; fill *msg and record the event.  -1 on no answer. */
static int
ask(struct probe_ctx *ctx, const char *name, int type, enum ev_role about,
    struct dns_msg *msg, struct event *ev_out)
{
	uint8_t buf[4096];
	struct event ev;
	double left = probe_remaining(ctx);
	int n, err, i;

	event_init(&ev, EV_DNS);
	ev.from = ROLE_CLIENT;
	ev.to = about;
	ev.qtype = type;
	strlcpy0(ev.name, name, sizeof(ev.name));
	memset(msg, 0, sizeof(*msg));
	n = resolver_query(name, type, buf, sizeof(buf), left > 3 ? 3 : left,
	    &err);
	if (n < 0 || dns_decode(buf, (size_t)n, msg) != 0) {
		ev.type = EV_NOTE;
		snprintf(ev.text, sizeof(ev.text), "DNS %s %s: %s",
		    dns_type_name(type) ? dns_type_name(type) : "?", name, n < 0 ? "no DNS server "
		    "answered" : "undecodable DNS reply");
		probe_event(ctx, &ev);
		return -1;
	}
	ev.rcode = msg->rcode;
	ev.status = 0;
	strlcpy0(ev.value, name, sizeof(ev.value));
	for (i = 0; i < msg->n_an; i++) {
		const struct dns_rr *rr = &msg->an[i];

		if (rr->type == type)
			ev.status++;
		if (rr->type == 5 && strcasecmp(rr->name, ev.value) == 0)
			strlcpy0(ev.value, rr->data, sizeof(ev.value));
		if (type == QPTR && rr->type == QPTR)
			strlcpy0(ev.value, rr->data, sizeof(ev.value));
		strappendf(ev.text, sizeof(ev.text), "%s%s %s",
		    ev.text[0] ? "; " : "", dns_type_name(rr->type) ?
		    dns_type_name(rr->type) : "?", rr->data);
	}
	if (type == QPTR && ev.status == 0)
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

static void
mp_addresses(struct probe_ctx *ctx)
{
	static const int types[] = { QA, QAAAA };
	struct dns_msg msg;
	struct event ev;
	size_t t;
	int i;

	for (t = 0; t < 2; t++) {
		if (ask(ctx, ctx->opts->target, types[t], ROLE_MP, &msg,
		    &ev) != 0)
			continue;
		if (ev.value[0] && !ctx->canon[0])
			strlcpy0(ctx->canon, ev.value, sizeof(ctx->canon));
		for (i = 0; i < msg.n_an; i++)
			if (msg.an[i].type == types[t])
				add_addr(ctx->addrs, &ctx->n_addrs,
				    msg.an[i].data);
	}
	if (!ctx->canon[0])
		strlcpy0(ctx->canon, ctx->opts->target, sizeof(ctx->canon));
	ctx->resolved = ctx->n_addrs > 0;
}

static void
realm_guess(struct probe_ctx *ctx)
{
	const char *dot = strchr(ctx->canon, '.');
	size_t i;

	if (!dot)
		return;
	strlcpy0(ctx->mp_realm_guess, dot + 1, sizeof(ctx->mp_realm_guess));
	for (i = 0; ctx->mp_realm_guess[i]; i++)
		ctx->mp_realm_guess[i] = (char)toupper(
		    (unsigned char)ctx->mp_realm_guess[i]);
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
		if (ask(ctx, name, QSRV, ROLE_KDC, &msg, NULL) != 0 || !keep ||
		    p != 0)
			continue;
		for (i = 0; i < msg.n_an; i++) {
			const char *target;

			if (msg.an[i].type != QSRV)
				continue;
			/* "prio weight port target" */
			target = strrchr(msg.an[i].data, ' ');
			if (!target || ask(ctx, target + 1, QA, ROLE_KDC,
			    &amsg, NULL) != 0)
				continue;
			for (j = 0; j < amsg.n_an; j++)
				if (amsg.an[j].type == QA)
					add_addr(ctx->kdc_addrs,
					    &ctx->n_kdc_addrs, amsg.an[j].data);
		}
	}
}

static int
dns_run(struct probe_ctx *ctx)
{
	struct dns_msg msg;
	char rev[128];
	int i, n_ptr = 0;

	mp_addresses(ctx);
	for (i = 0; i < ctx->n_addrs; i++)
		if (resolver_reverse_name(ctx->addrs[i], rev, sizeof(rev)) ==
		    0 && ask(ctx, rev, QPTR, ROLE_MP, &msg, NULL) == 0)
			n_ptr++;
	realm_guess(ctx);
	if (ctx->client_realm[0])
		kdc_srv(ctx, ctx->client_realm, 1);
	if (ctx->mp_realm_guess[0] &&
	    strcasecmp(ctx->mp_realm_guess, ctx->client_realm) != 0)
		kdc_srv(ctx, ctx->mp_realm_guess, 0);
	if (!ctx->resolved) {
		probe_step_done(ctx, STEP_FAILED, "%s does not resolve",
		    ctx->opts->target);
		return 0;
	}
	probe_step_done(ctx, STEP_OK, "%s -> %s%s%s (%d address%s), %d KDC "
	    "address%s for %s", ctx->opts->target, ctx->canon,
	    strcasecmp(ctx->canon, ctx->opts->target) ? " " : "",
	    "", ctx->n_addrs, ctx->n_addrs == 1 ? "" : "es",
	    ctx->n_kdc_addrs, ctx->n_kdc_addrs == 1 ? "" : "es",
	    ctx->client_realm[0] ? ctx->client_realm : "no client realm");
	(void)n_ptr;
	return 0;
}

const struct probe probe_dns = {
	.name = "dns",
	.summary = "A/AAAA, CNAME, PTR of the MP; _kerberos SRV of both realms",
	.run = dns_run,
};
