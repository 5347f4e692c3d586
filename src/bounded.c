/* bounded.c - a blocking library call waited for until a deadline. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "bounded.h"
#include "error.h"
#include "util.h"

struct job {
	void (*fn)(void *);
	void *arg;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int done, abandoned;
};

static void
job_free(struct job *j)
{
	pthread_cond_destroy(&j->cv);
	pthread_mutex_destroy(&j->mu);
	free(j);
}

static void *
run(void *p)
{
	struct job *j = p;
	int abandoned;

	j->fn(j->arg);
	pthread_mutex_lock(&j->mu);
	j->done = 1;
	abandoned = j->abandoned;
	pthread_cond_signal(&j->cv);
	pthread_mutex_unlock(&j->mu);
	/* whoever leaves last frees the job */
	if (abandoned)
		job_free(j);
	return NULL;
}

int
bounded_call(void (*fn)(void *arg), void *arg, double deadline)
{
	pthread_condattr_t ca;
	pthread_attr_t ta;
	pthread_t t;
	struct timespec ts, now;
	struct job *j;
	double left;
	int done;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return ERR_NOMEM;
	j->fn = fn;
	j->arg = arg;
	pthread_mutex_init(&j->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&j->cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_attr_init(&ta);
	pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &ta, run, j) != 0) {
		pthread_attr_destroy(&ta);
		job_free(j);
		return ERR_IO;
	}
	pthread_attr_destroy(&ta);
	clock_gettime(CLOCK_MONOTONIC, &now);
	left = deadline - now_mono();
	if (left < 0)
		left = 0;
	ts.tv_sec = now.tv_sec + (time_t)left;
	ts.tv_nsec = now.tv_nsec + (long)((left - (double)(time_t)left) * 1e9);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&j->mu);
	while (!j->done)
		if (pthread_cond_timedwait(&j->cv, &j->mu, &ts) == ETIMEDOUT)
			break;
	done = j->done;
	if (!done)
		j->abandoned = 1;
	pthread_mutex_unlock(&j->mu);
	if (!done)
		return ERR_TIMEOUT;
	job_free(j);
	return 0;
}
