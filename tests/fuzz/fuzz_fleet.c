/* fuzz_fleet.c - libFuzzer entry point for the targets file of ccmdiag
 * fleet (src/fleet_targets.c). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fleet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TERMINATED(s)	(memchr((s), '\0', sizeof(s)) != NULL)

static void
bad(void *arg, unsigned long line, const char *why)
{
	unsigned long *last = arg;

	/* lines come in order, each said once, in words */
	if (line <= *last || why == NULL || why[0] == '\0')
		__builtin_trap();
	*last = line;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fleet_defaults def = { "WS01$@CONTOSO.COM", "/dev/null", 0, 0 };
	struct fleet_target *t = NULL;
	unsigned long last = 0, prev = 0;
	size_t n = 0, i;

	if (fleet_parse(data, size, &def, bad, &last, &t, &n) != 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (!TERMINATED(t[i].mp) || !TERMINATED(t[i].principal) ||
		    !TERMINATED(t[i].keytab) || t[i].mp[0] == '\0' ||
		    t[i].line <= prev || t[i].port < 0 || t[i].port > 65535)
			__builtin_trap();
		prev = t[i].line;
	}
	free(t);
	return 0;
}
