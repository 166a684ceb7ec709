"""Protocol errors: each malformed input is sent to sessiond and to a real
redis-server on a fresh connection. The bytes the server sends before it
closes must be identical, and both must close (or both stay open, proven by
a PING answered after the bad input). After every case a new connection must
still get +PONG, so one bad client cannot take the server down.
"""

import socket

import harness
from harness import encode

BIG = 70 * 1024  # above Redis's 64 KB PROTO_INLINE_MAX_SIZE

# (name, bytes). The connection is expected to be closed by both servers.
CLOSING = [
    ('invalid multibulk length', b'*abc\r\n'),
    ('multibulk length overflows int', b'*2147483648\r\n'),
    ('invalid bulk length', b'*1\r\n$abc\r\n'),
    ('negative bulk length', b'*1\r\n$-5\r\n'),
    ('bulk length -1 in a request', b'*1\r\n$-1\r\n'),
    ("expected '$', got 'x'", b'*1\r\nx\r\n'),
    ("expected '$', got ':'", b'*2\r\n$3\r\nGET\r\n:1\r\n'),
    ('unbalanced double quotes', b'"unbalanced\r\n'),
    ('unbalanced single quotes', b"'abc\r\n"),
    ('closing quote not followed by space', b'SET "a"b c\r\n'),
    ('too big inline request', b'a' * BIG),
    ('too big mbulk count string', b'*' + b'1' * BIG),
    ('too big bulk count string', b'*1\r\n$' + b'1' * BIG),
    ('bulk length above default proto-max-bulk-len', b'*2\r\n$3\r\nGET\r\n$536870913\r\n'),
    ('pipelined commands before an error',
     encode('SET', 'pp', '1') + b'PING\r\n' + encode('GET', 'pp') + b'*abc\r\n'),
    ('pipelined commands before a bulk error',
     b'PING\r\n' + encode('ECHO', 'x') + b'*1\r\n$abc\r\n' + b'PING\r\n'),
]

# (name, bytes). No reply to these; the connection stays open, so a PING
# sent right after must be the next thing answered.
STAYING = [
    ('empty multibulk *0', b'*0\r\n'),
    ('null multibulk *-1', b'*-1\r\n'),
    ('empty line', b'\r\n'),
    ('empty line LF only', b'\n'),
    ('blank inline line', b'   \r\n'),
    ('several empty requests', b'*0\r\n\r\n*-1\r\n\r\n'),
    ('$ at top level is an inline command', b'$3\r\n'),
]

# Against servers started with a small proto-max-bulk-len / query-buffer limit.
# OK cases are (name, bytes, number of replies) and must be answered alike.
LIMIT = 1048576  # Redis's minimum for both settings
BULK_LIMIT_CLOSING = [
    ('bulk length above configured proto-max-bulk-len',
     b'*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$%d\r\n' % (LIMIT + 1)),
]
BULK_LIMIT_OK = [
    ('bulk of exactly proto-max-bulk-len', encode('SET', 'k', 'y' * LIMIT) + encode('STRLEN', 'k'), 2),
]
# Redis closes without a reply once one request outgrows the query buffer.
QUERY_LIMIT_CLOSING = [
    ('one 3 MB argument above client-query-buffer-limit', encode('SET', 'k', 'x' * (3 * LIMIT))),
]
QUERY_LIMIT_OK = [
    ('8 pipelined requests of half the query-buffer limit each',
     encode('SET', 'k', 'x' * (LIMIT // 2)) * 7 + encode('STRLEN', 'k'), 8),
]

CONFIGS = [
    ({}, CLOSING, STAYING, []),
    ({'proto-max-bulk-len': LIMIT}, BULK_LIMIT_CLOSING, [], BULK_LIMIT_OK),
    ({'client-query-buffer-limit': LIMIT}, QUERY_LIMIT_CLOSING, [], QUERY_LIMIT_OK),
]


def send_quietly(client, data):
    """Sends; a server that closes mid-send (EPIPE/RST) is fine here."""
    try:
        client.send(data)
    except OSError:
        pass


def closing_case(res, servers, name, data):
    out = {}
    for s in servers:
        c = s.client()
        try:
            send_quietly(c, data)
            out[s.name] = c.read_until_close()
        finally:
            c.close()
    (a, ca), (b, cb) = out['sessiond'], out['redis']
    res.check(a == b, '%s: bytes before close' % name,
              'sessiond %r\n  redis    %r' % (a[:300], b[:300]))
    res.check(ca == cb, '%s: both close' % name,
              'sessiond closed=%s redis closed=%s' % (ca, cb))


def staying_case(res, servers, name, data):
    out = {}
    for s in servers:
        c = s.client()
        try:
            send_quietly(c, data + b'PING\r\n')
            try:
                out[s.name] = c.read_reply()
                # Still open: a second command gets its own reply.
                out[s.name] += c.cmd('ECHO', 'still open')
            except (OSError, harness.ProtocolError) as e:
                out[s.name] = ('<%s: %s>' % (type(e).__name__, e)).encode()
        finally:
            c.close()
    res.check(out['sessiond'] == out['redis'], '%s: no reply, stays open, PING answered' % name,
              'sessiond %r\n  redis    %r' % (out['sessiond'][:300], out['redis'][:300]))


def ok_case(res, servers, name, data, nreplies):
    out = {}
    for s in servers:
        c = s.client()
        try:
            c.send(data)
            out[s.name] = b''.join(c.read_reply() for _ in range(nreplies))
        except (OSError, harness.ProtocolError) as e:
            out[s.name] = ('<%s: %s>' % (type(e).__name__, e)).encode()
        finally:
            c.close()
    res.check(out['sessiond'] == out['redis'], '%s: same reply' % name,
              'sessiond %r\n  redis    %r' % (out['sessiond'][:300], out['redis'][:300]))


def still_serving(res, servers, name):
    for s in servers:
        try:
            c = s.client()
            try:
                reply = c.cmd('PING')
            finally:
                c.close()
        except (OSError, harness.ProtocolError) as e:
            reply = repr(e).encode()
        res.eq(reply, b'+PONG\r\n', '%s serves new clients after %s' % (s.name, name))


def run(res, servers, closing, staying, ok):
    for name, data in closing:
        closing_case(res, servers, name, data)
        still_serving(res, servers, name)
    for name, data in staying:
        staying_case(res, servers, name, data)
        still_serving(res, servers, name)
    for name, data, nreplies in ok:
        ok_case(res, servers, name, data, nreplies)
        still_serving(res, servers, name)


def main():
    res = harness.Results('protocol_errors')
    servers = []
    try:
        for opts, closing, staying, ok in CONFIGS:
            print('servers with options %r' % opts)
            servers.append(harness.start_sessiond(opts))
            servers.append(harness.start_redis(opts))
            run(res, servers, closing, staying, ok)
            harness.stop_all(res, *servers)
            servers = []
    except harness.ServerError as e:
        res.fail('server start', str(e))
    finally:
        harness.stop_all(res, *servers)
    res.finish()


if __name__ == '__main__':
    main()
