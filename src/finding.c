/* finding.c - lookups in the findings table. */
#include <string.h>

#include "finding.h"

static const struct {
	const char *key, *title, *remedy;
	enum severity sev;
} table[] = {
#define F(name, id, sev, title, remedy) { id, title, remedy, sev },
#include "findings.def"
#undef F
};

const char *
finding_key(enum finding_id id)
{
	return id < FID__COUNT ? table[id].key : "unknown";
}

const char *
finding_title(enum finding_id id)
{
	return id < FID__COUNT ? table[id].title : "";
}

const char *
finding_remedy(enum finding_id id)
{
	return id < FID__COUNT ? table[id].remedy : "";
}

enum severity
finding_severity(enum finding_id id)
{
	return id < FID__COUNT ? table[id].sev : SEV_INFO;
}

const char *
severity_name(enum severity sev)
{
	switch (sev) {
	case SEV_ERROR:
		return "error";
	case SEV_WARNING:
		return "warning";
	default:
		return "info";
	}
}

enum finding_id
finding_lookup(const char *key)
{
	int i;

	for (i = 0; i < FID__COUNT; i++)
		if (strcmp(table[i].key, key) == 0)
			return (enum finding_id)i;
	return FID__COUNT;
}
