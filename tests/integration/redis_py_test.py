"""python3-redis (redis-py 4.3.4, Debian's) against sessiond.

Exercises the client library the way applications do and checks the
decoded results. The one sleep (~1.2 s) only waits for a 1-second key to
expire: the check is that it disappears, not how fast.
"""

import time

import redis

import harness


def run(res, port):
    r = redis.Redis(host='127.0.0.1', port=port, socket_timeout=harness.REPLY_DEADLINE_S)
    res.eq(r.ping(), True, 'ping')
    res.eq(r.flushall(), True, 'flushall')

    # set / get / ex / px / ttl / pttl
    res.eq(r.set('a', 'b'), True, 'set')
    res.eq(r.get('a'), b'b', 'get')
    res.eq(r.get('missing'), None, 'get missing')
    res.eq(r.set('a', 'c', nx=True), None, 'set nx on existing')
    res.eq(r.set('a', 'c', xx=True), True, 'set xx on existing')
    res.eq(r.set('a', 'd', get=True), b'c', 'set get')
    res.eq(r.set('ex', 'v', ex=1000), True, 'set ex')
    res.check(0 < r.ttl('ex') <= 1000, 'ttl within (0, 1000]', repr(r.ttl('ex')))
    res.eq(r.set('px', 'v', px=1000000), True, 'set px')
    res.check(0 < r.pttl('px') <= 1000000, 'pttl within (0, 1000000]', repr(r.pttl('px')))
    res.eq(r.ttl('a'), -1, 'ttl of persistent key')
    res.eq(r.ttl('missing'), -2, 'ttl of missing key')
    res.eq(r.pttl('missing'), -2, 'pttl of missing key')
    res.eq(r.setex('se', 1000, 'v'), True, 'setex')
    res.check(0 < r.ttl('se') <= 1000, 'setex ttl', repr(r.ttl('se')))
    res.eq(r.persist('se'), True, 'persist')
    res.eq(r.ttl('se'), -1, 'ttl after persist')
    res.eq(r.set('bin', b'\x00\r\n\xff'), True, 'set binary')
    res.eq(r.get('bin'), b'\x00\r\n\xff', 'get binary')
    res.eq(r.set('empty', ''), True, 'set empty value')
    res.eq(r.get('empty'), b'', 'get empty value')
    res.eq(r.getdel('empty'), b'', 'getdel')
    res.eq(r.exists('empty'), 0, 'getdel removed the key')
    res.eq(r.getset('a', 'e'), b'd', 'getset')
    res.eq(r.append('a', 'fg'), 3, 'append')
    res.eq(r.strlen('a'), 3, 'strlen')
    res.eq(r.getrange('a', 1, -1), b'fg', 'getrange')
    res.eq(r.setrange('a', 1, 'XY'), 3, 'setrange')
    res.eq(r.get('a'), b'eXY', 'get after setrange')

    # mget / mset
    res.eq(r.mset({'m1': '1', 'm2': '2', 'm3': '3'}), True, 'mset')
    res.eq(r.mget(['m1', 'missing', 'm3']), [b'1', None, b'3'], 'mget')
    res.eq(r.msetnx({'m1': 'x', 'm9': 'y'}), False, 'msetnx with an existing key')
    res.eq(r.exists('m9'), 0, 'msetnx set nothing')

    # incr / incrbyfloat
    res.eq(r.incr('cnt'), 1, 'incr')
    res.eq(r.incr('cnt', 41), 42, 'incr by 41')
    res.eq(r.decr('cnt', 2), 40, 'decr by 2')
    res.eq(r.incrbyfloat('cnt', 0.5), 40.5, 'incrbyfloat')
    res.eq(r.incrbyfloat('fl', '1.1'), 1.1, 'incrbyfloat on a new key')
    try:
        r.incr('a')
        res.fail('incr on a non-integer raises')
    except redis.ResponseError as e:
        res.eq(str(e), 'value is not an integer or out of range', 'incr error text')
    try:
        r.execute_command('NOSUCHCOMMAND')
        res.fail('unknown command raises')
    except redis.ResponseError as e:
        res.check(str(e).startswith("unknown command 'NOSUCHCOMMAND'"), 'unknown command text', str(e))

    # delete / exists / type / rename / keys
    res.eq(r.delete('m1', 'm2', 'missing'), 2, 'delete counts removed keys')
    res.eq(r.exists('m1', 'm3', 'm3'), 2, 'exists counts repeats')
    res.eq(r.type('m3'), b'string', 'type')
    res.eq(r.rename('m3', 'm4'), True, 'rename')
    res.eq(r.renamenx('m4', 'a'), False, 'renamenx onto an existing key')
    res.eq(sorted(r.keys('m*')), [b'm4'], 'keys pattern')
    res.eq(r.unlink('m4'), 1, 'unlink')

    # pipelines of 1000 commands, not transactions
    p = r.pipeline(transaction=False)
    for i in range(1000):
        p.set('pipe:%d' % i, i)
    out = p.execute()
    res.eq(out, [True] * 1000, 'pipeline of 1000 SETs')
    p = r.pipeline(transaction=False)
    for i in range(1000):
        p.get('pipe:%d' % i) if i % 2 else p.incr('pipe:%d' % i)
    out = p.execute()
    want = [str(i).encode() if i % 2 else i + 1 for i in range(1000)]
    res.eq(out, want, 'pipeline of 1000 mixed GET/INCR')
    p = r.pipeline(transaction=False)
    p.set('pe', 'x')
    p.incr('pe')
    p.get('pe')
    out = p.execute(raise_on_error=False)
    res.check(out[0] is True and isinstance(out[1], redis.ResponseError) and out[2] == b'x',
              'pipeline with an error in the middle', repr(out))

    # scan_iter with match: every key exactly as set
    for i in range(300):
        r.set('scan:%d' % i, i)
    got = set(r.scan_iter(match='scan:*', count=25))
    res.eq(got, {b'scan:%d' % i for i in range(300)}, 'scan_iter(match) returns every key')
    res.eq(set(r.scan_iter(match='scan:1?')), {b'scan:1%d' % i for i in range(10)},
           'scan_iter(match scan:1?)')
    res.eq(set(r.scan_iter(match='nomatch*')), set(), 'scan_iter with no matches')
    res.eq(r.dbsize(), len(list(r.scan_iter())), 'dbsize equals the number of scanned keys')

    # expire + time: one short TTL, watched until the key is gone.
    res.eq(r.set('short', 'v', px=1000), True, 'set px 1000')
    res.eq(r.expire('gone', 1), False, 'expire on a missing key')
    res.eq(r.set('short2', 'v'), True, 'set short2')
    res.eq(r.expire('short2', 1), True, 'expire 1')
    time.sleep(1.2)
    res.eq(r.get('short'), None, 'key with px=1000 gone after 1.2 s')
    res.eq(r.exists('short2'), 0, 'key with expire 1 gone after 1.2 s')
    res.eq(r.ttl('short2'), -2, 'ttl of the expired key')
    res.eq(r.expireat('a', 4102444800), True, 'expireat far future')
    res.eq(r.execute_command('EXPIRETIME', 'a'), 4102444800, 'expiretime')
    res.eq(r.pexpire('a', 5000000), True, 'pexpire')
    res.check(0 < r.pttl('a') <= 5000000, 'pttl after pexpire', repr(r.pttl('a')))
    r.close()

    # multiple databases
    r3 = redis.Redis(host='127.0.0.1', port=port, db=3, socket_timeout=harness.REPLY_DEADLINE_S)
    r0 = redis.Redis(host='127.0.0.1', port=port, db=0, socket_timeout=harness.REPLY_DEADLINE_S)
    res.eq(r3.set('k', 'three'), True, 'db 3 set')
    res.eq(r3.get('k'), b'three', 'db 3 get')
    res.eq(r0.get('k'), None, 'db 0 does not see db 3')
    res.eq(r3.dbsize(), 1, 'db 3 dbsize')
    res.eq(r3.flushdb(), True, 'db 3 flushdb')
    res.eq(r3.dbsize(), 0, 'db 3 empty')
    res.check(r0.dbsize() > 1000, 'flushdb on db 3 leaves db 0', repr(r0.dbsize()))
    try:
        redis.Redis(host='127.0.0.1', port=port, db=16).ping()
        res.fail('db=16 is refused')
    except redis.ResponseError as e:
        res.eq(str(e), 'DB index is out of range', 'db=16 error text')
    res.eq(r0.flushall(), True, 'flushall')
    res.eq(r0.dbsize(), 0, 'flushall emptied db 0')
    r0.close()
    r3.close()


def main():
    res = harness.Results('redis_py')
    sess = None
    try:
        sess = harness.start_sessiond()
        run(res, sess.port)
        res.check(sess.alive(), 'sessiond still running')
    except (OSError, redis.RedisError, harness.ServerError) as e:
        res.fail('redis-py run', repr(e))
    finally:
        harness.stop_all(res, sess)
    res.finish()


if __name__ == '__main__':
    main()
