/* null-server: the cheapest server the bench's -P 1 and churn workloads can
 * talk to, to measure the ceiling any server can reach on this machine with
 * these clients. It is NOT a store: one epoll loop (level-triggered, as Redis's
 * ae), accept4 until EAGAIN, one read and one write per readable event, RESP
 * arrays parsed just enough to answer:
 *   SET / SETEX -> +OK (the value is remembered per connection)
 *   GET         -> the connection's last value, or 100 'x' if none
 *   DEL         -> :1     DBSIZE -> :0     PING -> +PONG
 *   anything else (CONFIG GET at redis-benchmark's start) -> *0
 * That is enough for redis-benchmark -t set,get and for the churn cycle
 * (connect, SETEX, GET of the same key on the same connection, DEL, close).
 * Usage: null-server --port P [--bind 127.0.0.1]
 * Build: cc -O2 -o null-server null-server.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

enum { kBuf = 16 * 1024, kMaxFd = 65536 };

struct conn {
  char in[kBuf];
  size_t in_len;
  char out[kBuf];
  size_t out_len;
  char val[512];
  size_t val_len;
};

static struct conn *conns[kMaxFd];

static void reply(struct conn *c, const char *s, size_t n) {
  if (c->out_len + n <= sizeof c->out) {
    memcpy(c->out + c->out_len, s, n);
    c->out_len += n;
  }
}

/* Parses one complete "*N\r\n$L\r\n...\r\n" command at in[*pos]; returns 0 if
 * incomplete. args/lens receive up to 4 arguments. */
static int parse(struct conn *c, size_t *pos, const char **args, size_t *lens, int *argc) {
  const char *p = c->in + *pos, *end = c->in + c->in_len;
  if (p >= end || *p != '*') return 0;
  char *nl = memchr(p, '\n', end - p);
  if (!nl) return 0;
  int n = atoi(p + 1);
  p = nl + 1;
  *argc = 0;
  for (int i = 0; i < n; i++) {
    if (p >= end || *p != '$') return 0;
    nl = memchr(p, '\n', end - p);
    if (!nl) return 0;
    size_t len = strtoul(p + 1, NULL, 10);
    p = nl + 1;
    if ((size_t)(end - p) < len + 2) return 0;
    if (i < 4) {
      args[i] = p;
      lens[i] = len;
      *argc = i + 1;
    }
    p += len + 2;
  }
  *pos = p - c->in;
  return 1;
}

static int is(const char *a, size_t n, const char *name) {
  return n == strlen(name) && strncasecmp(a, name, n) == 0;
}

static void execute(struct conn *c, const char **a, const size_t *l, int argc) {
  if (argc == 0) return;
  if (is(a[0], l[0], "SET") || is(a[0], l[0], "SETEX")) {
    int vi = is(a[0], l[0], "SET") ? 2 : 3;
    if (argc > vi && l[vi] <= sizeof c->val) {
      memcpy(c->val, a[vi], l[vi]);
      c->val_len = l[vi];
    }
    reply(c, "+OK\r\n", 5);
  } else if (is(a[0], l[0], "GET")) {
    char head[32];
    if (!c->val_len) {
      memset(c->val, 'x', 100);
      c->val_len = 100;
    }
    int n = snprintf(head, sizeof head, "$%zu\r\n", c->val_len);
    reply(c, head, n);
    reply(c, c->val, c->val_len);
    reply(c, "\r\n", 2);
  } else if (is(a[0], l[0], "DEL")) {
    reply(c, ":1\r\n", 4);
  } else if (is(a[0], l[0], "DBSIZE")) {
    reply(c, ":0\r\n", 4);
  } else if (is(a[0], l[0], "PING")) {
    reply(c, "+PONG\r\n", 7);
  } else {
    reply(c, "*0\r\n", 4);
  }
}

static void drop(int ep, int fd) {
  epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
  close(fd);
  free(conns[fd]);
  conns[fd] = NULL;
}

static void on_readable(int ep, int fd) {
  struct conn *c = conns[fd];
  ssize_t n = read(fd, c->in + c->in_len, sizeof c->in - c->in_len);
  if (n <= 0) {
    if (n < 0 && errno == EAGAIN) return;
    drop(ep, fd);
    return;
  }
  c->in_len += n;
  size_t pos = 0;
  const char *args[4];
  size_t lens[4];
  int argc;
  while (parse(c, &pos, args, lens, &argc)) execute(c, args, lens, argc);
  memmove(c->in, c->in + pos, c->in_len - pos);
  c->in_len -= pos;
  if (c->out_len) {
    ssize_t w = write(fd, c->out, c->out_len); /* replies are small: one write */
    if (w < 0) {
      drop(ep, fd);
      return;
    }
    c->out_len = 0;
  }
}

int main(int argc, char **argv) {
  int port = 6379;
  const char *bind_addr = "127.0.0.1";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--port")) port = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--bind")) bind_addr = argv[i + 1];
  }
  int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
  inet_pton(AF_INET, bind_addr, &sa.sin_addr);
  if (bind(ls, (struct sockaddr *)&sa, sizeof sa) || listen(ls, 511)) {
    perror("null-server: bind/listen");
    return 1;
  }
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = ls};
  epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
  struct epoll_event evs[256];
  for (;;) {
    int n = epoll_wait(ep, evs, 256, -1);
    for (int i = 0; i < n; i++) {
      int fd = evs[i].data.fd;
      if (fd == ls) {
        int cfd;
        while ((cfd = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          if (cfd >= kMaxFd) {
            close(cfd);
            continue;
          }
          setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          struct conn *c = malloc(sizeof *c); /* not zeroed: only the lengths matter */
          c->in_len = c->out_len = c->val_len = 0;
          conns[cfd] = c;
          struct epoll_event cev = {.events = EPOLLIN, .data.fd = cfd};
          epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &cev);
        }
      } else if (conns[fd]) {
        on_readable(ep, fd);
      }
    }
  }
}
