"""Transactions, AUTH, HELLO and the CLIENT KILL/REPLY/PAUSE controls, against
sessiond and a reference redis-server side by side.

Raw RESP scripts are sent to both servers and the replies compared byte for
byte (client ids and addresses, which differ, are replaced before comparing).
redis-py (4.3.4, Debian's) then drives sessiond the way applications do:
pipeline(transaction=True), transaction() with WATCH under a concurrent
writer on another connection and thread.

No check depends on timing: waits poll for a state (a paused client shows
flag b in CLIENT LIST, an expired key is gone) with generous deadlines that
only stop a broken server from hanging the suite.
"""

import re
import threading
import time

import redis

import harness
from harness import encode

POLL_DEADLINE_S = 60.0


def both(res, sess, red, label, *args, raw=None, normalize=None):
    """Sends the same request to both and checks the replies are equal."""
    payload = raw if raw is not None else encode(*args)
    a = sess.call(payload)
    b = red.call(payload)
    if normalize is not None:
        a, b = normalize(a), normalize(b)
    res.eq(a, b, label)
    return a


def hello_norm(reply):
    """A HELLO reply with its client id value blanked."""
    return re.sub(rb'(\$2\r\nid\r\n:)\d+', rb'\1ID', reply)


def poll(what, fn):
    deadline = time.monotonic() + POLL_DEADLINE_S
    while time.monotonic() < deadline:
        if fn():
            return True
        time.sleep(0.01)
    raise AssertionError('timed out waiting for ' + what)


def hello_and_transactions(res, sess_srv, red_srv):
    s, r = sess_srv.client(), red_srv.client()
    both(res, s, r, 'HELLO 2', 'HELLO', '2', normalize=hello_norm)
    both(res, s, r, 'HELLO 3', 'HELLO', '3', normalize=hello_norm)
    both(res, s, r, 'RESP3 null', 'GET', 'missing')
    both(res, s, r, 'HELLO 3 SETNAME', 'HELLO', '3', 'SETNAME', 'c1', normalize=hello_norm)
    both(res, s, r, 'CLIENT GETNAME after HELLO SETNAME', 'CLIENT', 'GETNAME')
    for args in (('HELLO', '4'), ('HELLO', '1'), ('HELLO', 'x'), ('HELLO', '3', 'BAD'),
                 ('HELLO', '3', 'AUTH', 'u'), ('HELLO', '3', 'AUTH', 'nobody', 'p'),
                 ('HELLO', '2', 'SETNAME', 'a b'), ('AUTH', 'pw'), ('AUTH', 'a', 'b', 'c')):
        both(res, s, r, ' '.join(args), *args)
    both(res, s, r, 'HELLO 2 back', 'HELLO', '2', normalize=hello_norm)

    # MULTI / EXEC / DISCARD / EXECABORT, RESP2 then RESP3.
    script = [
        ('FLUSHALL',), ('EXEC',), ('DISCARD',), ('MULTI',), ('MULTI',), ('WATCH', 'a'),
        ('SET', 'a', '1'), ('INCR', 'a'), ('INCR', 'a', 'b'), ('GET', 'a'), ('EXEC',),
        ('MULTI',), ('SET', 'a', '5'), ('INCR', 'a'), ('GET', 'a'), ('SET', 's', 'abc'),
        ('INCR', 's'), ('EXEC',), ('GET', 'a'),
        ('MULTI',), ('NOSUCH', 'x'), ('SET', 'b', '1'), ('EXEC',), ('GET', 'b'),
        ('MULTI',), ('SET', 'b', '1'), ('EXEC', 'extra'), ('EXEC',),
        ('MULTI',), ('SET', 'b', '2'), ('DISCARD',), ('GET', 'b'),
        ('WATCH', 'w'), ('SET', 'w', '1'), ('MULTI',), ('GET', 'w'), ('EXEC',),
        ('WATCH', 'w'), ('MULTI',), ('SET', 'w', '2'), ('EXEC',), ('GET', 'w'),
        ('WATCH', 'w'), ('UNWATCH',), ('SET', 'w', '3'), ('MULTI',), ('EXEC',),
        ('WATCH', 'w'), ('FLUSHDB',), ('MULTI',), ('EXEC',),
        ('WATCH', 'absent'), ('FLUSHDB',), ('MULTI',), ('EXEC',),
        ('MULTI',), ('SELECT', '2'), ('SET', 'x', 'db2'), ('EXEC',), ('GET', 'x'), ('SELECT', '0'),
    ]
    for proto in ('2', '3'):
        both(res, s, r, 'HELLO ' + proto, 'HELLO', proto, normalize=hello_norm)
        for i, args in enumerate(script):
            both(res, s, r, 'resp%s tx#%d %s' % (proto, i, ' '.join(args)), *args)
    # A pipelined transaction in one write.
    both(res, s, r, 'pipelined MULTI..EXEC', raw=b''.join(
        encode(*a) for a in (('MULTI',), ('SET', 'p', '1'), ('GET', 'p'), ('EXEC',))) + encode('PING'))
    # The remaining replies of that pipeline.
    for i in range(4):
        both(res, s, r, 'pipelined reply %d' % (i + 1), raw=b'')

    # RESET leaves MULTI, RESP3, the name and the database.
    both(res, s, r, 'HELLO 3 again', 'HELLO', '3', normalize=hello_norm)
    for args in (('SELECT', '3'), ('CLIENT', 'SETNAME', 'n'), ('MULTI',), ('SET', 'q', '1'),
                 ('RESET',), ('GET', 'q'), ('CLIENT', 'GETNAME'), ('EXEC',), ('SELECT', '3'),
                 ('GET', 'q'), ('SELECT', '0')):
        both(res, s, r, 'reset: ' + ' '.join(args), *args)

    # CLIENT REPLY: one payload each; only the replies sent arrive.
    both(res, s, r, 'CLIENT REPLY OFF then ON', raw=encode('CLIENT', 'REPLY', 'OFF') +
         encode('SET', 'ro', '1') + encode('NOSUCH') + encode('CLIENT', 'REPLY', 'ON'))
    both(res, s, r, 'CLIENT REPLY SKIP', raw=encode('CLIENT', 'REPLY', 'SKIP') +
         encode('GET', 'ro') + encode('GET', 'ro'))
    both(res, s, r, 'CLIENT REPLY bad', 'CLIENT', 'REPLY', 'MAYBE')
    s.close()
    r.close()


def auth_flows(res, sess_srv, red_srv):
    s, r = sess_srv.client(), red_srv.client()
    for args in (('GET', 'a'), ('PING',), ('MULTI',), ('NOSUCH',), ('GET',), ('CLIENT', 'ID'),
                 ('HELLO', '3'), ('HELLO', '3', 'SETNAME', 'x'), ('AUTH', 'bad'),
                 ('AUTH', 'default', 'bad'), ('AUTH', 'other', 'pw'), ('GET', 'a'),
                 ('AUTH', 'pw'), ('GET', 'a'), ('RESET',), ('GET', 'a'),
                 ('AUTH', 'default', 'pw'), ('SET', 'a', '1'), ('RESET',)):
        both(res, s, r, 'auth: ' + ' '.join(args), *args)
    both(res, s, r, 'HELLO 3 AUTH SETNAME', 'HELLO', '3', 'AUTH', 'default', 'pw', 'SETNAME', 'au',
         normalize=hello_norm)
    both(res, s, r, 'authenticated by HELLO', 'GET', 'a')
    both(res, s, r, 'named by HELLO', 'CLIENT', 'GETNAME')
    s.close()
    r.close()

    # Unauthenticated limits: the error, then the connection is closed.
    for label, payload in (('multibulk 11', b'*11\r\n'),
                           ('bulk 16385', b'*1\r\n$16385\r\n'),
                           ('multibulk 10 is fine', b'*10\r\n' + encode('x')[4:] * 10),
                           ('bulk 16384 is fine', b'*1\r\n$16384\r\n' + b'x' * 16384 + b'\r\n')):
        got = []
        for srv in (sess_srv, red_srv):
            c = srv.client()
            c.send(payload)
            data, closed = c.read_until_close(timeout=3 if 'fine' in label else POLL_DEADLINE_S)
            got.append((data, closed))
            c.close()
        res.eq(got[0], got[1], 'unauthenticated ' + label)
    # After AUTH the limits are lifted.
    for srv_name, srv in (('sessiond', sess_srv), ('redis', red_srv)):
        c = srv.client()
        res.eq(c.cmd('AUTH', 'pw'), b'+OK\r\n', srv_name + ' AUTH')
        res.eq(c.cmd('SET', 'big', 'x' * 20000), b'+OK\r\n', srv_name + ' large bulk after AUTH')
        res.eq(c.cmd(*(['MGET'] + ['k%d' % i for i in range(20)]))[:4], b'*20\r', srv_name +
               ' long multibulk after AUTH')
        c.close()

    # redis-py with a password.
    rp = redis.Redis(host='127.0.0.1', port=sess_srv.port, password='pw',
                     socket_timeout=harness.REPLY_DEADLINE_S)
    res.eq(rp.set('rp', '1'), True, 'redis-py with password: set')
    res.eq(rp.get('rp'), b'1', 'redis-py with password: get')
    try:
        redis.Redis(host='127.0.0.1', port=sess_srv.port,
                    socket_timeout=harness.REPLY_DEADLINE_S).get('rp')
        res.fail('redis-py without password gets an error')
    except redis.exceptions.AuthenticationError:
        res.check(True, 'redis-py without password: AuthenticationError')
    except redis.exceptions.ResponseError as e:
        res.check('NOAUTH' in str(e), 'redis-py without password: NOAUTH', str(e))
    try:
        redis.Redis(host='127.0.0.1', port=sess_srv.port, password='wrong',
                    socket_timeout=harness.REPLY_DEADLINE_S).get('rp')
        res.fail('redis-py with a wrong password gets an error')
    except (redis.exceptions.AuthenticationError, redis.exceptions.ResponseError) as e:
        # redis-py 4.3.4 raises WRONGPASS as a plain ResponseError.
        res.check('invalid username-password' in str(e), 'wrong password: WRONGPASS', str(e))
    rp.close()


def client_id(c):
    return int(c.cmd('CLIENT', 'ID')[1:-2])


def client_flags(observer, cid):
    out = harness.decode(observer.cmd('CLIENT', 'LIST', 'ID', str(cid)))[0]
    m = re.search(rb' flags=(\S+) ', out)
    return m.group(1) if m else b''


def kill_and_pause(res, srv, tag):
    """Per server (the flows are the same; replies compared by the caller)."""
    out = []
    a, b, c = srv.client(), srv.client(), srv.client()
    bid = client_id(b)
    out.append(a.cmd('CLIENT', 'KILL', 'ID', str(bid)))
    data, closed = b.read_until_close()
    res.check(closed, tag + ': CLIENT KILL ID closed the victim')
    out.append(a.cmd('CLIENT', 'KILL', 'ID', str(bid)))
    # Old form by address, taken from the victim's CLIENT INFO.
    info = harness.decode(c.cmd('CLIENT', 'INFO'))[0]
    addr = re.search(rb'addr=(\S+)', info).group(1)
    out.append(a.cmd('CLIENT', 'KILL', addr))
    data, closed = c.read_until_close()
    res.check(closed, tag + ': CLIENT KILL addr closed the victim')
    out.append(a.cmd('CLIENT', 'KILL', addr))
    out.append(a.cmd('CLIENT', 'KILL', 'ID', str(client_id(a)), 'SKIPME', 'yes'))
    for args in (('CLIENT', 'KILL', 'ID', '0'), ('CLIENT', 'KILL', 'TYPE', 'x'),
                 ('CLIENT', 'KILL', 'USER', 'x'), ('CLIENT', 'KILL', 'SKIPME', 'x'),
                 ('CLIENT', 'PAUSE', 'x'), ('CLIENT', 'PAUSE', '-1'),
                 ('CLIENT', 'PAUSE', '1', 'NONE'), ('CLIENT', 'NO-EVICT', 'x')):
        out.append(a.cmd(*args))

    # PAUSE WRITE: a writer's SET waits (and the PING after it), readers go on.
    w, observer = srv.client(), srv.client()
    wid = client_id(w)
    observer.cmd('DEL', 'pk')
    out.append(a.cmd('CLIENT', 'PAUSE', '600000', 'WRITE'))
    w.send(encode('SET', 'pk', 'v') + encode('PING'))
    poll(tag + ' writer postponed', lambda: b'b' in client_flags(observer, wid))
    out.append(observer.cmd('GET', 'pk'))          # the SET has not run
    out.append(observer.cmd('PING'))
    out.append(a.cmd('CLIENT', 'UNPAUSE'))
    out.append(w.read_reply())
    out.append(w.read_reply())
    out.append(observer.cmd('GET', 'pk'))
    # PAUSE ALL holds every command, CLIENT UNPAUSE included, until the
    # timeout: the only observable is that the reply comes after the pause.
    # The bound below is a lower bound the pause guarantees (it cannot fail
    # on a slow machine, only if the read was not held).
    t0 = time.monotonic()
    out.append(a.cmd('CLIENT', 'PAUSE', '300', 'ALL'))
    w.send(encode('GET', 'pk'))
    out.append(w.read_reply())
    held = time.monotonic() - t0
    res.check(held >= 0.25, tag + ': a read waited for PAUSE ALL to end', '%.3f s' % held)
    for x in (a, w, observer):
        x.close()
    return out


def kill_pause_compare(res, sess_srv, red_srv):
    got_s = kill_and_pause(res, sess_srv, 'sessiond')
    got_r = kill_and_pause(res, red_srv, 'redis')
    res.eq(len(got_s), len(got_r), 'kill/pause: as many replies')
    for i, (x, y) in enumerate(zip(got_s, got_r)):
        res.eq(x, y, 'kill/pause reply %d' % i)


def redis_py_transactions(res, port):
    r = redis.Redis(host='127.0.0.1', port=port, socket_timeout=harness.REPLY_DEADLINE_S)
    other = redis.Redis(host='127.0.0.1', port=port, socket_timeout=harness.REPLY_DEADLINE_S)
    r.flushall()
    with r.pipeline(transaction=True) as p:
        p.set('t', 1).incr('t').get('t').incrby('t', 5)
        res.eq(p.execute(), [True, 2, b'2', 7], 'pipeline(transaction=True)')
    with r.pipeline(transaction=True) as p:
        p.set('t', 'x').incr('t').get('t')
        out = p.execute(raise_on_error=False)
        res.check(out[0] is True and isinstance(out[1], redis.exceptions.ResponseError)
                  and out[2] == b'x', 'pipeline with a failing command', repr(out))

    # transaction() with WATCH: a write from another connection between the
    # read and EXEC aborts the first attempt; the retry succeeds.
    r.set('counter', 0)
    attempts = [0]

    def add_one(pipe):
        attempts[0] += 1
        v = int(pipe.get('counter'))
        if attempts[0] == 1:
            other.incr('counter')   # the concurrent writer
        pipe.multi()
        pipe.set('counter', v + 1)
    r.transaction(add_one, 'counter')
    res.eq(attempts[0], 2, 'WATCH made the first EXEC abort (one retry)')
    res.eq(int(r.get('counter')), 2, 'no increment lost')

    # Two threads incrementing through WATCH/MULTI/EXEC: none is lost.
    r.set('shared', 0)
    per_thread = 200
    retries = [0, 0]
    errors = []

    def worker(idx):
        conn = redis.Redis(host='127.0.0.1', port=port, socket_timeout=harness.REPLY_DEADLINE_S)
        try:
            for _ in range(per_thread):
                while True:  # bounded in practice: each retry means the other thread progressed
                    with conn.pipeline() as p:
                        try:
                            p.watch('shared')
                            v = int(p.get('shared'))
                            p.multi()
                            p.set('shared', v + 1)
                            p.execute()
                            break
                        except redis.WatchError:
                            retries[idx] += 1
        except Exception as e:  # reported below
            errors.append(repr(e))
        finally:
            conn.close()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    res.eq(errors, [], 'concurrent WATCH workers raised nothing')
    res.eq(int(r.get('shared')), 2 * per_thread, 'concurrent WATCH increments: none lost')
    print('concurrent WATCH retries: %r' % retries)

    # WATCH, then the key expires: EXEC aborts.
    r.set('exp', 'v', px=50)
    with r.pipeline() as p:
        p.watch('exp')
        poll('key expiry', lambda: other.pttl('exp') == -2)
        p.multi()
        p.set('exp', 'new')
        try:
            p.execute()
            res.fail('EXEC after a watched key expired must abort')
        except redis.WatchError:
            res.check(True, 'WATCH then expiry: WatchError')
    res.eq(r.get('exp'), None, 'the aborted transaction did not run')
    r.close()
    other.close()


def main():
    res = harness.Results('transactions_auth')
    sess = red = None
    try:
        sess = harness.start_sessiond()
        red = harness.start_redis()
        hello_and_transactions(res, sess, red)
        kill_pause_compare(res, sess, red)
        redis_py_transactions(res, sess.port)
        res.check(sess.alive(), 'sessiond alive')
    except harness.ServerError as e:
        res.fail('server start', str(e))
    finally:
        harness.stop_all(res, sess, red)
    sess = red = None
    try:
        sess = harness.start_sessiond({'requirepass': 'pw'})
        red = harness.start_redis({'requirepass': 'pw'})
        auth_flows(res, sess, red)
        res.check(sess.alive(), 'sessiond alive (requirepass)')
    except harness.ServerError as e:
        res.fail('server start (requirepass)', str(e))
    finally:
        harness.stop_all(res, sess, red)
    res.finish()


if __name__ == '__main__':
    main()
