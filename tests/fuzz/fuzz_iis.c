/* fuzz_iis.c - libFuzzer entry point for the IIS log reader. */
#include "fuzz_reader.h"

extern const struct ingest_reader ingest_iis;

/* every per-client string stays terminated */
static void
check(const struct report *r)
{
	size_t i;

	for (i = 0; i < r->n_clients; i++)
		if (!memchr(r->clients[i].verdict, '\0',
		    sizeof(r->clients[i].verdict)) ||
		    !memchr(r->clients[i].last_status, '\0',
		    sizeof(r->clients[i].last_status)))
			__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_reader(&ingest_iis, data, size, check);
}
