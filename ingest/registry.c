/* registry.c - the offline readers, in the order their formats are tried. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ingest.h"

static const struct ingest_reader *const readers[] = {
	&ingest_sql,
	&ingest_iis,
	&ingest_cmlog,
	&ingest_pcap,
	NULL,
};

const struct ingest_reader *
ingest_reader_for(const uint8_t *head, size_t n)
{
	int i;

	for (i = 0; readers[i]; i++)
		if (readers[i]->sniff(head, n))
			return readers[i];
	return NULL;
}

const struct ingest_reader *
ingest_sniff(const char *path, char *errbuf, size_t n)
{
	const struct ingest_reader *rd;
	uint8_t head[4096];
	size_t got;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		snprintf(errbuf, n, "cannot open %s: %s", path,
		    strerror(errno));
		return NULL;
	}
	got = fread(head, 1, sizeof(head), f);
	fclose(f);
	if ((rd = ingest_reader_for(head, got)) == NULL)
		snprintf(errbuf, n, "%s: not a capture, IIS log, CM log or SQL "
		    "trace that ccmdiag reads", path);
	return rd;
}

int
ingest_finish(struct report *r, char *errbuf, size_t n)
{
	int i, rc;

	for (i = 0; readers[i]; i++)
		if (readers[i]->finish &&
		    (rc = readers[i]->finish(r, errbuf, n)) != 0)
			return rc;
	return 0;
}
