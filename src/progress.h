/*
 * progress.h - one progress bar on stderr for long reads: bytes done of the
 * total, percent and MB/s.  Drawn only when stderr is a terminal and the
 * work has run for a moment, at most ten times a second; progress_end
 * clears the line.  One bar at a time; a start while one runs is ignored.
 *
 * Use: progress_start(st.st_size, "u_ex090520.log"); progress_update(done)
 * as often as convenient (cheap: it checks the clock, rarely draws);
 * progress_end() when done or on error.
 */
#ifndef CCMDIAG_PROGRESS_H
#define CCMDIAG_PROGRESS_H

#include <stdint.h>

void progress_start(uint64_t total_bytes, const char *label);
void progress_update(uint64_t done_bytes);
void progress_end(void);

#endif
