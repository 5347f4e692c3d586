/* fuzz_dns.c - libFuzzer entry point for the DNS decoder. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TERMINATED(s)	(memchr((s), '\0', sizeof(s)) != NULL)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dns_msg m;
	int i;

	(void)dns_decode(data, size, &m);
	if (m.n_an < 0 || m.n_an > 32 || !TERMINATED(m.qname))
		__builtin_trap();
	for (i = 0; i < m.n_an; i++)
		if (!TERMINATED(m.an[i].name) || !TERMINATED(m.an[i].data))
			__builtin_trap();
	(void)dns_rcode_name(m.rcode);
	(void)dns_type_name(m.qtype);
	return 0;
}
