/*
 * proto.h - the protocol numbers the engine's rules and the readers speak
 * of, defined once (RFC 4120 section 7.5.9 for Kerberos errors, RFC 1035
 * and RFC 2782/3596 for DNS).  A rule reads KRB_AP_ERR_BADKEYVER, never 44.
 */
#ifndef CCMDIAG_PROTO_H
#define CCMDIAG_PROTO_H

/* Kerberos error codes (KRB-ERROR error-code) */
#define KDC_ERR_NONE			0
#define KDC_ERR_C_PRINCIPAL_UNKNOWN	6
#define KDC_ERR_S_PRINCIPAL_UNKNOWN	7
#define KDC_ERR_PRINCIPAL_NOT_UNIQUE	8
#define KDC_ERR_POLICY			12
#define KDC_ERR_BADOPTION		13
#define KDC_ERR_ETYPE_NOSUPP		14
#define KDC_ERR_CLIENT_REVOKED		18
#define KDC_ERR_KEY_EXPIRED		23
#define KDC_ERR_PREAUTH_FAILED		24
#define KDC_ERR_PREAUTH_REQUIRED	25
#define KDC_ERR_SERVER_NOMATCH		26
#define KRB_AP_ERR_BAD_INTEGRITY	31
#define KRB_AP_ERR_TKT_EXPIRED		32
#define KRB_AP_ERR_TKT_NYV		33
#define KRB_AP_ERR_REPEAT		34
#define KRB_AP_ERR_NOT_US		35
#define KRB_AP_ERR_BADMATCH		36
#define KRB_AP_ERR_SKEW			37
#define KRB_AP_ERR_MODIFIED		41
#define KRB_AP_ERR_BADKEYVER		44
#define KRB_AP_ERR_NOKEY		45
#define KRB_ERR_GENERIC			60
#define KRB_ERR_RESPONSE_TOO_BIG	52
#define KDC_ERR_WRONG_REALM		68

/* PA-DATA types */
#define PA_TGS_REQ		1
#define PA_ENC_TIMESTAMP	2

/* DNS */
#define DNS_T_A		1
#define DNS_T_CNAME	5
#define DNS_T_PTR	12
#define DNS_T_AAAA	28
#define DNS_T_SRV	33
#define DNS_R_NOERROR	0
#define DNS_R_SERVFAIL	2
#define DNS_R_NXDOMAIN	3
#define DNS_R_REFUSED	5

/* Kerberos' default tolerance for clock differences, seconds */
#define KRB_CLOCK_SKEW	300.0

#endif
