"""Node.js clients (ioredis 6 and 5, node-redis 6 and 4) against the server under test.

Each client family has one script in tests/clients/node/ (connect, SET EX,
GET, TTL, MULTI/EXEC, pipeline, pub/sub across two connections); this
wrapper installs the pinned npm packages if needed (npm ci, cached), starts
the server on a free loopback port, runs every script against it and adds
up their "N passed, N failed" lines. SESSIOND=/usr/bin/redis-server runs
the same checks against Redis.

Cluster clients (ioredis's Redis.Cluster, node-redis's createCluster; one
script, cluster_test.mjs) run against a second server in cluster mode:
sessiond --cluster-compat, or redis-server --cluster-enabled yes owning
every slot; each is given the one node twice as its seeds.
"""

import os
import re
import shutil
import subprocess
import time

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

# The cluster script runs once per package.
CLUSTER_PACKAGES = ['ioredis', 'ioredis5', 'redis', 'redis4']
# Only keeps a redis-server node that never reaches cluster_state:ok from
# hanging the suite.
CLUSTER_OK_DEADLINE_S = 60

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


class ClusterServer(harness.Server):
    """The server under test in cluster mode: sessiond --cluster-compat, or
    redis-server --cluster-enabled yes (every slot is added after start)."""

    def _argv(self, port):
        argv = super()._argv(port)
        if self.kind == 'redis':
            # Announced so CLUSTER SLOTS names 127.0.0.1 (a lone node knows
            # no address of its own and sends ""), as sessiond does.
            return argv + ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf',
                           '--cluster-announce-ip', '127.0.0.1']
        return argv + ['--cluster-compat']


def start_cluster(res):
    """A cluster-mode server reporting cluster_state:ok, or None."""
    srv = ClusterServer(harness.sessiond_path(), name='cluster-mode server').start()
    c = srv.client()
    try:
        if srv.kind == 'redis':
            c.cmd('CLUSTER', 'ADDSLOTSRANGE', '0', '16383')
        deadline = time.monotonic() + CLUSTER_OK_DEADLINE_S
        ok = False
        while not ok and time.monotonic() < deadline:
            ok = b'cluster_state:ok' in c.cmd('CLUSTER', 'INFO')
            if not ok:
                time.sleep(0.1)
    finally:
        c.close()
    res.check(ok, 'cluster-mode server reports cluster_state:ok')
    return srv


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
            cluster = start_cluster(res)
            try:
                for pkg in CLUSTER_PACKAGES:
                    run_script(res, 'cluster_test.mjs', pkg, cluster.port)
                res.check(cluster.alive(), 'cluster-mode server still running')
            finally:
                harness.stop_all(res, cluster)
    except (OSError, subprocess.SubprocessError, harness.ServerError) as e:
        res.fail('node clients run', repr(e))
    finally:
        harness.stop_all(res, srv)
    res.finish()


if __name__ == '__main__':
    main()
