/*
 * A static gRPC health server for e2e tests (no gRPC library: HTTP/2 over cleartext, "h2c" with
 * prior knowledge, as gRPC clients speak it without TLS). Usage: grpc-health-server PORT [SECS].
 * grpc.health.v1.Health/Check for the empty service answers NOT_SERVING for the first SECS
 * seconds (default 0) after start and SERVING after; any other service name answers the status
 * NOT_FOUND "unknown service", as grpc-go's health server. Every request on a stream is taken as
 * a Check (the request headers are not decoded). One process per connection; SIGTERM exits.
 * Responses use HPACK literals without Huffman coding, so no header table is ever needed.
 */
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { DATA = 0, HEADERS = 1, SETTINGS = 4, PING = 6, GOAWAY = 7 };
enum { END_STREAM = 0x1, ACK = 0x1, END_HEADERS = 0x4, PADDED = 0x8 };

static time_t started;
static long serving_after;

static void stop(int s) {
  (void)s;
  _exit(0);
}

static int readn(int fd, unsigned char *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, buf + got, n - got);
    if (r <= 0) return -1;
    got += (size_t)r;
  }
  return 0;
}

static int writen(int fd, const unsigned char *buf, size_t n) {
  size_t put = 0;
  while (put < n) {
    ssize_t w = write(fd, buf + put, n - put);
    if (w <= 0) return -1;
    put += (size_t)w;
  }
  return 0;
}

static int frame(int fd, int type, int flags, uint32_t stream, const unsigned char *p, size_t n) {
  unsigned char h[9] = {(unsigned char)(n >> 16), (unsigned char)(n >> 8), (unsigned char)n,
                        (unsigned char)type,      (unsigned char)flags,    (unsigned char)((stream >> 24) & 0x7f),
                        (unsigned char)(stream >> 16), (unsigned char)(stream >> 8), (unsigned char)stream};
  if (writen(fd, h, 9) != 0) return -1;
  return n == 0 ? 0 : writen(fd, p, n);
}

/* HPACK "literal header field without indexing, new name"; names and values < 127 bytes. */
static size_t literal(unsigned char *out, const char *name, const char *value) {
  size_t n = strlen(name), v = strlen(value), i = 0;
  out[i++] = 0x00;
  out[i++] = (unsigned char)n;
  memcpy(out + i, name, n);
  i += n;
  out[i++] = (unsigned char)v;
  memcpy(out + i, value, v);
  return i + v;
}

/* The service field (1) of a HealthCheckRequest message; its length, or -1 if malformed. */
static long service_length(const unsigned char *m, size_t n) {
  size_t i = 0;
  long len = 0;
  while (i < n) {
    unsigned char tag = m[i++];
    if (tag != 0x0a || i >= n) return -1;
    size_t l = 0;
    int shift = 0;
    while (i < n && (m[i] & 0x80)) l |= (size_t)(m[i++] & 0x7f) << shift, shift += 7;
    if (i >= n) return -1;
    l |= (size_t)m[i++] << shift;
    if (l > n - i) return -1;
    i += l;
    len = (long)l;
  }
  return len;
}

static int respond(int fd, uint32_t stream, const unsigned char *req, size_t n) {
  unsigned char hb[128], tb[128];
  size_t h = 0, t = 0;
  hb[h++] = 0x88; /* :status 200, static table entry 8 */
  h += literal(hb + h, "content-type", "application/grpc");
  if (frame(fd, HEADERS, END_HEADERS, stream, hb, h) != 0) return -1;
  long service = n >= 5 && req[0] == 0 ? service_length(req + 5, n - 5) : -1;
  if (service == 0) {
    int status = time(NULL) - started >= serving_after ? 1 : 2; /* SERVING : NOT_SERVING */
    unsigned char msg[7] = {0, 0, 0, 0, 2, 0x08, (unsigned char)status};
    if (frame(fd, DATA, 0, stream, msg, sizeof msg) != 0) return -1;
    t += literal(tb + t, "grpc-status", "0");
  } else if (service > 0) {
    t += literal(tb + t, "grpc-status", "5");
    t += literal(tb + t, "grpc-message", "unknown service");
  } else {
    t += literal(tb + t, "grpc-status", "13");
    t += literal(tb + t, "grpc-message", "malformed request");
  }
  return frame(fd, HEADERS, END_HEADERS | END_STREAM, stream, tb, t);
}

static void serve(int fd) {
  static unsigned char buf[1 << 14], req[4096];
  size_t reqlen = 0;
  if (readn(fd, buf, 24) != 0 || memcmp(buf, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24) != 0) return;
  if (frame(fd, SETTINGS, 0, 0, NULL, 0) != 0) return;
  for (;;) {
    unsigned char h[9];
    if (readn(fd, h, 9) != 0) return;
    size_t len = (size_t)h[0] << 16 | (size_t)h[1] << 8 | h[2];
    int type = h[3], flags = h[4];
    uint32_t stream = (uint32_t)(h[5] & 0x7f) << 24 | (uint32_t)h[6] << 16 | (uint32_t)h[7] << 8 | h[8];
    if (len > sizeof buf || readn(fd, buf, len) != 0) return;
    if (type == SETTINGS && !(flags & ACK)) {
      if (frame(fd, SETTINGS, ACK, 0, NULL, 0) != 0) return;
    } else if (type == PING && !(flags & ACK)) {
      if (frame(fd, PING, ACK, 0, buf, len) != 0) return;
    } else if (type == GOAWAY) {
      return;
    } else if (type == HEADERS) {
      reqlen = 0;
    } else if (type == DATA) {
      size_t off = 0, pad = 0;
      if (flags & PADDED) {
        if (len < 1) return;
        pad = buf[0];
        off = 1;
      }
      if (off + pad > len) return;
      size_t n = len - off - pad;
      if (reqlen + n > sizeof req) return;
      memcpy(req + reqlen, buf + off, n);
      reqlen += n;
      if (flags & END_STREAM) {
        if (respond(fd, stream, req, reqlen) != 0) return;
        reqlen = 0;
      }
    }
  }
}

int main(int argc, char **argv) {
  int port = argc > 1 ? atoi(argv[1]) : 9090;
  serving_after = argc > 2 ? atol(argv[2]) : 0;
  started = time(NULL);
  signal(SIGTERM, stop);
  signal(SIGINT, stop);
  signal(SIGCHLD, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  int s = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  if (bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 16) != 0) {
    perror("grpc-health-server");
    return 1;
  }
  printf("grpc-health-server: listening on %d, SERVING after %lds\n", port, serving_after);
  fflush(stdout);
  for (;;) {
    int c = accept(s, NULL, NULL);
    if (c < 0) continue;
    if (fork() == 0) {
      close(s);
      serve(c);
      _exit(0);
    }
    close(c);
  }
}
