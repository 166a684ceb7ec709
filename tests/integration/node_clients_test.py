"""Node.js clients (ioredis 6 and 5, node-redis 6 and 4) against the server under test.

Each client family has one script in tests/clients/node/ (connect, SET EX,
GET, TTL, MULTI/EXEC, pipeline, pub/sub across two connections); this
wrapper installs the pinned npm packages if needed (npm ci, cached), starts
the server on a free loopback port, runs every script against it and adds
up their "N passed, N failed" lines. SESSIOND=/usr/bin/redis-server runs
the same checks against Redis.
"""

import os
import re
import shutil
import subprocess

import harness

NODE_DIR = os.path.join(harness.REPO, 'tests', 'clients', 'node')
# Only keeps a stuck client or server from hanging the suite.
SCRIPT_DEADLINE_S = 180
INSTALL_DEADLINE_S = 600

# (script, npm package name or alias)
RUNS = [
    ('ioredis_test.mjs', 'ioredis'),
    ('ioredis_test.mjs', 'ioredis5'),
    ('node_redis_test.mjs', 'redis'),
    ('node_redis_test.mjs', 'redis4'),
]

SUMMARY = re.compile(rb'^(\d+) passed, (\d+) failed$', re.M)


def node_path():
    return os.environ.get('NODE') or shutil.which('node') or '/usr/bin/node'


def npm_install(res):
    """Runs tests/clients/node/install.sh (npm ci unless already done)."""
    p = subprocess.run([os.path.join(NODE_DIR, 'install.sh')], capture_output=True,
                       timeout=INSTALL_DEADLINE_S, stdin=subprocess.DEVNULL)
    return res.check(p.returncode == 0, 'npm packages installed (tests/clients/node/install.sh)',
                     p.stderr.decode('utf-8', 'replace')[-2000:])


def run_script(res, script, pkg, port):
    """Runs one node script; its checks count as this suite's checks."""
    what = ('%s %s' % (script, pkg)).strip()
    try:
        p = subprocess.run([node_path(), os.path.join(NODE_DIR, script), str(port)] + ([pkg] if pkg else []),
                           cwd=NODE_DIR, capture_output=True, timeout=SCRIPT_DEADLINE_S,
                           stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        res.fail('%s finished' % what, 'killed after %ss; output:\n%s' % (
            SCRIPT_DEADLINE_S, (e.stdout or b'').decode('utf-8', 'replace')[-3000:]))
        return
    out = p.stdout.decode('utf-8', 'replace')
    for line in out.splitlines():
        if line.startswith(('client:', 'FAIL:', '  ', 'app output:')):
            print(line, flush=True)
    m = SUMMARY.findall(p.stdout)
    if not m:
        res.fail('%s printed its summary line' % what,
                 'exit %d\nstdout:\n%s\nstderr:\n%s' % (p.returncode, out[-3000:],
                                                      p.stderr.decode('utf-8', 'replace')[-3000:]))
        return
    passed, failed = int(m[-1][0]), int(m[-1][1])
    res.passed += passed
    res.failed += failed
    res.check((p.returncode == 0) == (failed == 0 and passed > 0),
              '%s exit status agrees with its summary' % what, 'exit %d' % p.returncode)
    print('%s: %d passed, %d failed' % (what, passed, failed), flush=True)


def main():
    res = harness.Results('node_clients')
    srv = None
    try:
        print('node: %s' % subprocess.run([node_path(), '--version'], capture_output=True,
                                          text=True).stdout.strip(), flush=True)
        if npm_install(res):
            srv = harness.Server(harness.sessiond_path()).start()
            print('server: %s' % srv.name, flush=True)
            for script, pkg in RUNS:
                run_script(res, script, pkg, srv.port)
            res.check(srv.alive(), 'server still running')
    except (OSError, subprocess.SubprocessError, harness.ServerError) as e:
        res.fail('node clients run', repr(e))
    finally:
        harness.stop_all(res, srv)
    res.finish()


if __name__ == '__main__':
    main()
