/* registry.c - the report writers, one per format. */
#include <string.h>

#include "report.h"

static const struct report_writer *const writers[] = {
	&report_text,
	&report_json,
	NULL,
};

const struct report_writer *
report_writer_find(const char *name)
{
	int i;

	for (i = 0; writers[i]; i++)
		if (strcmp(writers[i]->name, name) == 0)
			return writers[i];
	return NULL;
}
