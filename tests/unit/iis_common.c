/* iis_common.c - what the IIS reader's tests share (iis_common.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ingest.h"
#include "iis_common.h"
#include "report.h"

struct report r;

/* The logs read so far, as one set: what analyze does after its inputs. */
void
finish(void)
{
	char err[256] = "";

	assert_int_equal(ingest_iis.finish(&r, err, sizeof(err)), 0);
}

const struct client_verdict *
client(const char *ip)
{
	size_t i;

	for (i = 0; i < r.n_clients; i++)
		if (strcmp(r.clients[i].client, ip) == 0)
			return &r.clients[i];
	fail_msg("no client %s", ip);
	return NULL;
}

int
note_has(const char *text)
{
	size_t i;

	for (i = 0; i < r.n_events; i++)
		if (r.events[i].type == EV_NOTE &&
		    strstr(r.events[i].text, text))
			return 1;
	return 0;
}
