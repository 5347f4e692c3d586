/* error.h - ccmdiag's one error list, generated from errors.def. */
#ifndef CCMDIAG_ERROR_H
#define CCMDIAG_ERROR_H

enum err {
#define E(name, text) ERR_##name,
#include "errors.def"
#undef E
	ERR__COUNT
};

const char *err_str(int code);

#endif
