/* hiredis (libhiredis, Debian's) against the server on 127.0.0.1:PORT.
 *   hiredis_client PORT
 * Binary-safe SET/GET (values and keys holding NUL and CRLF bytes),
 * pipelined commands, and each RESP2 reply type hiredis decodes (status,
 * integer, nil, bulk, array, error), checking every reply. Prints the
 * hiredis version, one "FAIL: ..." line per failed check, then
 * "N passed, N failed"; exits 1 on any failure. */
#include <hiredis/hiredis.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed;
static int failed;

static void Check(int cond, const char *fmt, ...) {
  if (cond) {
    passed++;
    return;
  }
  failed++;
  va_list ap;
  va_start(ap, fmt);
  fputs("FAIL: ", stdout);
  vprintf(fmt, ap);
  fputc('\n', stdout);
  va_end(ap);
}

static const char *TypeName(const redisReply *r) {
  if (r == NULL) return "(no reply)";
  switch (r->type) {
    case REDIS_REPLY_STRING: return "string";
    case REDIS_REPLY_ARRAY: return "array";
    case REDIS_REPLY_INTEGER: return "integer";
    case REDIS_REPLY_NIL: return "nil";
    case REDIS_REPLY_STATUS: return "status";
    case REDIS_REPLY_ERROR: return "error";
    default: return "other";
  }
}

/* Checks that `r` is a status/string/error reply of exactly `len` bytes `want`. */
static void CheckStr(const redisReply *r, int type, const char *want, size_t len, const char *what) {
  int ok = r != NULL && r->type == type && r->len == len && memcmp(r->str, want, len) == 0;
  Check(ok, "%s: got %s %.*s", what, TypeName(r), r && r->str ? (int)r->len : 0, r && r->str ? r->str : "");
}

static void CheckInt(const redisReply *r, long long want, const char *what) {
  Check(r != NULL && r->type == REDIS_REPLY_INTEGER && r->integer == want, "%s: got %s %lld want %lld",
        what, TypeName(r), r ? r->integer : 0, want);
}

/* Error replies: the text must start with `prefix` (Redis's exact wording). */
static void CheckErr(const redisReply *r, const char *prefix, const char *what) {
  Check(r != NULL && r->type == REDIS_REPLY_ERROR && strncmp(r->str, prefix, strlen(prefix)) == 0,
        "%s: got %s %s", what, TypeName(r), r && r->str ? r->str : "");
}

static redisReply *Cmd(redisContext *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  redisReply *r = redisvCommand(c, fmt, ap);
  va_end(ap);
  if (r == NULL) {
    printf("FAIL: connection error: %s\n", c->errstr);
    failed++;
  }
  return r;
}

/* Number of pipelined commands: enough to span many socket reads/writes. */
enum { kPipelined = 2000 };

static void Run(redisContext *c) {
  redisReply *r;

  r = Cmd(c, "PING");
  CheckStr(r, REDIS_REPLY_STATUS, "PONG", 4, "PING");
  freeReplyObject(r);

  /* Binary-safe keys and values: NUL, CR, LF, 0xff. */
  static const char kKey[] = "hi:key\0with\r\nbytes";
  static const char kVal[] = "\0a\r\nb\0\r\n\xff\r";
  const size_t key_len = sizeof kKey - 1, val_len = sizeof kVal - 1;
  r = Cmd(c, "SET %b %b EX 100", kKey, key_len, kVal, val_len);
  CheckStr(r, REDIS_REPLY_STATUS, "OK", 2, "SET binary key and value EX 100");
  freeReplyObject(r);
  r = Cmd(c, "GET %b", kKey, key_len);
  CheckStr(r, REDIS_REPLY_STRING, kVal, val_len, "GET binary value");
  freeReplyObject(r);
  r = Cmd(c, "STRLEN %b", kKey, key_len);
  CheckInt(r, (long long)val_len, "STRLEN of the binary value");
  freeReplyObject(r);
  r = Cmd(c, "GET %b", kKey, key_len - 1); /* a prefix of the key is another key */
  Check(r != NULL && r->type == REDIS_REPLY_NIL, "GET key prefix is nil: got %s", TypeName(r));
  freeReplyObject(r);
  r = Cmd(c, "TTL %b", kKey, key_len);
  Check(r != NULL && r->type == REDIS_REPLY_INTEGER && r->integer > 0 && r->integer <= 100,
        "TTL within (0, 100]: got %s %lld", TypeName(r), r ? r->integer : 0);
  freeReplyObject(r);

  /* A 1 MiB value with every byte value. */
  size_t big_len = 1u << 20;
  char *big = malloc(big_len);
  for (size_t i = 0; i < big_len; i++) big[i] = (char)(i * 131 + 7);
  r = Cmd(c, "SET hi:big %b", big, big_len);
  CheckStr(r, REDIS_REPLY_STATUS, "OK", 2, "SET 1 MiB binary value");
  freeReplyObject(r);
  r = Cmd(c, "GET hi:big");
  Check(r != NULL && r->type == REDIS_REPLY_STRING && r->len == big_len && memcmp(r->str, big, big_len) == 0,
        "GET 1 MiB binary value round-trips: got %s len %zu", TypeName(r), r ? r->len : 0);
  freeReplyObject(r);
  free(big);

  /* Empty value. */
  r = Cmd(c, "SET hi:empty %b", "", (size_t)0);
  CheckStr(r, REDIS_REPLY_STATUS, "OK", 2, "SET empty value");
  freeReplyObject(r);
  r = Cmd(c, "GET hi:empty");
  CheckStr(r, REDIS_REPLY_STRING, "", 0, "GET empty value is an empty string, not nil");
  freeReplyObject(r);

  /* Integer, nil, array, error replies. */
  r = Cmd(c, "INCR hi:n");
  CheckInt(r, 1, "INCR on a new key");
  freeReplyObject(r);
  r = Cmd(c, "INCRBY hi:n -11");
  CheckInt(r, -10, "INCRBY -11");
  freeReplyObject(r);
  r = Cmd(c, "GET hi:missing");
  Check(r != NULL && r->type == REDIS_REPLY_NIL, "GET missing is nil: got %s", TypeName(r));
  freeReplyObject(r);
  r = Cmd(c, "MGET hi:n hi:missing %b", kKey, key_len);
  int ok = r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 3 &&
           r->element[0]->type == REDIS_REPLY_STRING && strcmp(r->element[0]->str, "-10") == 0 &&
           r->element[1]->type == REDIS_REPLY_NIL && r->element[2]->type == REDIS_REPLY_STRING &&
           r->element[2]->len == val_len && memcmp(r->element[2]->str, kVal, val_len) == 0;
  Check(ok, "MGET: array [\"-10\", nil, binary]: got %s of %zu", TypeName(r), r ? r->elements : 0);
  freeReplyObject(r);
  r = Cmd(c, "MGET hi:missing");
  Check(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 1 && r->element[0]->type == REDIS_REPLY_NIL,
        "MGET of one missing key: array [nil]: got %s", TypeName(r));
  freeReplyObject(r);
  r = Cmd(c, "KEYS hi:nothing*");
  Check(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 0, "KEYS with no match: empty array: got %s",
        TypeName(r));
  freeReplyObject(r);
  r = Cmd(c, "INCR %b", kKey, key_len);
  CheckErr(r, "ERR value is not an integer or out of range", "INCR on a binary value");
  freeReplyObject(r);
  r = Cmd(c, "NOSUCHCOMMAND a b");
  CheckErr(r, "ERR unknown command 'NOSUCHCOMMAND'", "unknown command");
  freeReplyObject(r);
  r = Cmd(c, "GET");
  CheckErr(r, "ERR wrong number of arguments for 'get' command", "GET without a key");
  freeReplyObject(r);
  r = Cmd(c, "SET hi:x y EX 0");
  CheckErr(r, "ERR invalid expire time in 'set' command", "SET EX 0");
  freeReplyObject(r);
  r = Cmd(c, "PING");
  CheckStr(r, REDIS_REPLY_STATUS, "PONG", 4, "connection usable after errors");
  freeReplyObject(r);

  /* Pipelining: every command is buffered first, then the replies are read
   * in order. SET, INCR and GET interleaved, plus an error in the middle. */
  for (int i = 0; i < kPipelined; i++) {
    redisAppendCommand(c, "SET hi:p:%d %d", i, i);
    redisAppendCommand(c, "INCR hi:p:%d", i);
    redisAppendCommand(c, "GET hi:p:%d", i);
    if (i == kPipelined / 2) redisAppendCommand(c, "INCR %b", kKey, key_len);
  }
  redisAppendCommand(c, "DBSIZE");
  int pipe_bad = 0;
  for (int i = 0; i < kPipelined && pipe_bad < 5; i++) {
    char want[32];
    void *v = NULL;
    int bad = 0;
    if (redisGetReply(c, &v) != REDIS_OK) {
      Check(0, "pipelined reply %d: %s", i, c->errstr);
      return;
    }
    r = v;
    bad |= !(r->type == REDIS_REPLY_STATUS && strcmp(r->str, "OK") == 0);
    freeReplyObject(r);
    if (redisGetReply(c, &v) != REDIS_OK) break;
    r = v;
    bad |= !(r->type == REDIS_REPLY_INTEGER && r->integer == i + 1);
    freeReplyObject(r);
    if (redisGetReply(c, &v) != REDIS_OK) break;
    r = v;
    snprintf(want, sizeof want, "%d", i + 1);
    bad |= !(r->type == REDIS_REPLY_STRING && strcmp(r->str, want) == 0);
    freeReplyObject(r);
    if (i == kPipelined / 2) {
      if (redisGetReply(c, &v) != REDIS_OK) break;
      r = v;
      bad |= !(r->type == REDIS_REPLY_ERROR);
      freeReplyObject(r);
    }
    if (bad) {
      pipe_bad++;
      Check(0, "pipelined SET/INCR/GET of hi:p:%d", i);
    }
  }
  Check(pipe_bad == 0, "all %d pipelined SET/INCR/GET triples answered in order", kPipelined);
  void *v = NULL;
  if (redisGetReply(c, &v) == REDIS_OK) {
    /* db 0 holds: the binary key, hi:big, hi:empty, hi:n and the pipelined keys. */
    CheckInt(v, kPipelined + 4, "DBSIZE after the pipeline");
    freeReplyObject(v);
  } else {
    Check(0, "DBSIZE reply: %s", c->errstr);
  }

  r = Cmd(c, "DEL %b hi:big hi:empty hi:n hi:missing", kKey, key_len);
  CheckInt(r, 4, "DEL counts the removed keys");
  freeReplyObject(r);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s PORT\n", argv[0]);
    return 2;
  }
  printf("client: hiredis %d.%d.%d\n", HIREDIS_MAJOR, HIREDIS_MINOR, HIREDIS_PATCH);
  /* Generous: only keeps a broken server from hanging the test. */
  struct timeval timeout = {60, 0};
  redisContext *c = redisConnectWithTimeout("127.0.0.1", atoi(argv[1]), timeout);
  if (c == NULL || c->err) {
    printf("FAIL: connect: %s\n", c ? c->errstr : "out of memory");
    printf("0 passed, 1 failed\n");
    return 1;
  }
  redisSetTimeout(c, timeout);
  Run(c);
  redisFree(c);
  printf("%d passed, %d failed\n", passed, failed);
  return failed || !passed ? 1 : 0;
}
