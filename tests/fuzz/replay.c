/* replay.c - feed every file in the given directories (or files) to
 * LLVMFuzzerTestOneInput, so corpora replay without clang/libFuzzer.
 * Built with -DCORPUS_DIR='"dir"' it replays that directory when run
 * without arguments (as an automake TEST). */
#define _DEFAULT_SOURCE		/* fileno, opendir with -std=c99 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
run_file(const char *path, size_t *count)
{
	uint8_t *buf = NULL;
	struct stat st;
	size_t len;
	FILE *f;
	int r = -1;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) != 0 || st.st_size < 0)
		goto out;
	len = (size_t)st.st_size;
	/* exact size, so ASan sees reads past the input */
	if ((buf = malloc(len ? len : 1)) == NULL)
		goto out;
	if (len > 0 && fread(buf, 1, len, f) != len)
		goto out;
	(void)LLVMFuzzerTestOneInput(len ? buf : NULL, len);
	(*count)++;
	r = 0;
out:
	if (r != 0)
		fprintf(stderr, "replay: %s: cannot read\n", path);
	free(buf);
	fclose(f);
	return r;
}

static int
run(const char *path, size_t *count)
{
	struct dirent *de;
	struct stat st;
	char sub[4096];
	DIR *d;
	int r = 0;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path, count);
	if ((d = opendir(path)) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", path,
		    de->d_name) >= sizeof(sub))
			continue;
		if (run(sub, count) != 0)
			r = -1;
	}
	closedir(d);
	return r;
}

int
main(int argc, char **argv)
{
	size_t count = 0;
	int i, r = 0;

	if (argc < 2) {
#ifdef CORPUS_DIR
		r = run(CORPUS_DIR, &count) != 0;
		printf("replay: %zu inputs\n", count);
		return r;
#else
		fprintf(stderr, "usage: %s DIR|FILE...\n", argv[0]);
		return 2;
#endif
	}
	for (i = 1; i < argc; i++)
		if (run(argv[i], &count) != 0)
			r = 1;
	printf("replay: %zu inputs\n", count);
	return r;
}
