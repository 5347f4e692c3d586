/* dnscache.c - DNS answers kept for the rest of a run (dnscache.h). */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dnscache.h"
#include "error.h"
#include "util.h"

#define BUCKETS 4096

struct entry {
	struct entry *next;
	char name[256];		/* lower case */
	int kind;
	enum { E_NONE, E_ASKING, E_DONE } state;
	uint8_t *ans;
	size_t len;
};

static struct {
	int on;
	pthread_mutex_t mu;
	pthread_cond_t cv;	/* an answer came, or a question was dropped */
	struct entry *bucket[BUCKETS];
	size_t n;
	unsigned long asked, reused;
} cache = { .mu = PTHREAD_MUTEX_INITIALIZER };

static unsigned
hash(const char *name, int kind)
{
	unsigned h = 2166136261u ^ (unsigned)kind;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	return h % BUCKETS;
}

static void
key(const char *name, char *out, size_t n)
{
	size_t i;

	for (i = 0; name[i] && i + 1 < n; i++)
		out[i] = (char)tolower((unsigned char)name[i]);
	out[i] = '\0';
}

/* the entry of (k, kind), made when absent and there is room; locked */
static struct entry *
find(const char *k, int kind, int make)
{
	unsigned h = hash(k, kind);
	struct entry *e;

	for (e = cache.bucket[h]; e; e = e->next)
		if (e->kind == kind && strcmp(e->name, k) == 0)
			return e;
	if (!make || cache.n >= DNSCACHE_MAX_ENTRIES ||
	    (e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	strlcpy0(e->name, k, sizeof(e->name));
	e->kind = kind;
	e->next = cache.bucket[h];
	cache.bucket[h] = e;
	cache.n++;
	return e;
}

int
dnscache_begin(void)
{
	if (cache.on)
		return ERR_USAGE;
	mono_cond_init(&cache.cv);
	cache.n = 0;
	cache.asked = cache.reused = 0;
	cache.on = 1;
	return 0;
}

void
dnscache_end(void)
{
	struct entry *e, *next;
	size_t i;

	if (!cache.on)
		return;
	cache.on = 0;
	for (i = 0; i < BUCKETS; i++) {
		for (e = cache.bucket[i]; e; e = next) {
			next = e->next;
			free(e->ans);
			free(e);
		}
		cache.bucket[i] = NULL;
	}
	cache.n = 0;
	pthread_cond_destroy(&cache.cv);
}

int
dnscache_get(const char *name, int kind, uint8_t *ans, size_t anslen,
    size_t *len, double deadline)
{
	struct timespec until;
	struct entry *e;
	char k[256];
	int r = -1;

	*len = 0;
	if (!cache.on || strlen(name) >= sizeof(k))
		return -1;
	key(name, k, sizeof(k));
	mono_timespec(deadline, &until);
	pthread_mutex_lock(&cache.mu);
	if ((e = find(k, kind, 1)) == NULL)
		goto out;
	while (e->state == E_ASKING)
		if (pthread_cond_timedwait(&cache.cv, &cache.mu, &until) != 0)
			goto out;
	if (e->state == E_DONE) {
		*len = e->len < anslen ? e->len : anslen;
		memcpy(ans, e->ans, *len);
		cache.reused++;
		r = 1;
	} else {
		e->state = E_ASKING;
		cache.asked++;
		r = 0;
	}
out:
	pthread_mutex_unlock(&cache.mu);
	return r;
}

/* The entry a check is asking about, locked; NULL (unlocked) if none. */
static struct entry *
asking(const char *name, int kind)
{
	struct entry *e;
	char k[256];

	if (!cache.on || strlen(name) >= sizeof(k))
		return NULL;
	key(name, k, sizeof(k));
	pthread_mutex_lock(&cache.mu);
	if ((e = find(k, kind, 0)) != NULL && e->state == E_ASKING)
		return e;
	pthread_mutex_unlock(&cache.mu);
	return NULL;
}

/* e answered (ans) or not (NULL): wake whoever waits for it, unlock. */
static void
settle(struct entry *e, const uint8_t *ans, size_t len)
{
	e->state = E_NONE;
	if (ans && len <= DNSCACHE_MAX_ANSWER &&
	    (e->ans = malloc(len ? len : 1)) != NULL) {
		memcpy(e->ans, ans, len);
		e->len = len;
		e->state = E_DONE;
	}
	pthread_cond_broadcast(&cache.cv);
	pthread_mutex_unlock(&cache.mu);
}

void
dnscache_put(const char *name, int kind, const uint8_t *ans, size_t len)
{
	struct entry *e;

	if ((e = asking(name, kind)) != NULL)
		settle(e, ans, len);
}

void
dnscache_drop(const char *name, int kind)
{
	struct entry *e;

	if ((e = asking(name, kind)) != NULL)
		settle(e, NULL, 0);
}

void
dnscache_counts(unsigned long *asked, unsigned long *reused)
{
	pthread_mutex_lock(&cache.mu);
	*asked = cache.asked;
	*reused = cache.reused;
	pthread_mutex_unlock(&cache.mu);
}
