/* html.h - the parts of the HTML report (reports/html.c, reports/ladder.c). */
#ifndef CCMDIAG_HTML_H
#define CCMDIAG_HTML_H

#include <stdio.h>

#include "report.h"

/* The one place text enters the page (reports/html.c). */
void html_escape(FILE *out, const char *s);
/* The ladder diagram of the exchange, inline SVG (reports/ladder.c). */
void html_ladder(const struct report *r, FILE *out);

#endif
