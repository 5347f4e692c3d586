/* fleet_causes.c - a run's findings grouped by root cause, and where each
 * holds, in words (fleet.h). */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "fleet.h"
#include "util.h"

/* The group a target belongs to: its root cause (an error), its warning
 * when approved with one, FID__COUNT when it could not run; -1: none. */
static int
group_of(const struct fleet_result *res)
{
	if (res->rc == 3)
		return FID__COUNT;
	if (res->r.n_findings == 0)
		return -1;
	if (res->rc == 1 || res->state == NAGIOS_WARNING)
		return (int)res->r.findings[0].id;
	return -1;
}

/*
 * Row (by_mp 0) or column k whole in the group: every cell of it asked,
 * and each one's target in the group (in[t] 1).  "for every client
 * domain" is only said of an MP that every identity asked.
 */
static int
all_of(const struct fleet_run *run, const unsigned char *in, size_t k,
    int by_mp)
{
	size_t j, n = by_mp ? run->n_idents : run->n_mps;

	for (j = 0; j < n; j++) {
		long t = by_mp ? fleet_cell(run, j, k) : fleet_cell(run, k, j);

		if (t < 0 || !in[t])
			return 0;
	}
	return 1;
}

/* how many identities (by_mp: MPs) the group holds */
static size_t
distinct(const struct fleet_run *run, const struct fleet_cause *c,
    int by_mp)
{
	size_t i, j, n = 0;

	for (i = 0; i < c->n; i++) {
		for (j = 0; j < i; j++)
			if (by_mp ? run->mp_of[c->targets[j]] ==
			    run->mp_of[c->targets[i]] :
			    run->targets[c->targets[j]].ident ==
			    run->targets[c->targets[i]].ident)
				break;
		if (j == i)
			n++;
	}
	return n;
}

/* "a, b" of the rows (by_mp: columns) that hold the group, each once,
 * appended to buf */
static void
names(const struct fleet_run *run, const struct fleet_cause *c, int by_mp,
    unsigned char *seen, size_t nseen, char *buf, size_t n)
{
	size_t i, k;
	int first = 1;

	memset(seen, 0, nseen);
	for (i = 0; i < c->n; i++) {
		k = by_mp ? run->mp_of[c->targets[i]] :
		    run->targets[c->targets[i]].ident;
		if (seen[k])
			continue;
		seen[k] = 1;
		strappendf(buf, n, "%s%s", first ? "" : ", ", by_mp ?
		    run->mps[k].label : run->idents[k].label);
		first = 0;
	}
}

/*
 * Where a group holds: whole columns ("mp03, mp07 - for every client
 * domain"), whole rows ("WS99$@UNTRUSTED.LAB - at every MP"), or cell by
 * cell under each MP ("mp03: A, B; mp07: A").
 */
static void
where(const struct fleet_run *run, struct fleet_cause *c)
{
	unsigned char *in, *seen;
	size_t i, k, nseen = run->n_mps > run->n_idents ? run->n_mps :
	    run->n_idents;
	int cols = 1, rows = 1;

	c->where[0] = '\0';
	if ((in = calloc(run->n, 1)) == NULL ||
	    (seen = calloc(nseen, 1)) == NULL) {
		free(in);
		return;
	}
	for (i = 0; i < c->n; i++)
		in[c->targets[i]] = 1;
	for (i = 0; i < c->n; i++) {
		cols &= all_of(run, in, run->mp_of[c->targets[i]], 1);
		rows &= all_of(run, in, run->targets[c->targets[i]].ident, 0);
	}
	if (c->n == run->n) {
		strlcpy0(c->where, "every target", sizeof(c->where));
	} else if (cols && run->n_idents > 1) {
		names(run, c, 1, seen, nseen, c->where, sizeof(c->where));
		strappendf(c->where, sizeof(c->where), " - for every client "
		    "domain");
	} else if (rows && run->n_mps > 1) {
		names(run, c, 0, seen, nseen, c->where, sizeof(c->where));
		strappendf(c->where, sizeof(c->where), " - at every MP");
	} else if (distinct(run, c, 0) == 1) {
		names(run, c, 0, seen, nseen, c->where, sizeof(c->where));
		strappendf(c->where, sizeof(c->where), " - at ");
		names(run, c, 1, seen, nseen, c->where, sizeof(c->where));
	} else if (distinct(run, c, 1) == 1) {
		names(run, c, 1, seen, nseen, c->where, sizeof(c->where));
		strappendf(c->where, sizeof(c->where), " - for ");
		names(run, c, 0, seen, nseen, c->where, sizeof(c->where));
	} else {
		for (k = 0; k < run->n_mps; k++) {
			int first = 1;

			for (i = 0; i < c->n; i++) {
				size_t t = c->targets[i];

				if (run->mp_of[t] != k)
					continue;
				if (first)
					strappendf(c->where, sizeof(c->where),
					    "%s%s: ", c->where[0] ? "; " : "",
					    run->mps[k].label);
				strappendf(c->where, sizeof(c->where), "%s%s",
				    first ? "" : ", ",
				    run->idents[run->targets[t].ident].label);
				first = 0;
			}
		}
	}
	free(seen);
	free(in);
}

/* errors first, in the findings table's root-cause order, then warnings,
 * then what could not run */
static int
order(const void *a, const void *b)
{
	const struct fleet_cause *x = a, *y = b;
	int sx = x->id == FID__COUNT ? -1 : (int)finding_severity(x->id);
	int sy = y->id == FID__COUNT ? -1 : (int)finding_severity(y->id);

	if (sx != sy)
		return sy - sx;
	return (int)x->id - (int)y->id;
}

int
fleet_causes(const struct fleet_run *run, struct fleet_cause **out,
    size_t *n_out)
{
	struct fleet_cause *c;
	size_t *count, i, n = 0, k;
	int g;

	*out = NULL;
	*n_out = 0;
	if ((count = calloc(FID__COUNT + 1, sizeof(*count))) == NULL)
		return ERR_NOMEM;
	for (i = 0; i < run->n; i++)
		if ((g = group_of(&run->results[i])) >= 0 && count[g]++ == 0)
			n++;
	if ((c = calloc(n ? n : 1, sizeof(*c))) == NULL) {
		free(count);
		return ERR_NOMEM;
	}
	for (g = 0, k = 0; g <= FID__COUNT; g++) {
		if (count[g] == 0)
			continue;
		c[k].id = (enum finding_id)g;
		if ((c[k].targets = calloc(count[g], sizeof(size_t))) == NULL) {
			fleet_causes_free(c, k);
			free(count);
			return ERR_NOMEM;
		}
		k++;
	}
	for (i = 0; i < run->n; i++) {
		if ((g = group_of(&run->results[i])) < 0)
			continue;
		for (k = 0; c[k].id != (enum finding_id)g; k++)
			;
		c[k].targets[c[k].n++] = i;
	}
	for (k = 0; k < n; k++)
		where(run, &c[k]);
	qsort(c, n, sizeof(*c), order);
	free(count);
	*out = c;
	*n_out = n;
	return 0;
}

void
fleet_causes_free(struct fleet_cause *c, size_t n)
{
	size_t i;

	for (i = 0; c && i < n; i++)
		free(c[i].targets);
	free(c);
}
