"""hiredis (the C client library, Debian's libhiredis) against the server under test.

Runs tests/clients/hiredis_client.c (built by meson; path in $HIREDIS_CLIENT)
against a server started on a free loopback port and counts its checks:
binary-safe keys and values (NUL, CRLF), a 1 MiB value, pipelining, and
each reply type. SESSIOND=/usr/bin/redis-server runs it against Redis.
"""

import os
import re
import subprocess

import harness

CLIENT_DEADLINE_S = 300  # only keeps a stuck server from hanging the suite
SUMMARY = re.compile(rb'^(\d+) passed, (\d+) failed$', re.M)


def client_path():
    return os.environ.get('HIREDIS_CLIENT') or os.path.join(harness.REPO, 'build', 'tests', 'clients',
                                                            'hiredis_client')


def main():
    res = harness.Results('hiredis')
    srv = None
    try:
        srv = harness.Server(harness.sessiond_path()).start()
        print('server: %s' % srv.name, flush=True)
        p = subprocess.run([client_path(), str(srv.port)], capture_output=True,
                           timeout=CLIENT_DEADLINE_S, stdin=subprocess.DEVNULL)
        out = p.stdout.decode('utf-8', 'replace')
        print(out, end='', flush=True)
        m = SUMMARY.findall(p.stdout)
        if res.check(bool(m), 'hiredis_client printed its summary line',
                     'exit %d\n%s\n%s' % (p.returncode, out[-2000:], p.stderr.decode('utf-8', 'replace'))):
            res.passed += int(m[-1][0])
            res.failed += int(m[-1][1])
            res.check((p.returncode == 0) == (m[-1][1] == b'0' and m[-1][0] != b'0'),
                      'hiredis_client exit status agrees with its summary', 'exit %d' % p.returncode)
        res.check(srv.alive(), 'server still running')
    except (OSError, subprocess.SubprocessError, harness.ServerError) as e:
        res.fail('hiredis run', repr(e))
    finally:
        harness.stop_all(res, srv)
    res.finish()


if __name__ == '__main__':
    main()
