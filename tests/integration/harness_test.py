"""Self-test of harness.py: RESP2/RESP3 reply framing (every prefix of a
reply is incomplete, the whole is exactly one reply, at every split point
over a real socket), decoding, and server kind detection. The other tests
trust the harness to find reply boundaries; this is where that is checked.
"""

import random
import socket
import threading

import harness
from harness import reply_end, decode, Err

REPLIES = [
    b'+OK\r\n',
    b'-ERR unknown command\r\n',
    b':-42\r\n',
    b'$-1\r\n',
    b'$0\r\n\r\n',
    b'$6\r\na\r\nb\x00c\r\n',
    b'*-1\r\n',
    b'*0\r\n',
    b'*3\r\n$1\r\na\r\n$-1\r\n:7\r\n',
    b'*2\r\n*2\r\n+a\r\n+b\r\n*1\r\n$2\r\n\r\n\r\n',
    b'*2\r\n$1\r\n0\r\n*0\r\n',
    # RESP3
    b'_\r\n',
    b',3.14\r\n',
    b',inf\r\n',
    b'#t\r\n',
    b'(3492890328409238509324850943850943825024385\r\n',
    b'!21\r\nSYNTAX invalid syntax\r\n',
    b'=15\r\ntxt:Some string\r\n',
    b'%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n',
    b'~3\r\n+a\r\n+b\r\n+c\r\n',
    b'>2\r\n+message\r\n$2\r\nhi\r\n',
    b'|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*1\r\n:2039123\r\n',
    b'$?\r\n;4\r\nHell\r\n;5\r\no wor\r\n;1\r\nd\r\n;0\r\n',
    b'*?\r\n:1\r\n:2\r\n.\r\n',
    b'%?\r\n+a\r\n:1\r\n.\r\n',
    b'%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n'
    b'$2\r\nid\r\n:5\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n'
    b'$7\r\nmodules\r\n*0\r\n',
]


def check_framing(res):
    for r in REPLIES:
        res.eq(reply_end(r), len(r), 'whole reply %r is one reply' % r[:40])
        incomplete = [i for i in range(1, len(r)) if reply_end(r[:i]) is not None]
        res.eq(incomplete, [], 'every proper prefix of %r is incomplete' % r[:40])
        res.eq(reply_end(r + b'+NEXT\r\n'), len(r), 'reply %r followed by another' % r[:40])
    try:
        reply_end(b'?what\r\n')
        res.fail('unknown type byte raises ProtocolError')
    except harness.ProtocolError:
        res.check(True, 'unknown type byte raises ProtocolError')


def check_decode(res):
    res.eq(decode(b'*3\r\n$1\r\na\r\n$-1\r\n:7\r\n')[0], [b'a', None, 7], 'decode array')
    res.eq(decode(b'-ERR x\r\n')[0], Err('ERR x'), 'decode error')
    res.eq(decode(b'%1\r\n$5\r\nproto\r\n:3\r\n')[0], {b'proto': 3}, 'decode map')
    res.eq(decode(b'_\r\n')[0], None, 'decode null')
    res.eq(decode(b'#f\r\n')[0], False, 'decode boolean')
    res.eq(harness.encode('SET', b'k\x00', 5), b'*3\r\n$3\r\nSET\r\n$2\r\nk\x00\r\n$1\r\n5\r\n',
           'encode')


def check_socket_splits(res):
    """A fake server sends all replies with random split points (fixed
    seed); the client must read back exactly the same replies, one each."""
    stream = b''.join(REPLIES)
    rng = random.Random(1234)
    lst = socket.socket()
    lst.bind(('127.0.0.1', 0))
    lst.listen(1)
    port = lst.getsockname()[1]

    def serve():
        conn, _ = lst.accept()
        with conn:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            pos = 0
            while pos < len(stream):
                n = rng.choice([1, 1, 2, 3, 7, 50])
                conn.sendall(stream[pos:pos + n])
                pos += n
            conn.recv(1)  # wait until the client is done, then close
    t = threading.Thread(target=serve)
    t.start()
    c = harness.RawClient(port)
    try:
        got = [c.read_reply() for _ in REPLIES]
        res.eq(got, REPLIES, 'replies read one at a time from a split stream')
        c.send(b'x')
        data, closed = c.read_until_close()
        res.check(data == b'' and closed, 'read_until_close sees the close', repr((data, closed)))
    finally:
        c.close()
        t.join()
        lst.close()


def main():
    res = harness.Results('harness')
    check_framing(res)
    check_decode(res)
    check_socket_splits(res)
    res.eq(harness.binary_kind(harness.redis_server_path()), 'redis', 'redis-server detected')
    res.finish()


if __name__ == '__main__':
    main()
