/* fuzz_cmlog.c - libFuzzer entry point for the CM (CMTrace) log reader. */
#include "fuzz_reader.h"

extern const struct ingest_reader ingest_cmlog;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_reader(&ingest_cmlog, data, size, NULL);
}
