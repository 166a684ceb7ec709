"""An express + express-session + connect-redis app keeping its sessions in
the server under test, driven by headless Chromium (playwright-core).

tests/clients/node/express_test.mjs does the driving and checking (login,
reloads, an app restart, touch refreshing the key's TTL, logout deleting
the key, expiry at the TTL); this wrapper installs the npm packages if
needed, starts the server on a free loopback port and counts the checks.
SESSIOND=/usr/bin/redis-server runs the same checks against Redis.
"""

import subprocess

import harness
import node_clients_test as node


def main():
    res = harness.Results('express_session')
    srv = None
    try:
        if node.npm_install(res):
            srv = harness.Server(harness.sessiond_path()).start()
            print('server: %s' % srv.name, flush=True)
            node.run_script(res, 'express_test.mjs', '', srv.port)
            res.check(srv.alive(), 'server still running')
    except (OSError, subprocess.SubprocessError, harness.ServerError) as e:
        res.fail('express app run', repr(e))
    finally:
        harness.stop_all(res, srv)
    res.finish()


if __name__ == '__main__':
    main()
