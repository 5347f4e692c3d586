/* report_find.h - the unit tests' look-up of a finding in a report. */
#ifndef CCMDIAG_TEST_REPORT_FIND_H
#define CCMDIAG_TEST_REPORT_FIND_H

#include <string.h>

#include "report.h"

/* The finding of id key ("duplicate-guid") in r, or NULL. */
static inline const struct finding *
report_find(const struct report *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->n_findings; i++)
		if (strcmp(finding_key(r->findings[i].id), key) == 0)
			return &r->findings[i];
	return NULL;
}

#endif
