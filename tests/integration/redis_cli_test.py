"""redis-cli against sessiond, compared with the same runs against redis-server.

Each redis-cli invocation is run against both servers (which see the same
sequence of commands, so hold the same data); stdout and the exit status
must match. A few outputs are also checked against their known text, so the
test fails even if both servers were wrong the same way.
"""

import subprocess

import harness

CLI_DEADLINE_S = 300  # only keeps a stuck server from hanging the test
PIPE_COMMANDS = 100000


def cli(server, args, stdin=b''):
    p = subprocess.run([harness.redis_cli_path(), '-h', '127.0.0.1', '-p', str(server.port)] + args,
                       input=stdin, capture_output=True, timeout=CLI_DEADLINE_S)
    return p.returncode, p.stdout


def pipe_input():
    out = []
    for i in range(PIPE_COMMANDS):
        k, v = b'pipe:%d' % i, b'value:%d' % i
        out.append(b'*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n' % (len(k), k, len(v), v))
    return b''.join(out)


# (description, args, stdin, normalise, known stdout or None)
def sorted_lines(out):
    return b'\n'.join(sorted(set(out.splitlines())))


def same(out):
    return out


CASES = [
    ('PING', ['PING'], b'', same, b'PONG\n'),
    ('SET a b', ['SET', 'a', 'b'], b'', same, b'OK\n'),
    ('GET a', ['GET', 'a'], b'', same, b'b\n'),
    ('GET a --no-raw', ['--no-raw', 'GET', 'a'], b'', same, b'"b"\n'),
    ('GET missing --no-raw', ['--no-raw', 'GET', 'missing'], b'', same, b'(nil)\n'),
    ('GET missing', ['GET', 'missing'], b'', same, b'\n'),
    ('INCR n', ['INCR', 'n'], b'', same, b'1\n'),
    ('INCR n --no-raw', ['--no-raw', 'INCR', 'n'], b'', same, b'(integer) 2\n'),
    ('INCRBY n 40', ['INCRBY', 'n', '40'], b'', same, b'42\n'),
    ('INCR a (error)', ['INCR', 'a'], b'', same, None),
    ('INCR a (error) --no-raw', ['--no-raw', 'INCR', 'a'], b'', same, None),
    ('unknown command', ['NOSUCH', 'x'], b'', same, None),
    ('wrong arity', ['GET'], b'', same, None),
    ('SET with spaces', ['SET', 'sp', 'hello world'], b'', same, b'OK\n'),
    ('GET with spaces --no-raw', ['--no-raw', 'GET', 'sp'], b'', same, b'"hello world"\n'),
    ('MSET', ['MSET', 'm1', 'x', 'm2', 'y'], b'', same, b'OK\n'),
    ('MGET --no-raw', ['--no-raw', 'MGET', 'm1', 'missing', 'm2'], b'', same,
     b'1) "x"\n2) (nil)\n3) "y"\n'),
    ('MGET raw', ['MGET', 'm1', 'missing', 'm2'], b'', same, b'x\n\ny\n'),
    ('EXPIRE + TTL of persistent key', ['TTL', 'a'], b'', same, b'-1\n'),
    ('ECHO', ['ECHO', 'hi there'], b'', same, b'hi there\n'),
    ('piped stdin', [], b'SET x 1\nGET x\n', same, b'OK\n1\n'),
    ('piped stdin, more commands', [], b'INCR x\nINCRBY x 10\nDEL x\nEXISTS x\n', same,
     b'2\n12\n1\n0\n'),
    ('db 3 via -n', ['-n', '3', 'SET', 'in3', 'yes'], b'', same, b'OK\n'),
    ('db 3 GET', ['-n', '3', 'GET', 'in3'], b'', same, b'yes\n'),
    ('db 0 does not see db 3', ['GET', 'in3'], b'', same, b'\n'),
    ('-x reads the last argument from stdin', ['-x', 'SET', 'fromstdin'], b'abc\x00def', same,
     b'OK\n'),
    ('GET binary --no-raw', ['--no-raw', 'GET', 'fromstdin'], b'', same, b'"abc\\x00def"\n'),
    ('--pipe 100k SETs', ['--pipe'], pipe_input(), same, None),
    ('DBSIZE after pipe', ['DBSIZE'], b'', same, None),
    ('GET a piped key', ['GET', 'pipe:99999'], b'', same, b'value:99999\n'),
    ('keys for --scan', ['MSET'] + [x for i in range(500) for x in ('k:%d' % i, str(i))]
     + ['other:1', '1', 'k', '1', 'xk:1', '1'], b'', same, b'OK\n'),
    ('--scan --pattern k:*', ['--scan', '--pattern', 'k:*'], b'', sorted_lines,
     b'\n'.join(sorted(b'k:%d' % i for i in range(500)))),
    ('--scan --pattern k:1?', ['--scan', '--pattern', 'k:1?'], b'', sorted_lines,
     b'\n'.join(sorted(b'k:1%d' % i for i in range(10)))),
    ('--scan --pattern other*', ['--scan', '--pattern', 'other*'], b'', sorted_lines, b'other:1'),
    ('KEYS k:4?? sorted', ['KEYS', 'k:4??'], b'', sorted_lines,
     b'\n'.join(sorted(b'k:%d' % i for i in range(400, 500)))),
    ('FLUSHALL', ['FLUSHALL'], b'', same, b'OK\n'),
    ('DBSIZE after FLUSHALL', ['DBSIZE'], b'', same, b'0\n'),
]


def main():
    res = harness.Results('redis_cli')
    sess = red = None
    try:
        sess = harness.start_sessiond()
        red = harness.start_redis()
        for name, args, stdin, norm, known in CASES:
            rc_a, out_a = cli(sess, args, stdin)
            rc_b, out_b = cli(red, args, stdin)
            res.check(norm(out_a) == norm(out_b) and rc_a == rc_b, 'redis-cli %s: same as redis' % name,
                      'sessiond rc=%d %r\n  redis    rc=%d %r' % (rc_a, out_a[:400], rc_b, out_b[:400]))
            if known is not None:
                res.eq(norm(out_a), known, 'redis-cli %s: expected output from sessiond' % name)
            if args == ['--pipe']:
                res.check(b'errors: 0, replies: %d' % PIPE_COMMANDS in out_a,
                          'redis-cli --pipe: errors: 0, replies: %d' % PIPE_COMMANDS, repr(out_a))
            if args == ['DBSIZE'] and name == 'DBSIZE after pipe':
                # db 0 held a, n, sp, m1, m2, fromstdin before the pipe.
                res.eq(out_a, b'%d\n' % (PIPE_COMMANDS + 6), 'DBSIZE counts the piped keys')
        res.check(sess.alive(), 'sessiond still running')
    except (OSError, subprocess.SubprocessError, harness.ServerError) as e:
        res.fail('redis-cli run', repr(e))
    finally:
        harness.stop_all(res, sess, red)
    res.finish()


if __name__ == '__main__':
    main()
