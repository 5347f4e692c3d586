/* fuzz_krb.c - libFuzzer entry point for the Kerberos decoder. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "krb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TERMINATED(s)	(memchr((s), '\0', sizeof(s)) != NULL)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct krb_msg m;

	(void)krb_decode(data, size, &m);
	if (!TERMINATED(m.realm) || !TERMINATED(m.crealm) ||
	    !TERMINATED(m.cname.text) || !TERMINATED(m.sname.text) ||
	    !TERMINATED(m.tkt_realm) || !TERMINATED(m.tkt_sname.text) ||
	    !TERMINATED(m.etext))
		__builtin_trap();
	if (m.n_etypes < 0 || m.n_etypes > 16 || m.n_padata < 0 ||
	    m.n_padata > 16 || m.n_edata_padata < 0 || m.n_edata_padata > 16)
		__builtin_trap();
	(void)krb_is_referral(&m);
	(void)krb_err_name(m.error_code);
	(void)krb_msg_name(m.msg_type);
	(void)krb_etype_name(m.tkt_etype);
	return 0;
}
