/* util.c - small helpers shared by every part. */
#include <arpa/inet.h>
#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

size_t
strlcpy0(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size > 0) {
		size_t c = n < size - 1 ? n : size - 1;

		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

void
strappendf(char *dst, size_t size, const char *fmt, ...)
{
	size_t used = strnlen(dst, size);
	va_list ap;

	if (used + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(dst + used, size - used, fmt, ap);
	va_end(ap);
}

static double
clock_sec(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

double
now_real(void)
{
	return clock_sec(CLOCK_REALTIME);
}

double
now_mono(void)
{
	return clock_sec(CLOCK_MONOTONIC);
}

void
mono_cond_init(pthread_cond_t *cv)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(cv, &ca);
	pthread_condattr_destroy(&ca);
}

void
mono_timespec(double deadline, struct timespec *ts)
{
	double left = deadline - now_mono();

	clock_gettime(CLOCK_MONOTONIC, ts);
	if (left < 0)
		left = 0;
	ts->tv_sec += (time_t)left;
	ts->tv_nsec += (long)((left - (double)(time_t)left) * 1e9);
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

void
format_time(double t, char *buf, size_t bufsz)
{
	time_t s = (time_t)t;
	struct tm tm;
	int ms = (int)((t - (double)s) * 1000);

	if (ms < 0)
		ms = 0;
	gmtime_r(&s, &tm);
	snprintf(buf, bufsz, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ms);
}

int
is_ip_literal(const char *s)
{
	struct in_addr a4;
	struct in6_addr a6;

	return inet_pton(AF_INET, s, &a4) == 1 ||
	    inet_pton(AF_INET6, s, &a6) == 1;
}

void
host_realm_guess(const char *host, char *out, size_t n)
{
	const char *dot = strchr(host, '.');
	size_t i;

	out[0] = '\0';
	if (dot == NULL || is_ip_literal(host))
		return;
	strlcpy0(out, dot + 1, n);
	for (i = 0; out[i]; i++)
		out[i] = (char)toupper((unsigned char)out[i]);
}


int
valid_hostname(const char *s)
{
	size_t n = strlen(s), label = 0, i;

	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (!isalnum(ch) && ch != '-' && ch != '_')
			return 0;
		if (++label > 63)
			return 0;
	}
	return s[n - 1] != '.' || n > 1;
}

const char *
tmp_dir(void)
{
	const char *t = getenv("TMPDIR");

	if (t == NULL || t[0] != '/' || strlen(t) > 200 ||
	    t[strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789/._-")] != '\0')
		return "/tmp";
	return t;
}
