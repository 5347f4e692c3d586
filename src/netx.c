/* netx.c - one request and its reply within a deadline (see netx.h). */
#include <sys/types.h>
#include <sys/socket.h>
#include <netdb.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "netx.h"
#include "util.h"

#define UDP_MAX 65536

struct xfer {
	int fd;
	double deadline;
	struct netx_result *res;
};

/* Milliseconds left until the deadline; 0 when it has passed. */
static int
left_ms(double deadline)
{
	double left = deadline - now_mono();

	if (left <= 0)
		return 0;
	return left > 86400 ? 86400000 : (int)(left * 1000) + 1;
}

/* Wait for events on the socket; 1 ready, 0 the deadline came, -1 error. */
static int
wait_fd(struct xfer *x, short events)
{
	struct pollfd pfd;
	int ms, r;

	for (;;) {
		if ((ms = left_ms(x->deadline)) == 0) {
			x->res->at_deadline = 1;
			return 0;
		}
		pfd.fd = x->fd;
		pfd.events = events;
		pfd.revents = 0;
		r = poll(&pfd, 1, ms);
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

static enum netx_outcome
errno_outcome(int e)
{
	switch (e) {
	case ECONNREFUSED:
		return NETX_REFUSED;
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EHOSTDOWN:
	case ENETDOWN:
		return NETX_UNREACHABLE;
	case ETIMEDOUT:
		return NETX_SILENT;
	case ECONNRESET:
	case EPIPE:
		return NETX_CUT;
	default:
		return NETX_LOCAL;
	}
}

static int
open_socket(const char *addr, int port, enum netx_proto proto, int *fd_out,
    int *err_out)
{
	struct addrinfo hints, *ai = NULL;
	char serv[16];
	int fd = -1, r;

	*fd_out = -1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = proto == NETX_UDP ? SOCK_DGRAM : SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	snprintf(serv, sizeof(serv), "%d", port);
	if (getaddrinfo(addr, serv, &hints, &ai) != 0) {
		*err_out = EINVAL;
		return ERR_USAGE;
	}
	if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) < 0) {
		*err_out = errno;
		freeaddrinfo(ai);
		return ERR_IO;
	}
	r = connect(fd, ai->ai_addr, ai->ai_addrlen);
	*err_out = r == 0 ? 0 : errno;
	freeaddrinfo(ai);
	if (r != 0 && *err_out != EINPROGRESS) {
		close(fd);
		return ERR_IO;
	}
	*fd_out = fd;
	return 0;
}

static int
udp_exchange(struct xfer *x, const uint8_t *req, size_t len, size_t max,
    netx_accept_fn accept, void *arg, uint8_t **reply, size_t *rlen)
{
	uint8_t *buf;
	ssize_t n;
	int w;

	if (send(x->fd, req, len, 0) != (ssize_t)len) {
		x->res->sys_errno = errno;
		x->res->outcome = errno_outcome(errno);
		return ERR_IO;
	}
	if ((buf = malloc(UDP_MAX)) == NULL) {
		x->res->outcome = NETX_LOCAL;
		return ERR_NOMEM;
	}
	for (;;) {
		if ((w = wait_fd(x, POLLIN)) <= 0) {
			x->res->outcome = x->res->rejected ? NETX_REJECTED :
			    NETX_SILENT;
			break;
		}
		n = recv(x->fd, buf, UDP_MAX, 0);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			x->res->sys_errno = errno;
			x->res->outcome = errno_outcome(errno);
			break;
		}
		if (accept && !accept(arg, buf, (size_t)n)) {
			x->res->rejected++;
			continue;
		}
		if ((size_t)n > max) {
			x->res->got = (size_t)n;
			x->res->outcome = NETX_OVERSIZED;
			break;
		}
		x->res->got = (size_t)n;
		x->res->outcome = NETX_ANSWERED;
		*reply = buf;
		*rlen = (size_t)n;
		return 0;
	}
	free(buf);
	return 0;
}

/* Read exactly n bytes into p; 0, or the outcome that stopped it. */
static enum netx_outcome
read_full(struct xfer *x, uint8_t *p, size_t n, size_t *got)
{
	ssize_t r;
	int w;

	while (*got < n) {
		if ((w = wait_fd(x, POLLIN)) == 0)
			return NETX_PARTIAL;
		if (w < 0) {
			x->res->sys_errno = errno;
			return NETX_LOCAL;
		}
		r = recv(x->fd, p + *got, n - *got, 0);
		if (r == 0)
			return NETX_CUT;
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			x->res->sys_errno = errno;
			return errno_outcome(errno);
		}
		*got += (size_t)r;
	}
	return NETX_ANSWERED;
}

static enum netx_outcome
write_full(struct xfer *x, const uint8_t *p, size_t n)
{
	size_t done = 0;
	ssize_t r;
	int w;

	while (done < n) {
		if ((w = wait_fd(x, POLLOUT)) == 0)
			return NETX_SILENT;
		if (w < 0) {
			x->res->sys_errno = errno;
			return NETX_LOCAL;
		}
		r = send(x->fd, p + done, n - done, MSG_NOSIGNAL);
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			x->res->sys_errno = errno;
			return errno_outcome(errno);
		}
		done += (size_t)r;
	}
	return NETX_ANSWERED;
}

static int
tcp_exchange(struct xfer *x, size_t prefix, const uint8_t *req, size_t len,
    size_t max, uint8_t **reply, size_t *rlen)
{
	struct netx_result *res = x->res;
	uint8_t head[4], *msg = NULL, *buf = NULL;
	socklen_t sl = sizeof(int);
	size_t i, got = 0;
	int w, e = 0;
	enum netx_outcome o;

	/* connected when writable; SO_ERROR says how it went */
	if ((w = wait_fd(x, POLLOUT)) <= 0) {
		res->outcome = w == 0 ? NETX_SILENT : NETX_LOCAL;
		return 0;
	}
	if (getsockopt(x->fd, SOL_SOCKET, SO_ERROR, &e, &sl) != 0 || e) {
		res->sys_errno = e ? e : errno;
		res->outcome = errno_outcome(res->sys_errno);
		return 0;
	}
	res->connected = 1;
	if ((msg = malloc(prefix + len)) == NULL) {
		res->outcome = NETX_LOCAL;
		return ERR_NOMEM;
	}
	for (i = 0; i < prefix; i++)
		msg[i] = (uint8_t)(len >> (8 * (prefix - 1 - i)));
	memcpy(msg + prefix, req, len);
	o = write_full(x, msg, prefix + len);
	free(msg);
	if (o != NETX_ANSWERED) {
		res->outcome = o;
		return 0;
	}
	if ((o = read_full(x, head, prefix, &got)) != NETX_ANSWERED) {
		/* bytes of the prefix count as a reply begun */
		res->outcome = o == NETX_PARTIAL && got == 0 ? NETX_SILENT : o;
		res->prefix_got = got;
		return 0;
	}
	res->prefix_got = prefix;
	for (i = 0, res->want = 0; i < prefix; i++)
		res->want = res->want << 8 | head[i];
	if (res->want > max) {
		res->outcome = NETX_OVERSIZED;
		return 0;
	}
	if ((buf = malloc(res->want ? res->want : 1)) == NULL) {
		res->outcome = NETX_LOCAL;
		return ERR_NOMEM;
	}
	got = 0;
	o = read_full(x, buf, res->want, &got);
	res->got = got;
	res->outcome = o;
	if (o != NETX_ANSWERED) {
		free(buf);
		return 0;
	}
	*reply = buf;
	*rlen = got;
	return 0;
}

static int
outcome_err(enum netx_outcome o)
{
	switch (o) {
	case NETX_ANSWERED:
		return 0;
	case NETX_SILENT:
	case NETX_PARTIAL:
		return ERR_TIMEOUT;
	case NETX_REFUSED:
	case NETX_UNREACHABLE:
		return ERR_REFUSED;
	case NETX_CUT:
	case NETX_OVERSIZED:
	case NETX_REJECTED:
		return ERR_MALFORMED;
	default:
		return ERR_IO;
	}
}

int
netx_exchange(const char *addr, int port, enum netx_proto proto,
    size_t prefix, const uint8_t *req, size_t len, size_t max,
    double deadline, netx_accept_fn accept, void *arg, uint8_t **reply,
    size_t *rlen, struct netx_result *res)
{
	struct xfer x;
	double start = now_mono();
	int r, e;

	*reply = NULL;
	*rlen = 0;
	memset(res, 0, sizeof(*res));
	if (prefix != 2 && prefix != 4)
		return ERR_USAGE;
	x.deadline = deadline;
	x.res = res;
	if ((r = open_socket(addr, port, proto, &x.fd, &e)) != 0) {
		res->sys_errno = e;
		res->outcome = r == ERR_USAGE ? NETX_LOCAL : errno_outcome(e);
		res->elapsed = now_mono() - start;
		return r == ERR_USAGE ? r : outcome_err(res->outcome);
	}
	if (proto == NETX_UDP)
		r = udp_exchange(&x, req, len, max, accept, arg, reply, rlen);
	else
		r = tcp_exchange(&x, prefix, req, len, max, reply, rlen);
	close(x.fd);
	res->elapsed = now_mono() - start;
	if (res->outcome != NETX_SILENT && res->outcome != NETX_PARTIAL &&
	    res->outcome != NETX_REJECTED)
		res->at_deadline = 0;
	return r ? r : outcome_err(res->outcome);
}

const char *
netx_proto_name(enum netx_proto proto)
{
	return proto == NETX_UDP ? "UDP" : "TCP";
}

void
netx_describe(const struct netx_result *res, enum netx_proto proto,
    char *buf, size_t n)
{
	char what[160];

	switch (res->outcome) {
	case NETX_ANSWERED:
		snprintf(buf, n, "answered in %.3f s", res->elapsed);
		break;
	case NETX_SILENT:
		if (proto == NETX_TCP && !res->connected)
			snprintf(buf, n, "no answer to the connection attempt "
			    "in %.1f s", res->elapsed);
		else
			snprintf(buf, n, "%sno answer in %.1f s", proto ==
			    NETX_TCP ? "connected and sent the request; " : "",
			    res->elapsed);
		break;
	case NETX_PARTIAL:
		if (res->want == 0 && res->got == 0)
			snprintf(buf, n, "%zu byte%s of a length prefix in %.1f "
			    "s, the rest never came", res->prefix_got,
			    res->prefix_got == 1 ? "" : "s", res->elapsed);
		else
			snprintf(buf, n, "%zu of %lu bytes of a reply in %.1f s, "
			    "the rest never came", res->got, res->want,
			    res->elapsed);
		break;
	case NETX_REFUSED:
		snprintf(buf, n, "refused (%s)", proto == NETX_UDP ?
		    "ICMP port unreachable: nothing listens" :
		    "connection refused: nothing listens");
		break;
	case NETX_UNREACHABLE:
		err_errno(what, sizeof(what), res->sys_errno);
		snprintf(buf, n, "unreachable: %s", what);
		break;
	case NETX_CUT:
		snprintf(buf, n, "the connection %s after %zu of %lu bytes of "
		    "a reply", res->sys_errno == ECONNRESET ? "was reset" :
		    "closed", res->got, res->want);
		if (res->want == 0 && res->got == 0)
			snprintf(buf, n, "the connection %s before a reply",
			    res->sys_errno == ECONNRESET ? "was reset" :
			    "closed");
		break;
	case NETX_OVERSIZED:
		if (proto == NETX_TCP)
			snprintf(buf, n, "answered garbage: a length prefix "
			    "announcing %lu bytes, more than any reply",
			    res->want);
		else
			snprintf(buf, n, "answered garbage: a %zu-byte "
			    "datagram", res->got);
		break;
	case NETX_REJECTED:
		snprintf(buf, n, "answered garbage: %d datagram%s that %s no "
		    "reply to the question, in %.1f s", res->rejected,
		    res->rejected == 1 ? "" : "s", res->rejected == 1 ? "is" :
		    "are", res->elapsed);
		break;
	default:
		err_errno(what, sizeof(what), res->sys_errno);
		snprintf(buf, n, "could not be sent from this machine: %s",
		    what);
		break;
	}
}
