/* rules.c - what the engine's rule files share (rules.h). */
#include <string.h>
#include <strings.h>

#include "rules.h"

struct finding *
rules_add(struct report *r, enum finding_id id, int ev)
{
	int i = report_add_finding(r, id);

	if (i < 0)
		return NULL;
	finding_add_evidence(&r->findings[i], ev);
	return &r->findings[i];
}

int
rules_same_realm(const char *a, const char *b)
{
	return a[0] && b[0] && strcasecmp(a, b) == 0;
}

/* Turn finding `from` into `to` (merged if `to` exists), evidence kept. */
struct finding *
rules_retag(struct report *r, enum finding_id from, enum finding_id to)
{
	size_t i;
	int j, k;

	for (i = 0; i < r->n_findings; i++)
		if (r->findings[i].id == from)
			break;
	if (i == r->n_findings || (k = report_add_finding(r, to)) < 0)
		return NULL;
	for (j = 0; j < r->findings[i].n_evidence; j++)
		finding_add_evidence(&r->findings[k],
		    r->findings[i].evidence[j]);
	memmove(&r->findings[i], &r->findings[i + 1],
	    (r->n_findings - i - 1) * sizeof(*r->findings));
	r->n_findings--;
	if ((size_t)k > i)
		k--;
	return &r->findings[k];
}
