/* privs.c - giving up privileges once the capture handle is open. */
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
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
