"""Pub/Sub and keyspace notifications against sessiond and redis-server.

The same scripts run against both servers and their messages are compared:
raw RESP bytes, python3-redis (sync and redis.asyncio), keyspace events of
a script of write commands (event for event), and an `expired` event for a
key with a short TTL received by a python3-redis subscriber. No timing
thresholds: a message is awaited up to the harness's reply deadline, and
ordering is made deterministic by a marker message published after each
step (a subscriber reads until it sees the marker).
"""

import asyncio

import redis
import redis.asyncio

import harness
from harness import encode, decode

DEADLINE = harness.REPLY_DEADLINE_S


def raw_pubsub(port):
    """The exact bytes a RESP2 subscriber and a publisher receive."""
    sub = harness.RawClient(port)
    pub = harness.RawClient(port)
    log = []

    def s(*args, replies=1):
        sub.send(encode(*args))
        log.append((' '.join(args), [sub.read_reply() for _ in range(replies)]))

    def p(*args, deliveries=0):
        log.append((' '.join(args), pub.cmd(*args)))
        log.append(('  delivered', [sub.read_reply() for _ in range(deliveries)]))

    s('SUBSCRIBE', 'a', 'b', 'a', replies=3)
    s('PSUBSCRIBE', 'a*', 'x?[yz]', replies=2)
    s('SSUBSCRIBE', 'a', replies=1)
    p('PUBLISH', 'a', 'hello', deliveries=2)
    p('PUBLISH', 'xqz', 'bin\x00\r\nary', deliveries=1)
    p('PUBLISH', 'nobody', 'x')
    p('SPUBLISH', 'a', 'shard', deliveries=1)
    p('PUBSUB', 'NUMSUB', 'a', 'b', 'c')
    p('PUBSUB', 'NUMPAT')
    p('PUBSUB', 'SHARDNUMSUB', 'a', 'b')
    p('PUBSUB', 'CHANNELS', 'a*')
    p('PUBSUB', 'SHARDCHANNELS')
    p('PUBSUB', 'CHANNELS', 'a', 'b')
    p('PUBSUB', 'NUMPAT', 'x')
    p('PUBSUB', 'FOO')
    p('PUBSUB', 'HELP')
    p('SUBSCRIBE')
    p('PUBLISH', 'a')
    s('UNSUBSCRIBE', 'b', 'zz', replies=2)
    s('UNSUBSCRIBE', replies=1)          # only "a" left: order is fixed
    s('PUNSUBSCRIBE', 'a*', replies=1)
    s('PUNSUBSCRIBE', replies=1)
    s('SUNSUBSCRIBE', replies=1)
    s('UNSUBSCRIBE', replies=1)          # nothing left: nil channel, count 0
    s('PUNSUBSCRIBE', replies=1)
    s('SUNSUBSCRIBE', replies=1)
    p('PUBLISH', 'a', 'gone')
    # Unsubscribing from several at once: Redis walks a hash table, so only
    # the set of confirmations (and the final count) is comparable.
    s('SUBSCRIBE', 'c1', 'c2', 'c3', replies=3)
    sub.send(encode('UNSUBSCRIBE'))
    got = [decode(sub.read_reply())[0] for _ in range(3)]
    log.append(('UNSUBSCRIBE (3 channels)', (sorted(g[1] for g in got), sorted(g[2] for g in got))))
    # A closed subscriber is forgotten.
    s('SUBSCRIBE', 'gone', replies=1)
    sub.sock.close()
    probe = harness.RawClient(port)
    for _ in range(200):  # bounded: the close is processed within a few loop turns
        n = decode(probe.cmd('PUBSUB', 'NUMSUB', 'gone'))[0][1]
        if n == 0:
            break
        probe.cmd('PING')
    log.append(('NUMSUB after close', n))
    pub.sock.close()
    probe.sock.close()
    return log


def redis_py_sync(port):
    r = redis.Redis(host='127.0.0.1', port=port, socket_timeout=DEADLINE)
    p = r.pubsub()
    out = []
    p.subscribe('news', 'sport')
    p.psubscribe('n*')
    for _ in range(3):
        out.append(p.get_message(timeout=DEADLINE))
    out.append(r.publish('news', 'hi'))
    out.append(p.get_message(timeout=DEADLINE))
    out.append(p.get_message(timeout=DEADLINE))
    out.append(r.pubsub_numsub('news', 'sport', 'none'))
    out.append(r.pubsub_numpat())
    out.append(sorted(r.pubsub_channels()))
    p.unsubscribe('sport')
    out.append(p.get_message(timeout=DEADLINE))
    p.punsubscribe()
    out.append(p.get_message(timeout=DEADLINE))
    # A handler-style subscription: messages reach the callback.
    seen = []
    p.subscribe(**{'cb': lambda m: seen.append((m['channel'], m['data']))})
    out.append(p.get_message(timeout=DEADLINE))
    out.append(r.publish('cb', 'to-handler'))
    for _ in range(100):  # bounded: stops as soon as the message arrived
        p.get_message(timeout=DEADLINE)
        if seen:
            break
    out.append(seen)
    p.close()
    r.close()
    return out


async def redis_py_async(port):
    r = redis.asyncio.Redis(host='127.0.0.1', port=port, socket_timeout=DEADLINE)
    p = r.pubsub()
    out = []
    await p.subscribe('ach')
    await p.psubscribe('a*')
    for _ in range(2):
        out.append(await p.get_message(timeout=DEADLINE))
    out.append(await r.publish('ach', 'async'))
    out.append(await p.get_message(timeout=DEADLINE))
    out.append(await p.get_message(timeout=DEADLINE))
    await p.unsubscribe()
    out.append(await p.get_message(timeout=DEADLINE))
    await p.punsubscribe()
    out.append(await p.get_message(timeout=DEADLINE))
    await p.close()
    await r.close()
    return out


# A script of write commands with deterministic events (no key is allowed
# to expire on its own: when Redis reports that depends on its timers).
SCRIPT = [
    ['SET', 'a', '1'], ['SET', 'b', '1', 'EX', '100'], ['SET', 'b', '2', 'KEEPTTL'],
    ['SET', 'b', '3', 'GET'], ['SET', 'c', '1', 'XX'], ['SET', 'c', '1', 'NX', 'PX', '100000'],
    ['SETNX', 'b', 'x'], ['SETNX', 'n', 'x'], ['SETEX', 's', '10', 'v'],
    ['PSETEX', 's', '100000', 'v'], ['GETSET', 'b', '9'], ['GETSET', 'gs', '9'],
    ['MSET', 'm1', '1', 'm2', '2', 'a', '3'], ['MSETNX', 'm1', '1', 'm3', '3'],
    ['MSETNX', 'm4', '1', 'm5', '2'], ['INCR', 'i'], ['DECR', 'i'], ['INCRBY', 'i', '5'],
    ['DECRBY', 'i', '2'], ['INCR', 'a'], ['INCRBY', 'b', 'x'], ['INCRBYFLOAT', 'f', '1.5'],
    ['INCRBYFLOAT', 'f', '2'], ['APPEND', 'ap', 'x'], ['APPEND', 'ap', ''],
    ['APPEND', 'ap', 'zz'], ['SETRANGE', 'sr', '0', ''], ['SETRANGE', 'ap', '0', ''],
    ['SETRANGE', 'ap', '1', 'yy'], ['SETRANGE', 'sr2', '2', 'z'],
    ['GETEX', 'ap', 'EX', '100'], ['GETEX', 'ap'], ['GETEX', 'ap', 'PERSIST'],
    ['GETEX', 'ap', 'PERSIST'], ['GETEX', 'ap', 'PXAT', '1'], ['GETEX', 'nokey', 'EX', '5'],
    ['GETDEL', 'b'], ['GETDEL', 'nokey'], ['EXPIRE', 'm1', '100'],
    ['PEXPIRE', 'm1', '100', 'NX'], ['EXPIRE', 'm1', '200', 'GT'], ['PERSIST', 'm1'],
    ['PERSIST', 'm1'], ['EXPIRE', 'm1', '-1'], ['PEXPIREAT', 'm2', '1'],
    ['EXPIREAT', 'm3', '99999999999'], ['EXPIRE', 'nokey', '10'],
    ['RENAME', 'nokey', 'r1'], ['SET', 'r2', 'x'], ['RENAME', 'r2', 'r2'],
    ['RENAMENX', 'r2', 'm4'], ['RENAMENX', 'r2', 'r3'], ['RENAME', 'r3', 'm4'],
    ['DEL', 'm4', 'nokey', 's'], ['UNLINK', 'i', 'n'], ['TOUCH', 'f'], ['GET', 'f'],
    ['SELECT', '5'], ['SET', 'a', 'db5'], ['DEL', 'a'], ['SELECT', '0'],
    ['FLUSHDB'], ['SET', 'z', '1'], ['FLUSHALL'],
]


def keyspace_events(port, classes):
    """[(command, reply, [(channel, message), ...]), ...] for SCRIPT."""
    cmd = redis.Redis(host='127.0.0.1', port=port, socket_timeout=DEADLINE)
    cmd.flushall()
    cmd.config_set('notify-keyspace-events', classes)
    sub = harness.RawClient(port)
    sub.send(encode('PSUBSCRIBE', '__key*__:*'))
    sub.read_reply()
    sub.send(encode('SUBSCRIBE', 'marker'))
    sub.read_reply()
    out = []
    for n, args in enumerate(SCRIPT):
        try:
            reply = cmd.execute_command(*args)
        except redis.ResponseError as e:
            reply = 'ERR ' + str(e)
        cmd.publish('marker', str(n))
        events = []
        while True:
            msg = decode(sub.read_reply())[0]
            if msg[0] == b'message':
                break
            events.append((msg[2], msg[3]))
        out.append((' '.join(args), reply, events))
    cmd.config_set('notify-keyspace-events', '')
    sub.sock.close()
    cmd.close()
    return out


def config_strings(port):
    r = redis.Redis(host='127.0.0.1', port=port, socket_timeout=DEADLINE)
    out = []
    for s in ['A', 'KA', 'Ex', 'KEA', 'Agn', 'g$lshzxetmdn', 'n', 'd', 'm', 'KEm',
              'AKEmn', '', 'Kz', 'g$lshzxet', 'xed', 'tn', 'Q', 'Kz ', 'KEx']:
        try:
            out.append(r.config_set('notify-keyspace-events', s))
        except redis.ResponseError as e:
            out.append('ERR ' + str(e))
        out.append(r.config_get('notify-keyspace-events'))
    r.config_set('notify-keyspace-events', '')
    r.close()
    return out


def expired_event(port):
    """The message a python3-redis subscriber gets when a 50 ms key expires."""
    r = redis.Redis(host='127.0.0.1', port=port, socket_timeout=DEADLINE)
    r.config_set('notify-keyspace-events', 'Ex')
    p = r.pubsub()
    p.subscribe('__keyevent@0__:expired')
    first = p.get_message(timeout=DEADLINE)
    r.set('short-lived', 'v', px=50)
    # Waits for the event, without a timing threshold: at most the deadline.
    msg = p.get_message(timeout=DEADLINE)
    while msg is None or msg['type'] != 'message':
        msg = p.get_message(timeout=DEADLINE)
    r.config_set('notify-keyspace-events', '')
    p.close()
    r.close()
    return first, msg


def compare(res, what, got, want):
    if isinstance(got, list) and isinstance(want, list) and len(got) == len(want):
        for i, (g, w) in enumerate(zip(got, want)):
            res.eq(g, w, '%s [%d]' % (what, i))
    else:
        res.eq(got, want, what)


def main():
    res = harness.Results('pubsub')
    sess = ref = None
    try:
        sess = harness.start_sessiond()
        ref = harness.start_redis()
        compare(res, 'raw RESP pub/sub', raw_pubsub(sess.port), raw_pubsub(ref.port))
        compare(res, 'redis-py pub/sub', redis_py_sync(sess.port), redis_py_sync(ref.port))
        compare(res, 'redis.asyncio pub/sub', asyncio.run(redis_py_async(sess.port)),
                asyncio.run(redis_py_async(ref.port)))
        compare(res, 'notify-keyspace-events strings', config_strings(sess.port),
                config_strings(ref.port))
        for classes in ('KEAn', 'KEA', 'E$', 'Kg', 'Ex'):
            compare(res, 'keyspace events (%s)' % classes, keyspace_events(sess.port, classes),
                    keyspace_events(ref.port, classes))
        got = expired_event(sess.port)
        compare(res, 'expired event via redis-py', got, expired_event(ref.port))
        res.eq(got[1]['data'], b'short-lived', 'expired event names the key')
        res.check(sess.alive(), 'sessiond still running')
    except (OSError, redis.RedisError, harness.ServerError, harness.ProtocolError) as e:
        res.fail('pubsub run', repr(e))
    finally:
        harness.stop_all(res, sess, ref)
    res.finish()


if __name__ == '__main__':
    main()
