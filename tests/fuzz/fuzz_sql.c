/* fuzz_sql.c - libFuzzer entry point for the SQL trace reader. */
#include "fuzz_reader.h"

extern const struct ingest_reader ingest_sql;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_reader(&ingest_sql, data, size, NULL);
}
