/* fuzz_spnego.c - libFuzzer entry point for the GSS/SPNEGO/NTLM decoder. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "spnego.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TERMINATED(s)	(memchr((s), '\0', sizeof(s)) != NULL)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gss_tok t;
	int i;

	(void)gss_tok_decode(data, size, &t);
	if (t.n_mechs < 0 || t.n_mechs > 8 || !TERMINATED(t.supported_mech) ||
	    !TERMINATED(t.krb_oid) || !TERMINATED(t.krb.tkt_sname.text))
		__builtin_trap();
	for (i = 0; i < t.n_mechs; i++) {
		if (!TERMINATED(t.mechs[i]))
			__builtin_trap();
		(void)gss_oid_name(t.mechs[i]);
	}
	(void)gss_oid_name(t.supported_mech);
	(void)krb_is_referral(&t.krb);
	return 0;
}
