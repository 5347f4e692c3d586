/* registry.c - the report writers, one per format. */
#include <stdio.h>
#include <string.h>

#include "report.h"

static const struct report_writer *const writers[] = {
	&report_text,
	&report_json,
	&report_markdown,
	&report_html,
	&report_jsonl,
	&report_nagios,
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

const char *
report_writer_names(void)
{
	static char names[128];
	size_t len = 0;
	int i;

	if (names[0])
		return names;
	for (i = 0; writers[i] && len < sizeof(names); i++)
		len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s",
		    i ? ", " : "", writers[i]->name);
	return names;
}
