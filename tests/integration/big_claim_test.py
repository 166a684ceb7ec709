"""Big bulk-length claims must not make the server reserve memory.

200 clients each announce a 400 MB value (`$400000000`) and send only 1 KB of
it. The requirement: this "must not grow the server by more than a few MB";
we assert RSS growth < 32 MB (a generous bound, printed), while another
client's PING/SET/GET keep working. Then the 200 close and the server must
still serve. Run against sessiond; redis-server's figure is printed for
information only (Redis preallocates big arguments, but untouched pages are
not resident, so its RSS figure varies).
"""

import time

import harness

CLIENTS = 200
CLAIM = b'*2\r\n$3\r\nSET\r\n$400000000\r\n' + b'v' * 1024
GROWTH_LIMIT_KB = 32 * 1024
DRAIN_DEADLINE_S = 120.0  # only keeps a stuck server from hanging the test


def server_side_queues(port):
    """(established sockets with local port `port`, bytes unread in their
    receive queues), from /proc/net/tcp: the server has read everything the
    clients sent once the second figure is 0."""
    n, unread = 0, 0
    with open('/proc/net/tcp') as f:
        next(f)
        for line in f:
            fields = line.split()
            local, state, queues = fields[1], fields[3], fields[4]
            if state != '01' or int(local.split(':')[1], 16) != port:
                continue
            n += 1
            unread += int(queues.split(':')[1], 16)
    return n, unread


def exercise(res, mon, tag, i):
    """The monitoring client must keep working."""
    res.eq(mon.cmd('PING'), b'+PONG\r\n', '%s: PING while claims are open' % tag)
    val = ('value-%d' % i).encode()
    res.eq(mon.cmd('SET', 'mon', val), b'+OK\r\n', '%s: SET while claims are open' % tag)
    res.eq(mon.cmd('GET', 'mon'), b'$%d\r\n%s\r\n' % (len(val), val),
           '%s: GET while claims are open' % tag)


def measure(res, server, assert_limit):
    tag = server.name
    mon = server.client()
    claims = []
    try:
        res.eq(mon.cmd('SET', 'warm', 'up'), b'+OK\r\n', '%s: SET before' % tag)
        before = server.rss_kb()
        data_before = server.status_kb('VmData')
        for _ in range(CLIENTS):
            c = server.client()
            claims.append(c)
            c.send(CLAIM)
        exercise(res, mon, tag, 0)
        deadline = time.monotonic() + DRAIN_DEADLINE_S
        n, unread = server_side_queues(server.port)
        i = 1
        while (n < CLIENTS + 1 or unread) and time.monotonic() < deadline:
            exercise(res, mon, tag, i)
            i += 1
            time.sleep(0.05)
            n, unread = server_side_queues(server.port)
        res.check(n >= CLIENTS + 1 and unread == 0, '%s: server read all claims' % tag,
                  '%d connections, %d bytes unread' % (n, unread))
        exercise(res, mon, tag, i)
        after = server.rss_kb()
        growth = after - before
        print('%s: RSS %d kB -> %d kB, growth %.1f MB with %d open 400 MB claims'
              % (tag, before, after, growth / 1024.0, CLIENTS), flush=True)
        print('%s: (information) VmData growth %.1f MB'
              % (tag, (server.status_kb('VmData') - data_before) / 1024.0))
        if assert_limit:
            res.check(growth < GROWTH_LIMIT_KB, '%s: RSS growth < %d MB' % (tag, GROWTH_LIMIT_KB // 1024),
                      'grew %.1f MB' % (growth / 1024.0))
        for c in claims:
            c.close()
        claims = []
        # After the claims are gone: still serving, and the claimed keys
        # were never set.
        res.eq(mon.cmd('PING'), b'+PONG\r\n', '%s: PING after closing the claims' % tag)
        res.eq(mon.cmd('EXISTS', 'v' * 16), b':0\r\n', '%s: nothing stored by the claims' % tag)
        fresh = server.client()
        res.eq(fresh.cmd('GET', 'mon'), mon.cmd('GET', 'mon'), '%s: new client sees the data' % tag)
        fresh.close()
        res.check(server.alive(), '%s: still running' % tag)
        print('%s: RSS %d kB after closing the claims' % (tag, server.rss_kb()))
    finally:
        for c in claims:
            c.close()
        mon.close()


def main():
    res = harness.Results('big_claim')
    sess = red = None
    try:
        sess = harness.start_sessiond({'maxclients': 1000})
        measure(res, sess, assert_limit=True)
        harness.stop_all(res, sess)
        sess = None
        red = harness.start_redis({'maxclients': 1000})
        info = harness.Results('big_claim(redis, informational)')
        try:
            measure(info, red, assert_limit=False)
        except (OSError, harness.ProtocolError) as e:
            print('redis (informational): %r' % e)
    except (OSError, harness.ProtocolError, harness.ServerError) as e:
        res.fail('big claim run', repr(e))
    finally:
        harness.stop_all(res, sess, red)
    res.finish()


if __name__ == '__main__':
    main()
