/* fleet.c - every target of a run, opts->jobs at once, on threads of one
 * process (fleet.h). */
#include <strings.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnscache.h"
#include "engine.h"
#include "error.h"
#include "fleet.h"
#include "gss.h"
#include "jsonl.h"
#include "probe.h"
#include "resolver.h"
#include "util.h"

struct pool {
	struct fleet_run *run;
	pthread_mutex_t mu;
	size_t next;		/* the next target to start */
	size_t out;		/* the targets before it went to the sink */
};

/* ---- identities and MPs ---- */

static int
same_ident(const struct fleet_ident *id, const struct fleet_target *t)
{
	return strcmp(id->principal, t->principal) == 0 &&
	    strcmp(id->keytab, t->keytab) == 0;
}

static int
same_mp(const struct fleet_target *a, const struct fleet_target *b)
{
	return strcmp(a->mp, b->mp) == 0 && a->port == b->port &&
	    a->https == b->https;
}

/* The column heads: each MP's first label when no other MP shares it. */
static void
mp_labels(struct fleet_run *run)
{
	size_t i, j, n;
	char *dot;

	for (i = 0; i < run->n_mps; i++) {
		struct fleet_mp *m = &run->mps[i];
		const struct fleet_target *t = &run->targets[m->first];

		strlcpy0(m->label, m->name, sizeof(m->label));
		if (!is_ip_literal(m->name) &&
		    (dot = strchr(m->label, '.')) != NULL) {
			n = (size_t)(dot - m->label) + 1;
			for (j = 0; j < run->n_mps; j++)
				if (strcmp(run->mps[j].name, m->name) != 0 &&
				    strncasecmp(run->mps[j].name, m->name,
				    n) == 0)
					break;
			if (j == run->n_mps)
				*dot = '\0';
		}
		if (t->port)
			strappendf(m->label, sizeof(m->label), ":%d", t->port);
	}
}

static int
group(struct fleet_run *run)
{
	size_t i, j;

	if ((run->idents = calloc(run->n, sizeof(*run->idents))) == NULL ||
	    (run->mps = calloc(run->n, sizeof(*run->mps))) == NULL ||
	    (run->mp_of = calloc(run->n, sizeof(*run->mp_of))) == NULL)
		return ERR_NOMEM;
	for (i = 0; i < run->n; i++) {
		struct fleet_target *t = &run->targets[i];

		for (j = 0; j < run->n_idents; j++)
			if (same_ident(&run->idents[j], t))
				break;
		if (j == run->n_idents) {
			struct fleet_ident *id = &run->idents[j];

			strlcpy0(id->principal, t->principal,
			    sizeof(id->principal));
			strlcpy0(id->keytab, t->keytab, sizeof(id->keytab));
			strlcpy0(id->label, t->principal[0] ? t->principal :
			    t->keytab[0] ? t->keytab : "credential cache",
			    sizeof(id->label));
			if ((id->shared = calloc(1, sizeof(*id->shared))) ==
			    NULL || (id->shared->tgt = krbs_tgt_new()) == NULL ||
			    (id->shared->clock = probe_memo_new()) == NULL)
				return ERR_NOMEM;
			run->n_idents++;
		}
		t->ident = j;
		for (j = 0; j < run->n_mps; j++)
			if (same_mp(&run->targets[run->mps[j].first], t))
				break;
		if (j == run->n_mps) {
			strlcpy0(run->mps[j].name, t->mp,
			    sizeof(run->mps[j].name));
			run->mps[j].first = i;
			run->n_mps++;
		}
		run->mp_of[i] = j;
	}
	mp_labels(run);
	if ((run->cells = malloc(run->n_idents * run->n_mps *
	    sizeof(*run->cells))) == NULL)
		return ERR_NOMEM;
	for (i = 0; i < run->n_idents * run->n_mps; i++)
		run->cells[i] = -1;
	for (i = 0; i < run->n; i++)
		run->cells[run->targets[i].ident * run->n_mps +
		    run->mp_of[i]] = (long)i;
	return 0;
}

/*
 * The realms the run will ask, as far as the lines tell, into buf (max
 * of them): each identity's (the realm of its principal) and each MP's
 * domain in capitals, the realm a check guesses for it first
 * (probes/dns.c).  Each once.
 */
static size_t
run_realms(const struct fleet_run *run, char buf[][128], size_t max)
{
	char realm[128];
	const char *at;
	size_t n = 0, i, m;

	for (i = 0; i < run->n_idents + run->n_mps && n < max; i++) {
		if (i >= run->n_idents)
			host_realm_guess(run->mps[i - run->n_idents].name,
			    realm, sizeof(realm));
		else if ((at = strrchr(run->idents[i].principal, '@')) != NULL)
			strlcpy0(realm, at + 1, sizeof(realm));
		else
			continue;
		for (m = 0; m < n && strcmp(buf[m], realm) != 0; m++)
			;
		if (m == n && realm[0])
			strlcpy0(buf[n++], realm, sizeof(buf[0]));
	}
	return n;
}

/* ---- one target ---- */

/* Once it has gone out: only what the findings cite stays. */
static void
trim(struct report *r)
{
	struct event *kept;
	size_t i, n = 0;
	int j, *map;

	if ((map = malloc((r->n_events + 1) * sizeof(*map))) == NULL)
		return;
	for (i = 0; i < r->n_events; i++)
		map[i] = -1;
	for (i = 0; i < r->n_findings; i++)
		for (j = 0; j < r->findings[i].n_evidence; j++)
			map[r->findings[i].evidence[j]] = 0;
	for (i = 0; i < r->n_events; i++)
		if (map[i] == 0) {
			r->events[n] = r->events[i];
			map[i] = (int)n++;
		}
	for (i = 0; i < r->n_findings; i++)
		for (j = 0; j < r->findings[i].n_evidence; j++)
			r->findings[i].evidence[j] =
			    map[r->findings[i].evidence[j]];
	r->n_events = n;
	if (n && (kept = realloc(r->events, n * sizeof(*kept))) != NULL) {
		r->events = kept;
		r->cap_events = n;
	} else if (n == 0) {
		free(r->events);
		r->events = NULL;
		r->cap_events = 0;
	}
	free(map);
}

static void
run_one(struct fleet_run *run, size_t i)
{
	const struct fleet_target *t = &run->targets[i];
	struct fleet_result *res = &run->results[i];
	const struct fleet_opts *fo = run->opts;
	struct probe_opts o;

	memset(&o, 0, sizeof(o));
	o.target = t->mp;
	o.port = t->port;
	o.https = t->https;
	o.timeout = fo->timeout;
	o.keytab = t->keytab[0] ? t->keytab : NULL;
	o.principal = t->principal[0] ? t->principal : NULL;
	o.cafile = fo->cafile;
	o.verbose = fo->verbose;
	o.shared = run->idents[t->ident].shared;
	report_init(&res->r, "probe", t->mp);
	res->r.verbose = fo->verbose;
	res->r.live_time = 1;
	if (probe_run_target(&o, &res->r, res->why, sizeof(res->why)) != 0) {
		res->rc = 3;
		res->state = NAGIOS_UNKNOWN;
		return;
	}
	engine_run(&res->r);
	res->rc = engine_exit_code(&res->r);
	res->state = nagios_state(&res->r);
}

static void *
worker(void *arg)
{
	struct pool *p = arg;
	struct fleet_run *run = p->run;
	struct fleet_ident *id;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&p->mu);
		i = p->next++;
		pthread_mutex_unlock(&p->mu);
		if (i >= run->n)
			break;
		run_one(run, i);
		pthread_mutex_lock(&p->mu);
		run->results[i].done = 1;
		id = &run->idents[run->targets[i].ident];
		if (!id->realm[0] && run->results[i].r.client_realm[0]) {
			strlcpy0(id->label, run->results[i].r.client,
			    sizeof(id->label));
			strlcpy0(id->realm, run->results[i].r.client_realm,
			    sizeof(id->realm));
		}
		/* in the targets' order, each as soon as those before it */
		while (p->out < run->n && run->results[p->out].done) {
			if (run->opts->sink && !run->sink_failed &&
			    run->opts->sink(run->opts->sink_arg, run,
			    p->out) != 0)
				run->sink_failed = 1;
			trim(&run->results[p->out].r);
			p->out++;
		}
		pthread_mutex_unlock(&p->mu);
	}
	return NULL;
}

int
fleet_run(struct fleet_run *run, const struct fleet_opts *opts,
    struct fleet_target *targets, size_t n, char *why, size_t wn)
{
	pthread_t th[FLEET_MAX_JOBS];
	char realms[FLEET_MAX_REALMS][128];
	struct pool p;
	size_t jobs, started = 0, i, n_realms;
	int r;

	memset(run, 0, sizeof(*run));
	why[0] = '\0';
	run->opts = opts;
	run->targets = targets;
	run->n = n;
	run->started = now_real();
	jsonl_host(run->host, sizeof(run->host));
	jsonl_run_id(run->host, run->started, run->id, sizeof(run->id));
	if ((run->results = calloc(n ? n : 1, sizeof(*run->results))) ==
	    NULL || (r = group(run)) != 0) {
		snprintf(why, wn, "out of memory for %zu targets", n);
		return 3;
	}
	/* what every check of the run shares, before any thread starts */
	resolver_bound_libraries(1);
	dnscache_begin();
	n_realms = run_realms(run, realms, FLEET_MAX_REALMS);
	if ((r = krbs_run_begin(opts->timeout / 2, realms, n_realms)) != 0) {
		dnscache_end();
		snprintf(why, wn, "cannot set up Kerberos (a temporary profile "
		    "in %s): %s", tmp_dir(), err_str(r));
		return 3;
	}
	memset(&p, 0, sizeof(p));
	p.run = run;
	pthread_mutex_init(&p.mu, NULL);
	jobs = (size_t)opts->jobs < n ? (size_t)opts->jobs : n;
	for (i = 0; i < jobs; i++)
		if (pthread_create(&th[started], NULL, worker, &p) == 0)
			started++;
	if (started == 0 && n > 0)
		snprintf(why, wn, "no thread could start");
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&p.mu);
	dnscache_end();
	krbs_run_end();
	run->elapsed = now_real() - run->started;
	return why[0] ? 3 : 0;
}

void
fleet_run_release(struct fleet_run *run)
{
	size_t i;

	for (i = 0; run->results && i < run->n; i++)
		report_release(&run->results[i].r);
	for (i = 0; run->idents && i < run->n_idents; i++) {
		if (run->idents[i].shared == NULL)
			continue;
		krbs_tgt_free(run->idents[i].shared->tgt);
		probe_memo_free(run->idents[i].shared->clock);
		free(run->idents[i].shared);
	}
	free(run->results);
	free(run->idents);
	free(run->mps);
	free(run->mp_of);
	free(run->cells);
	free(run->targets);
	memset(run, 0, sizeof(*run));
}

/* ---- what it came to ---- */

int
fleet_exit_code(const struct fleet_run *run)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < run->n; i++)
		if (run->results[i].rc == 1)
			return 1;
		else if (run->results[i].rc == 3)
			rc = 3;
	return rc;
}

enum nagios_state
fleet_state(const struct fleet_run *run)
{
	enum nagios_state st = NAGIOS_OK;
	size_t i;

	for (i = 0; i < run->n; i++)
		st = nagios_worse(st, run->results[i].state);
	return st;
}

long
fleet_cell(const struct fleet_run *run, size_t ident, size_t mp)
{
	return run->cells[ident * run->n_mps + mp];
}

void
fleet_cell_text(const struct fleet_result *res, char *buf, size_t n)
{
	const struct report *r = &res->r;

	if (res->rc == 3)
		strlcpy0(buf, "not run", n);
	else if (res->rc == 1 && r->n_findings)
		strlcpy0(buf, finding_key(r->findings[0].id), n);
	else if (res->state == NAGIOS_WARNING)
		strlcpy0(buf, "approved*", n);
	else if (res->rc == 0)
		strlcpy0(buf, "approved", n);
	else
		strlcpy0(buf, "?", n);
}

/* ---- the matrix's layout ---- */

int
fleet_mp_rows(const struct fleet_run *run)
{
	return run->n_mps > run->n_idents;
}

size_t
fleet_rows(const struct fleet_run *run)
{
	return fleet_mp_rows(run) ? run->n_mps : run->n_idents;
}

size_t
fleet_cols(const struct fleet_run *run)
{
	return fleet_mp_rows(run) ? run->n_idents : run->n_mps;
}

const char *
fleet_label(const struct fleet_run *run, int row, size_t k)
{
	if ((row != 0) == (fleet_mp_rows(run) != 0))
		return run->mps[k].label;
	return run->idents[k].label;
}

long
fleet_at(const struct fleet_run *run, size_t row, size_t col)
{
	return fleet_mp_rows(run) ? fleet_cell(run, col, row) :
	    fleet_cell(run, row, col);
}

/* ---- the outputs ---- */

static const struct fleet_writer *const writers[] = {
	&fleet_text, &fleet_json, &fleet_jsonl, &fleet_markdown, &fleet_html,
	&fleet_nagios, NULL,
};

const struct fleet_writer *
fleet_writer_find(const char *name)
{
	int i;

	for (i = 0; writers[i]; i++)
		if (strcmp(writers[i]->name, name) == 0)
			return writers[i];
	return NULL;
}
