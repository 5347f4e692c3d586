/* sspi.c - the one table of SSPI and Win32 statuses seen in IIS logs
 * (docs/kerberos-diagnostics.md §2.1 and §2.3). */
#include <stddef.h>

#include "sspi.h"

static const struct {
	uint32_t code;
	const char *name, *text;
} statuses[] = {
	{ 0, "ERROR_SUCCESS", "success" },
	{ 5, "ERROR_ACCESS_DENIED", "access denied (no or unsupported "
	    "authentication header)" },
	{ 64, "ERROR_NETNAME_DELETED", "the client closed the connection" },
	{ 1326, "ERROR_LOGON_FAILURE", "unknown user name or bad password" },
	{ 1787, "ERROR_NO_TRUST_SAM_ACCOUNT", "no computer account for this "
	    "workstation trust relationship" },
	{ 0x80090303, "SEC_E_TARGET_UNKNOWN", "the target (SPN) is unknown" },
	{ 0x80090308, "SEC_E_INVALID_TOKEN", "the token is invalid (NTLM "
	    "messages split across connections)" },
	{ 0x8009030C, "SEC_E_LOGON_DENIED", "the logon was denied (ticket "
	    "could not be decrypted, wrong key or SPN)" },
	{ 0x8009030E, "SEC_E_NO_CREDENTIALS", "no credentials were presented "
	    "(anonymous leg, or the NTLM challenge leg)" },
	{ 0x80090311, "SEC_E_NO_AUTHENTICATING_AUTHORITY", "no authority "
	    "(domain controller) could be contacted" },
	{ 0x80090322, "SEC_E_WRONG_PRINCIPAL", "the ticket is for another "
	    "principal" },
	{ 0x80090324, "SEC_E_TIME_SKEW", "the clocks differ too much" },
	{ 0x80090341, "SEC_E_KDC_UNABLE_TO_REFER", "the KDC could not refer "
	    "the client to the service's realm" },
	{ 0x80090342, "SEC_E_KDC_UNKNOWN_ETYPE", "the encryption type is not "
	    "supported" },
	{ 0x80090346, "SEC_E_BAD_BINDINGS", "channel binding failed "
	    "(Extended Protection)" },
	{ 0x80090363, "SEC_E_MUTUAL_AUTH_FAILED", "mutual authentication "
	    "failed" },
};

const char *
sspi_status_name(uint32_t code)
{
	size_t i;

	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (statuses[i].code == code)
			return statuses[i].name;
	return NULL;
}

const char *
sspi_status_text(uint32_t code)
{
	size_t i;

	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (statuses[i].code == code)
			return statuses[i].text;
	return NULL;
}
