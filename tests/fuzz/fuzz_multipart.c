/* fuzz_multipart.c - libFuzzer entry point for the CCM multipart reply
 * framing (ccm_reply_parse: parts, zlib, UTF-16LE). */
#include <stddef.h>
#include <stdint.h>

#include "ccmmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ccm_reply r;
	char why[256];

	(void)ccm_reply_parse(data, size, &r, why, sizeof(why));
	ccm_reply_release(&r);
	return 0;
}
