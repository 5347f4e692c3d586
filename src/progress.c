/* progress.c - a progress bar on stderr for big inputs, when it is a tty. */
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

#define DELAY	0.5	/* seconds before the first draw: small files stay quiet */
#define EVERY	0.1	/* seconds between draws */

static struct {
	int on, drawn;
	uint64_t total;
	char label[40];
	double t0, last;
} bar;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
width(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
		return ws.ws_col < 200 ? ws.ws_col : 200;
	return 80;
}

void
progress_start(uint64_t total_bytes, const char *label)
{
	if (bar.on || total_bytes == 0 || !isatty(STDERR_FILENO))
		return;
	memset(&bar, 0, sizeof(bar));
	bar.on = 1;
	bar.total = total_bytes;
	snprintf(bar.label, sizeof(bar.label), "%s", label ? label : "");
	bar.t0 = bar.last = now();
}

void
progress_update(uint64_t done)
{
	char tail[96], line[256];
	double t, el, frac;
	int w, cells, fill, n;

	if (!bar.on)
		return;
	t = now();
	el = t - bar.t0;
	if (el < DELAY || t - bar.last < EVERY)
		return;
	bar.last = t;
	frac = done >= bar.total ? 1.0 : (double)done / (double)bar.total;
	n = snprintf(tail, sizeof(tail), " %3d%% %.0f/%.0f MB %.0f MB/s",
	    (int)(frac * 100), (double)done / 1e6, (double)bar.total / 1e6,
	    (double)done / 1e6 / el);
	w = width() - 1;	/* the last column would wrap on some terminals */
	cells = w - n - (int)strlen(bar.label) - 3;
	if (cells < 10) {
		snprintf(line, sizeof(line), "\r%.*s", w, tail + 1);
	} else {
		if (cells > 50)
			cells = 50;
		fill = (int)(frac * cells);
		snprintf(line, sizeof(line), "\r%s [%.*s%.*s]%s", bar.label,
		    fill, "##################################################",
		    cells - fill,
		    "                                                  ", tail);
	}
	fputs(line, stderr);
	fflush(stderr);
	bar.drawn = (int)strlen(line) - 1;
}

void
progress_end(void)
{
	if (bar.on && bar.drawn > 0) {
		fprintf(stderr, "\r%*s\r", bar.drawn, "");
		fflush(stderr);
	}
	memset(&bar, 0, sizeof(bar));
}
