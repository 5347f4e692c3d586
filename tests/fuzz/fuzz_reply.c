/* fuzz_reply.c - libFuzzer entry point for a whole registration reply as
 * register.c reads it: framing, the header's signature, the payload's
 * ClientRegistrationResponse, and the signature check (no trusted
 * certificate: it must refuse). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "ccmmsg.h"
#include "crypto.h"
#include "mpxml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ccm_reg_reply rr;
	struct ccm_reply r;
	char why[256], hex[4100], alg[64], signer[256];
	uint8_t *sig = NULL;
	size_t siglen = 0;

	if (ccm_reply_parse(data, size, &r, why, sizeof(why)) == CCM_REPLY_OK)
		(void)mpxml_reg_reply(r.text, r.textlen, &rr, why, sizeof(why));
	if (r.header && mpxml_reply_sig(r.header, r.header_len, hex,
	    sizeof(hex), alg, sizeof(alg)) == 0 &&
	    ccm_unhex(hex, 2048, &sig, &siglen) == 0 &&
	    crypto_store_verify(NULL, alg, r.zpayload, r.zlen, sig, siglen,
	    signer, sizeof(signer)) == 0)
		abort();	/* verified with no certificate at all */
	free(sig);
	ccm_reply_release(&r);
	return 0;
}
