/* markdown.h - what the Markdown report lends (reports/markdown.c). */
#ifndef CCMDIAG_MARKDOWN_H
#define CCMDIAG_MARKDOWN_H

#include <stdio.h>

/* The one place text enters Markdown: marks backslash-escaped, line
 * breaks made spaces. */
void md_escape(FILE *out, const char *s);

#endif
