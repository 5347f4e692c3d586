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

/*
 * The threads that run the calls stay for the next call once theirs has
 * returned: a run of many checks makes hundreds of calls, and a thread
 * started for each costs more than many a call.  An idle one waits on its
 * own condition for its next job (handed to it alone, so that no call ever
 * waits behind another); beyond MAX_IDLE idle ones, a thread ends.  A
 * thread whose call never returns is never idle again.
 */
#define MAX_IDLE 64

struct helper {
	pthread_cond_t cv;
	struct job *job;	/* handed to it while idle */
	struct helper *next;
};

static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
static struct helper *idle;
static int n_idle;

/*
 * Runs j, and joins the idle threads (h, unless there are MAX_IDLE of
 * them already: 0) before it says j is done, so that a caller's next call
 * finds it; then whoever of caller and thread leaves last frees j.
 */
static int
run_job(struct job *j, struct helper *h)
{
	int abandoned, stays;

	j->fn(j->arg);
	pthread_mutex_lock(&pool_mu);
	if ((stays = n_idle < MAX_IDLE)) {
		h->job = NULL;
		h->next = idle;
		idle = h;
		n_idle++;
	}
	pthread_mutex_unlock(&pool_mu);
	pthread_mutex_lock(&j->mu);
	j->done = 1;
	abandoned = j->abandoned;
	pthread_cond_signal(&j->cv);
	pthread_mutex_unlock(&j->mu);
	if (abandoned)
		job_free(j);
	return stays;
}

static void *
run(void *p)
{
	struct helper h;
	struct job *j = p;

	pthread_cond_init(&h.cv, NULL);
	while (run_job(j, &h)) {
		pthread_mutex_lock(&pool_mu);
		while (h.job == NULL)
			pthread_cond_wait(&h.cv, &pool_mu);
		j = h.job;
		pthread_mutex_unlock(&pool_mu);
	}
	pthread_cond_destroy(&h.cv);
	return NULL;
}

/* Hands j to an idle thread: 1, or 0 when none is idle. */
static int
hand_over(struct job *j)
{
	struct helper *h;

	pthread_mutex_lock(&pool_mu);
	if ((h = idle) != NULL) {
		idle = h->next;
		n_idle--;
		h->job = j;
		pthread_cond_signal(&h->cv);
	}
	pthread_mutex_unlock(&pool_mu);
	return h != NULL;
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
	if (!hand_over(j)) {
		pthread_attr_init(&ta);
		pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &ta, run, j) != 0) {
			pthread_attr_destroy(&ta);
			job_free(j);
			return ERR_IO;
		}
		pthread_attr_destroy(&ta);
	}
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
