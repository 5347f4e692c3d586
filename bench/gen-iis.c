/*
 * gen-iis.c - write a synthetic IIS W3C log for bench/iis-vs-awk.sh: many
 * clients doing the ccm_system_windowsauth dance (Kerberos, NTLM, rejected,
 * never authenticated) among the other requests an MP's IIS logs.
 *
 * usage: gen-iis BYTES CLIENTS [SEED] > FILE
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NO_CREDENTIALS	2148074254U	/* 0x8009030E */
#define LOGON_DENIED	2148074252U	/* 0x8009030C */

static uint64_t rng = 88172645463325252ULL;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static char when[80];
static time_t now = 1242777600;	/* 2009-05-20 00:00:00 UTC */
static unsigned long long written;

static void
header(void)
{
	struct tm tm;

	gmtime_r(&now, &tm);
	written += (unsigned long long)printf(
	    "#Software: Microsoft Internet Information Services 7.5\n"
	    "#Version: 1.0\n"
	    "#Date: %04d-%02d-%02d %02d:%02d:%02d\n"
	    "#Fields: date time s-sitename cs-method cs-uri-stem cs-uri-query "
	    "s-port cs-username c-ip cs(User-Agent) sc-status sc-substatus "
	    "sc-win32-status time-taken\n", tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void
tick(void)
{
	struct tm tm;

	if (next() % 8 != 0)
		return;
	now++;
	gmtime_r(&now, &tm);
	snprintf(when, sizeof(when), "%04d-%02d-%02d %02d:%02d:%02d",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec);
}

static void
req(const char *method, const char *uri, const char *query,
    const char *user, unsigned client, const char *agent, int status,
    int sub, unsigned win32)
{
	tick();
	written += (unsigned long long)printf(
	    "%s W3SVC1 %s %s %s 80 %s 10.%u.%u.%u %s %d %d %u %u\n", when,
	    method, uri, query, user, 1 + client / 65536, client / 256 % 256,
	    client % 256, agent, status, sub, win32,
	    (unsigned)(next() % 400));
}

static const char wa[] = "/ccm_system_windowsauth/request";

int
main(int argc, char **argv)
{
	unsigned long long want;
	unsigned clients, c;
	char user[64];
	unsigned long n = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: gen-iis BYTES CLIENTS [SEED]\n");
		return 2;
	}
	want = strtoull(argv[1], NULL, 10);
	clients = (unsigned)strtoul(argv[2], NULL, 10);
	if (argc > 3)
		rng ^= strtoull(argv[3], NULL, 10) * 0x9E3779B97F4A7C15ULL;
	if (clients == 0)
		return 2;
	setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	tick();
	header();
	while (written < want) {
		if (++n % 2000000 == 0)	/* an app pool recycle */
			header();
		c = (unsigned)(next() % clients);
		snprintf(user, sizeof(user), "%s\\WK%05u-%03u$",
		    c % 3 ? "CHILD" : "CORP", c, c % 997);
		switch (next() % 4) {
		case 0:
			req("GET", "/SMS_MP/.sms_aut", "MPLIST", "-", c,
			    "SMS+CCM+5.0", 200, 0, 0);
			break;
		case 1:
			req("CCM_POST", "/ccm_system/request", "-", "-", c,
			    "ccmhttp", 200, 0, 0);
			break;
		case 2:
			req("GET", "/SMS_DP_SMSPKG$/PS100042/sccm",
			    "?/x64/ccmsetup.cab", user, c,
			    "Microsoft+BITS/7.5", 206, 0, 0);
			break;
		}
		/* every client's own windowsauth story, the same each time */
		req("CCM_POST", wa, "-", "-", c, "ccmhttp", 401, 2,
		    NO_CREDENTIALS);
		if (c % 97 == 3)		/* never authenticates */
			continue;
		if (c % 53 == 1) {		/* SPN broken: denied */
			req("CCM_POST", wa, "-", "-", c, "ccmhttp", 401, 1,
			    LOGON_DENIED);
			continue;
		}
		if (c % 11 == 5)		/* NTLM: challenge leg */
			req("CCM_POST", wa, "-", "-", c, "ccmhttp", 401, 1,
			    NO_CREDENTIALS);
		req("CCM_POST", wa, "-", user, c, "ccmhttp", 200, 0, 0);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
