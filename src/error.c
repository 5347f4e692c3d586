/* error.c - error code strings. */
#include "error.h"

static const char *const texts[] = {
#define E(name, text) text,
#include "errors.def"
#undef E
};

const char *
err_str(int code)
{
	if (code < 0 || code >= ERR__COUNT)
		return "unknown error";
	return texts[code];
}
