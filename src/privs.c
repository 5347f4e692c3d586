/* privs.c - giving up privileges once the capture handle is open; leaving
 * no temporary file behind when a run is interrupted. */
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "privs.h"

int
privs_drop(void)
{
	struct __user_cap_header_struct hdr;
	struct __user_cap_data_struct data[2];

	memset(&hdr, 0, sizeof(hdr));
	memset(data, 0, sizeof(data));
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	hdr.pid = 0;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return ERR_PRIVILEGE;
	if (syscall(SYS_capset, &hdr, data) != 0)
		return ERR_PRIVILEGE;
	return 0;
}

/* Read by the signal handler: a slot is live while its first byte is
 * not NUL; it is written whole before it is marked live. */
static char tmp_paths[PRIVS_MAX_TMP][512];
static volatile sig_atomic_t tmp_live[PRIVS_MAX_TMP];

int
privs_tmp_add(const char *path)
{
	size_t i, n = strlen(path);

	if (n >= sizeof(tmp_paths[0]))
		return ERR_TOO_LARGE;
	for (i = 0; i < PRIVS_MAX_TMP; i++) {
		if (tmp_live[i])
			continue;
		memcpy(tmp_paths[i], path, n + 1);
		tmp_live[i] = 1;
		return 0;
	}
	return ERR_TOO_LARGE;
}

void
privs_tmp_forget(const char *path)
{
	size_t i;

	for (i = 0; i < PRIVS_MAX_TMP; i++)
		if (tmp_live[i] && strcmp(tmp_paths[i], path) == 0)
			tmp_live[i] = 0;
}

static void
on_signal(int sig)
{
	static const char msg[] = "ccmdiag: interrupted; the run was "
	    "stopped and its temporary files removed\n";
	size_t i;

	(void)sig;
	for (i = 0; i < PRIVS_MAX_TMP; i++)
		if (tmp_live[i])
			unlink(tmp_paths[i]);
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(3);
	_exit(3);
}

void
privs_catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigfillset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}
