/* fuzz_mpxml.c - libFuzzer entry point for the MP XML readers (mpxml.c):
 * a registration reply, a reply's <Msg> header, an .sms_aut document. */
#include <stddef.h>
#include <stdint.h>

#include "mpxml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ccm_reg_reply rr;
	char why[256], sig[4100], alg[64], out[8192];

	(void)mpxml_reg_reply((const char *)data, size, &rr, why, sizeof(why));
	(void)mpxml_reply_sig((const char *)data, size, sig, sizeof(sig), alg,
	    sizeof(alg));
	(void)mpxml_summary((const char *)data, size, out, sizeof(out));
	return 0;
}
