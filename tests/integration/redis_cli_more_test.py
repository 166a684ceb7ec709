"""redis-cli and redis-benchmark features beyond redis_cli_test.py, against
the server under test (SESSIOND=/usr/bin/redis-server runs them on Redis).

One-shot commands (-r, -e, --csv), RESP3 (-3), --pipe with 1,000,000
commands, --scan over its keys, --bigkeys, --memkeys, piped non-tty input
with quoting, and redis-benchmark runs whose output must hold no warning
and no error. Expected outputs are the ones redis-cli prints against
redis-server 7.0.
"""

import re
import subprocess

import harness

CLI_DEADLINE_S = 600  # only keeps a stuck server from hanging the test
PIPE_COMMANDS = 1000000
PIPE_KEYS = 1000  # --pipe INCRs each of these counters PIPE_COMMANDS / PIPE_KEYS times


def cli(srv, args, stdin=b''):
    p = subprocess.run([harness.redis_cli_path(), '-h', '127.0.0.1', '-p', str(srv.port)] + args,
                       input=stdin, capture_output=True, timeout=CLI_DEADLINE_S)
    return p.returncode, p.stdout, p.stderr


def benchmark_path():
    return harness.redis_cli_path().replace('redis-cli', 'redis-benchmark')


def pipe_input():
    one = []
    for i in range(PIPE_KEYS):
        k = b'pipe:%d' % i
        one.append(b'*2\r\n$4\r\nINCR\r\n$%d\r\n%s\r\n' % (len(k), k))
    return b''.join(one) * (PIPE_COMMANDS // PIPE_KEYS)


def run(res, srv):
    def ok(args, want, what, stdin=b'', rc=0):
        got_rc, out, err = cli(srv, args, stdin)
        res.check(out == want and got_rc == rc, 'redis-cli %s' % what,
                  'rc=%d (want %d) stdout %r (want %r) stderr %r' % (got_rc, rc, out[:300], want, err[:300]))
        return out

    ok(['FLUSHALL'], b'OK\n', 'FLUSHALL')
    # One-shot commands.
    ok(['SET', 'k', 'v', 'EX', '100'], b'OK\n', 'SET k v EX 100')
    _, out, _ = cli(srv, ['TTL', 'k'])
    res.check(out.strip().isdigit() and 0 < int(out) <= 100, 'redis-cli TTL k within (0, 100]', repr(out))
    ok(['-r', '3', 'INCR', 'c'], b'1\n2\n3\n', '-r 3 INCR c (repeat)')
    ok(['--csv', 'MGET', 'k', 'missing', 'c'], b'"v",NULL,"3"\n', '--csv MGET')
    ok(['-e', 'INCR', 'k'], b'', '-e INCR on a string exits 1', rc=1)
    _, _, err = cli(srv, ['-e', 'INCR', 'k'])
    res.eq(err, b'ERR value is not an integer or out of range\n', 'redis-cli -e prints the error on stderr')
    ok(['--no-raw', 'SETEX', 'sx', '100', 'v'], b'OK\n', 'SETEX (--no-raw)')
    ok(['--no-raw', 'DEL', 'sx', 'missing'], b'(integer) 1\n', 'DEL (--no-raw)')

    # RESP3: redis-cli -3 sends HELLO 3 and renders RESP3 types.
    ok(['-3', '--no-raw', 'GET', 'missing'], b'(nil)\n', '-3 GET missing')
    ok(['-3', '--no-raw', 'GET', 'k'], b'"v"\n', '-3 GET k')
    ok(['-3', '--no-raw', 'INCR', 'c'], b'(integer) 4\n', '-3 INCR c')
    ok(['-3', '--no-raw', 'CONFIG', 'GET', 'maxclients'], b'1# "maxclients" => "10000"\n',
       '-3 CONFIG GET maxclients (a RESP3 map)')
    _, out, _ = cli(srv, ['-3', 'HELLO', '3'])
    res.check(b'\nproto 3\n' in out, 'redis-cli -3 HELLO 3: proto 3', repr(out[:300]))

    # Piped (non-tty) input with quoting, a blank line and an error.
    # (redis-cli 7.0 prints an empty line after an error reply read from a pipe.)
    ok([], b'OK\nhello world\n\nOK\nERR value is not an integer or out of range\n\n3\n',
       'piped input with quotes, an empty value and an error',
       stdin=b'SET "a b" "hello world"\nGET "a b"\n\nGET nokey\nSET q \'\'\nINCR q\nSTRLEN "a b"\n'
             .replace(b'STRLEN "a b"', b'EXISTS "a b" k c'))

    # --pipe: 1,000,000 INCRs on 1000 counters.
    rc, out, err = cli(srv, ['--pipe'], pipe_input())
    res.check(rc == 0 and b'errors: 0, replies: %d' % PIPE_COMMANDS in out,
              'redis-cli --pipe: errors: 0, replies: %d' % PIPE_COMMANDS, repr(out[-300:]) + repr(err[-300:]))
    _, out, _ = cli(srv, ['MGET'] + ['pipe:%d' % i for i in range(0, PIPE_KEYS, 111)])
    want = b''.join(b'%d\n' % (PIPE_COMMANDS // PIPE_KEYS) for _ in range(0, PIPE_KEYS, 111))
    res.eq(out, want, 'every piped INCR counted')
    _, out, _ = cli(srv, ['--scan', '--pattern', 'pipe:9*'])
    res.eq(sorted(out.split()), sorted(b'pipe:%d' % i for i in range(PIPE_KEYS) if str(i).startswith('9')),
           'redis-cli --scan --pattern pipe:9* over 1000 keys')
    ok(['DEL'] + ['pipe:%d' % i for i in range(PIPE_KEYS)], b'%d\n' % PIPE_KEYS, 'DEL the piped counters')

    # --bigkeys / --memkeys over a small known keyspace.
    ok(['SET', 'big', 'x' * 3000], b'OK\n', 'SET a 3000-byte value')
    rc, out, err = cli(srv, ['--bigkeys'])
    res.check(rc == 0 and b'Biggest string found \'"big"\' has 3000 bytes' in out,
              'redis-cli --bigkeys finds the biggest string', repr(out[-600:]) + repr(err[-300:]))
    res.check(b'Sampled 5 keys in the keyspace!' in out, 'redis-cli --bigkeys samples every key',
              repr(out[-600:]))
    rc, out, err = cli(srv, ['--memkeys'])
    m = re.search(rb'Biggest string found \'"big"\' has (\d+) bytes', out)
    res.check(rc == 0 and m is not None and int(m.group(1)) >= 3000,
              'redis-cli --memkeys: the 3000-byte value is the biggest by MEMORY USAGE',
              repr(out[-600:]) + repr(err[-300:]))


def run_benchmark(res, srv):
    for args in (['-q', '-n', '20000', '-c', '8', '-t', 'set,get,incr'],
                 ['-q', '-n', '50000', '-c', '4', '-P', '16', '-t', 'set,get'],
                 ['--csv', '-n', '5000', '-c', '2', '-t', 'set']):
        p = subprocess.run([benchmark_path(), '-h', '127.0.0.1', '-p', str(srv.port)] + args,
                           capture_output=True, timeout=CLI_DEADLINE_S, stdin=subprocess.DEVNULL)
        text = p.stdout + p.stderr
        what = 'redis-benchmark %s' % ' '.join(args)
        res.eq(p.returncode, 0, what + ': exit 0')
        res.check(b'WARNING' not in text and b'ERR' not in text, what + ': no WARNING, no ERR',
                  repr(text[-800:]))
        tests = [t.upper().encode() for t in args[args.index('-t') + 1].split(',')]
        for t in tests:
            res.check(re.search(rb'(^|\r|")' + t + rb'(: [0-9.]+ requests per second|",")', text, re.M)
                      is not None, '%s: a result for %s' % (what, t.decode()), repr(text[-400:]))


def main():
    res = harness.Results('redis_cli_more')
    srv = None
    try:
        v = subprocess.run([harness.redis_cli_path(), '--version'], capture_output=True, text=True).stdout
        print('client: %s' % v.strip(), flush=True)
        v = subprocess.run([benchmark_path(), '--version'], capture_output=True, text=True).stdout
        print('client: %s' % v.strip(), flush=True)
        srv = harness.Server(harness.sessiond_path()).start()
        print('server: %s' % srv.name, flush=True)
        run(res, srv)
        run_benchmark(res, srv)
        res.check(srv.alive(), 'server still running')
    except (OSError, subprocess.SubprocessError, harness.ServerError) as e:
        res.fail('redis-cli run', repr(e))
    finally:
        harness.stop_all(res, srv)
    res.finish()


if __name__ == '__main__':
    main()
