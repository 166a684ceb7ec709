"""python3-redis (Debian's redis-py) features beyond redis_py_test.py.

redis.asyncio basics and pipelines; pipelines with and without MULTI/EXEC;
transaction() with WATCH retried under a concurrent writer thread; pub/sub
receiving `expired` keyspace events; scan_iter by type; RESP3; RedisCluster
against `sessiond --cluster-compat` (redis-server: --cluster-enabled yes +
CLUSTER ADDSLOTSRANGE 0 16383). SESSIOND=/usr/bin/redis-server runs every
check against Redis. Each part runs even when an earlier one failed.

The only waits are for a 100 ms key to expire and for a cluster to report
its state: bounded polls against a generous deadline, never a threshold.
"""

import asyncio
import inspect
import threading
import time

import redis
import redis.asyncio
import redis.cluster

import harness

DEADLINE_S = 30.0  # for awaited events only: keeps a broken server from hanging the suite


def connect(port, **kw):
    return redis.Redis(host='127.0.0.1', port=port, socket_timeout=harness.REPLY_DEADLINE_S, **kw)


def part(res, what, fn, *args):
    """Runs one part; an exception is one failed check, and the next part runs."""
    try:
        fn(res, *args)
    except (redis.RedisError, OSError, AssertionError, asyncio.TimeoutError) as e:
        res.fail('%s raised' % what, repr(e))


def check_asyncio(res, port):
    """redis.asyncio: each of the three sections runs even if another fails."""
    async def basics(r):
        res.eq(await r.ping(), True, 'asyncio: ping')
        res.eq(await r.set('aio:k', 'v', ex=100), True, 'asyncio: set ex')
        res.eq(await r.get('aio:k'), b'v', 'asyncio: get')
        ttl = await r.ttl('aio:k')
        res.check(0 < ttl <= 100, 'asyncio: ttl within (0, 100]', repr(ttl))
        res.eq(await asyncio.gather(*(r.incr('aio:n') for _ in range(50))), list(range(1, 51)),
               'asyncio: 50 concurrent INCRs on one client, replies in order')
        async with r.pipeline(transaction=False) as p:
            for i in range(100):
                p.set('aio:p:%d' % i, i)
            p.get('aio:p:99')
            out = await p.execute()
        res.eq(out, [True] * 100 + [b'99'], 'asyncio: pipeline without transaction')
        got = set()
        async for k in r.scan_iter(match='aio:p:*', count=10):
            got.add(k)
        res.eq(got, {b'aio:p:%d' % i for i in range(100)}, 'asyncio: scan_iter')
        res.eq(await r.delete('aio:k', 'aio:n'), 2, 'asyncio: delete')

    async def transaction(r):
        async with r.pipeline(transaction=True) as p:
            p.set('aio:t', 1).incrby('aio:t', 9).get('aio:t')
            out = await p.execute()
        res.eq(out, [True, 10, b'10'], 'asyncio: pipeline with transaction (MULTI/EXEC)')
        res.eq(await r.delete('aio:t'), 1, 'asyncio: delete the transaction key')

    async def body():
        r = redis.asyncio.Redis(host='127.0.0.1', port=port)
        try:
            for what, section in (('asyncio basics', basics), ('asyncio transaction', transaction)):
                try:
                    await section(r)
                except (redis.RedisError, OSError) as e:
                    res.fail('%s raised' % what, repr(e))
        finally:
            await r.close()
    asyncio.run(asyncio.wait_for(body(), DEADLINE_S * 4))


def check_transaction_pipeline(res, port):
    r = connect(port)
    p = r.pipeline(transaction=True)
    p.set('tx:a', 'x').incr('tx:n').incr('tx:n').get('tx:a').ttl('tx:a')
    res.eq(p.execute(), [True, 1, 2, b'x', -1], 'pipeline(transaction=True) results')
    # A command that fails at run time inside MULTI does not undo the others.
    p = r.pipeline(transaction=True)
    p.set('tx:b', 'y').incr('tx:b').set('tx:c', 'z')
    out = p.execute(raise_on_error=False)
    res.check(out[0] is True and isinstance(out[1], redis.ResponseError) and out[2] is True,
              'pipeline(transaction=True) with a failing INCR', repr(out))
    res.eq(r.mget('tx:b', 'tx:c'), [b'y', b'z'], 'the other commands of that transaction applied')
    # A command refused when queued (wrong arity) aborts the whole EXEC.
    p = r.pipeline(transaction=True)
    p.set('tx:d', '1').execute_command('GET')
    try:
        p.execute()
        res.fail('EXEC after a queueing error raises')
    except redis.ResponseError as e:
        res.check('EXECABORT' in str(e) or 'wrong number of arguments' in str(e),
                  'EXEC after a queueing error: EXECABORT', str(e))
    res.eq(r.exists('tx:d'), 0, 'nothing of the aborted transaction applied')
    # Without a transaction the same mixed batch runs command by command.
    p = r.pipeline(transaction=False)
    p.set('tx:e', 'w').incr('tx:e').get('tx:e')
    out = p.execute(raise_on_error=False)
    res.check(out[0] is True and isinstance(out[1], redis.ResponseError) and out[2] == b'w',
              'pipeline(transaction=False) with a failing INCR', repr(out))
    res.eq(r.delete('tx:a', 'tx:n', 'tx:b', 'tx:c', 'tx:e'), 5, 'delete the transaction keys')
    r.close()


# Read-modify-write transactions raced against a writer thread doing a fixed
# number of INCRs: fixed, so the race (and the retries it causes) ends even
# when the transactions lose every round while the writer runs.
WATCH_ROUNDS = 50
WRITER_INCRS = 2000


def check_watch_retry(res, port):
    r = connect(port)
    writer = connect(port)
    r.set('w:balance', 0)
    calls = {'n': 0}

    def add_one(pipe):
        calls['n'] += 1
        value = int(pipe.get('w:balance'))
        if calls['n'] == 1:
            # First call: another connection writes the watched key between
            # WATCH and EXEC, so EXEC must fail and transaction() retry.
            writer.incr('w:balance')
        pipe.multi()
        pipe.set('w:balance', value + 1)

    out = r.transaction(add_one, 'w:balance')
    res.eq(out, [True], 'transaction() result after the retry')
    res.check(calls['n'] >= 2, 'a write to a WATCHed key made transaction() retry', 'calls=%d' % calls['n'])
    res.eq(r.get('w:balance'), b'2', 'no update lost: the writer\'s INCR and the transaction both count')

    # A writer thread INCRs the key while this thread runs WATCH/GET/MULTI/SET
    # transactions on it: the total must count every increment of both.
    stop = threading.Event()
    done = {'n': 0, 'err': None}

    def writer_loop():
        w = connect(port)
        try:
            while not stop.is_set() and done['n'] < WRITER_INCRS:
                w.incr('w:balance')
                done['n'] += 1
        except redis.RedisError as e:
            done['err'] = e
        finally:
            w.close()

    def add_one_raced(pipe):
        calls['n'] += 1
        value = int(pipe.get('w:balance'))
        pipe.multi()
        pipe.set('w:balance', value + 1)

    calls['n'] = 0
    t = threading.Thread(target=writer_loop)
    t.start()
    try:
        for _ in range(WATCH_ROUNDS):
            r.transaction(add_one_raced, 'w:balance')
    finally:
        stop.set()
        t.join()
    print('WATCH race: %d transactions took %d tries against %d writer INCRs'
          % (WATCH_ROUNDS, calls['n'], done['n']), flush=True)
    res.eq(done['err'], None, 'writer thread ran without errors')
    res.eq(int(r.get('w:balance')), 2 + WATCH_ROUNDS + done['n'],
           'after %d WATCHed transactions racing a writer thread, no increment lost' % WATCH_ROUNDS)
    r.delete('w:balance')
    r.close()
    writer.close()


def check_expired_events(res, port):
    r = connect(port)
    old = r.config_get('notify-keyspace-events').get('notify-keyspace-events', '')
    res.eq(r.config_set('notify-keyspace-events', 'Ex'), True, 'CONFIG SET notify-keyspace-events Ex')
    res.eq(r.config_get('notify-keyspace-events'), {'notify-keyspace-events': 'xE'},
           'CONFIG GET notify-keyspace-events reads back as xE')
    p = r.pubsub()
    try:
        p.psubscribe('__keyevent@0__:expired')
        p.subscribe('__keyspace@0__:ev:k')  # K not enabled: must stay silent
        r.set('ev:k', 'v', px=100)
        r.set('ev:k2', 'v', px=100)
        got = []
        deadline = time.monotonic() + DEADLINE_S
        while len(got) < 2 and time.monotonic() < deadline:
            m = p.get_message(timeout=1.0)
            if m and m['type'] in ('message', 'pmessage'):
                got.append((m['type'], m['channel'], m['data']))
        res.eq(sorted(got), [('pmessage', b'__keyevent@0__:expired', b'ev:k'),
                             ('pmessage', b'__keyevent@0__:expired', b'ev:k2')],
               'pub/sub receives one `expired` keyevent per expired key')
        res.eq(r.exists('ev:k', 'ev:k2'), 0, 'the expired keys are gone')
        r.set('ev:del', 'v')
        r.delete('ev:del')
        r.set('ev:fence', 'v', px=1)  # an expiry after the DEL: its event arrives after any DEL event
        extra = []
        deadline = time.monotonic() + DEADLINE_S
        while time.monotonic() < deadline:
            m = p.get_message(timeout=1.0)
            if m and m['type'] in ('message', 'pmessage'):
                extra.append(m['data'])
                if m['data'] == b'ev:fence':
                    break
        res.eq(extra, [b'ev:fence'], 'a DEL sends no `expired` event (only the later expiry does)')
    finally:
        p.close()
        r.config_set('notify-keyspace-events', old)
        r.close()


def check_scan_iter(res, port):
    r = connect(port)
    r.mset({'si:%d' % i: i for i in range(120)})
    res.eq(set(r.scan_iter(match='si:*', count=7, _type='string')), {b'si:%d' % i for i in range(120)},
           'scan_iter(match, count=7, _type=string)')
    res.eq(set(r.scan_iter(match='si:*', _type='hash')), set(), 'scan_iter(_type=hash) finds no strings')
    res.eq(r.delete(*['si:%d' % i for i in range(120)]), 120, 'delete the scanned keys')
    r.close()


def check_resp3(res, port):
    """RESP3: through redis-py when it supports protocol=3 (redis-py >= 5),
    else through HELLO 3 on a raw connection (redis-py 4.x cannot parse RESP3)."""
    if 'protocol' in inspect.signature(redis.Redis.__init__).parameters:
        r = connect(port, protocol=3)
        res.eq(r.ping(), True, 'RESP3 redis-py: ping')
        res.eq(r.set('r3:k', 'v', ex=100), True, 'RESP3 redis-py: set ex')
        res.eq(r.get('r3:k'), b'v', 'RESP3 redis-py: get')
        res.eq(r.get('r3:missing'), None, 'RESP3 redis-py: get missing')
        res.eq(r.delete('r3:k'), 1, 'RESP3 redis-py: delete')
        r.close()
        return
    print('redis-py %s has no protocol=3: RESP3 checked with HELLO 3 on a raw connection'
          % redis.__version__, flush=True)
    c = harness.RawClient(port)
    try:
        hello, _ = harness.decode(c.cmd('HELLO', '3'))
        res.check(isinstance(hello, dict) and hello.get(b'proto') == 3,
                  'HELLO 3 replies with a map holding proto 3', repr(hello))
        res.eq(c.cmd('SET', 'r3:k', 'v', 'EX', '100'), b'+OK\r\n', 'RESP3: SET EX')
        res.eq(c.cmd('GET', 'r3:k'), b'$1\r\nv\r\n', 'RESP3: GET')
        res.eq(c.cmd('GET', 'r3:missing'), b'_\r\n', 'RESP3: GET missing is the null type')
        res.eq(c.cmd('MGET', 'r3:k', 'r3:missing'), b'*2\r\n$1\r\nv\r\n_\r\n', 'RESP3: MGET with a null')
        res.eq(c.cmd('DEL', 'r3:k'), b':1\r\n', 'RESP3: DEL')
        hello2, _ = harness.decode(c.cmd('HELLO', '2'))
        res.check(isinstance(hello2, list) and b'proto' in hello2, 'HELLO 2 goes back to RESP2 (array)',
                  repr(hello2))
        res.eq(c.cmd('GET', 'r3:missing'), b'$-1\r\n', 'RESP2 again: GET missing is $-1')
    finally:
        c.close()


class ClusterServer(harness.Server):
    """The server under test in cluster mode: sessiond --cluster-compat, or
    redis-server --cluster-enabled yes with every slot added to its one node."""

    def _argv(self, port):
        argv = super()._argv(port)
        if self.kind == 'redis':
            return argv + ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf']
        return argv + ['--cluster-compat']


def check_cluster_two_seeds(res, port):
    """RedisCluster given the one node twice as startup nodes."""
    seeds = [redis.cluster.ClusterNode('127.0.0.1', port), redis.cluster.ClusterNode('127.0.0.1', port)]
    rc = redis.cluster.RedisCluster(startup_nodes=seeds, socket_timeout=harness.REPLY_DEADLINE_S)
    try:
        res.eq([(n.host, n.port) for n in rc.get_nodes()], [('127.0.0.1', port)],
               'two seeds: RedisCluster discovers the one node')
        keys = ['seeds:%d' % i for i in range(200)]
        res.check(len({rc.keyslot(k) for k in keys}) > 100, 'two seeds: the keys span many slots')
        res.eq([rc.set(k, k + '=v') for k in keys], [True] * 200, 'two seeds: SET 200 keys')
        res.eq([rc.get(k) for k in keys], [(k + '=v').encode() for k in keys],
               'two seeds: GET them back')
        res.eq(rc.mset({'{seeds}a': '1', '{seeds}b': '2'}), True, 'two seeds: MSET on one hash tag')
        res.eq(rc.mget('{seeds}a', '{seeds}b', '{seeds}c'), [b'1', b'2', None],
               'two seeds: MGET on one hash tag')
        # A multi-key request across slots sent as is (an explicit target
        # skips the client's own slot check): the node refuses it.
        try:
            rc.execute_command('MGET', 'seeds:0', 'seeds:1',
                               target_nodes=redis.cluster.RedisCluster.PRIMARIES)
            res.fail('two seeds: MGET across slots is refused')
        except (redis.RedisError, redis.exceptions.RedisClusterException) as e:
            res.check('CROSSSLOT' in str(e) or "don't hash to the same slot" in str(e),
                      'two seeds: MGET across slots is refused with CROSSSLOT', repr(e))
        res.eq(rc.delete(*keys, '{seeds}a', '{seeds}b'), 202, 'two seeds: DEL across slots (split by the client)')
    finally:
        rc.close()


def check_cluster(res):
    srv = ClusterServer(harness.sessiond_path()).start()
    try:
        r = connect(srv.port)
        if srv.kind == 'redis':
            r.execute_command('CLUSTER', 'ADDSLOTSRANGE', 0, 16383)
        deadline = time.monotonic() + DEADLINE_S
        info = ''
        while time.monotonic() < deadline:
            info = r.execute_command('CLUSTER', 'INFO')
            info = info.decode() if isinstance(info, bytes) else str(info)
            if 'cluster_state:ok' in info:
                break
            time.sleep(0.1)
        res.check('cluster_state:ok' in info, 'CLUSTER INFO: cluster_state:ok', info[:300])
        r.close()
        rc = redis.cluster.RedisCluster(host='127.0.0.1', port=srv.port,
                                        socket_timeout=harness.REPLY_DEADLINE_S)
        try:
            nodes = rc.get_nodes()
            res.eq([(n.host, n.port) for n in nodes], [('127.0.0.1', srv.port)],
                   'RedisCluster discovers the one node')
            keys = ['c:%d' % i for i in range(200)]
            res.check(len({rc.keyslot(k) for k in keys}) > 100, 'the keys span many slots')
            res.eq([rc.set(k, k, ex=100) for k in keys], [True] * 200, 'RedisCluster: SET EX on 200 keys')
            res.eq([rc.get(k) for k in keys], [k.encode() for k in keys], 'RedisCluster: GET them back')
            res.eq(rc.mget_nonatomic(keys[:50]), [k.encode() for k in keys[:50]], 'RedisCluster: mget_nonatomic')
            ttl = rc.ttl('c:7')
            res.check(0 < ttl <= 100, 'RedisCluster: TTL within (0, 100]', repr(ttl))
            res.eq(rc.mset({'{tag}a': '1', '{tag}b': '2'}), True, 'RedisCluster: MSET in one hash slot')
            res.eq(rc.mget('{tag}a', '{tag}b'), [b'1', b'2'], 'RedisCluster: MGET in one hash slot')
            p = rc.pipeline()
            for k in keys[:20]:
                p.incr(k + ':n')
            res.eq(p.execute(), [1] * 20, 'RedisCluster pipeline across slots')
            res.eq(rc.delete(*keys), 200, 'RedisCluster: DEL across slots')
            res.eq(rc.dbsize(), 22, 'RedisCluster: DBSIZE of the node')
        finally:
            rc.close()
        check_cluster_two_seeds(res, srv.port)
    finally:
        harness.stop_all(res, srv)


def main():
    res = harness.Results('redis_py_more')
    print('client: redis-py %s (python3-redis)' % redis.__version__, flush=True)
    srv = None
    try:
        srv = harness.Server(harness.sessiond_path()).start()
        print('server: %s' % srv.name, flush=True)
        connect(srv.port).flushall()
        part(res, 'asyncio', check_asyncio, srv.port)
        part(res, 'transaction pipelines', check_transaction_pipeline, srv.port)
        part(res, 'WATCH retry', check_watch_retry, srv.port)
        part(res, 'expired keyspace events', check_expired_events, srv.port)
        part(res, 'scan_iter', check_scan_iter, srv.port)
        part(res, 'RESP3', check_resp3, srv.port)
        res.check(srv.alive(), 'server still running')
    except (OSError, redis.RedisError, harness.ServerError) as e:
        res.fail('redis-py run', repr(e))
    finally:
        harness.stop_all(res, srv)
    try:
        part(res, 'RedisCluster', check_cluster)
    except harness.ServerError as e:
        res.fail('cluster-mode server starts', repr(e))
    res.finish()


if __name__ == '__main__':
    main()
