"""RESP client for the benchmark: encoding, a blocking connection, bulk loading.

Every socket here talks to 127.0.0.1 only, to servers the bench starts itself.
"""

import socket
import sys
import threading
import time

T_START = time.monotonic()

# How many commands go in one write when loading keys: large enough that the
# per-write overhead vanishes, small enough that the replies of one chunk
# (10k * 5 bytes) fit in the socket buffers, so a server that stops reading
# while its output is blocked can not deadlock with us.
CHUNK = 10_000
SOCKET_TIMEOUT_S = 60.0      # no single reply may take longer than this


def log(msg):
    print(f"[bench {time.monotonic() - T_START:6.1f}s] {msg}", file=sys.stderr, flush=True)


def encode(*args):
    """One RESP2 command as bytes."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if not isinstance(a, bytes):
            a = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class RespError(Exception):
    pass


class Resp:
    """A minimal blocking RESP2 client over one loopback connection."""

    def __init__(self, port, timeout=SOCKET_TIMEOUT_S):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()

    def close(self):
        self.sock.close()

    def _fill(self):
        data = self.sock.recv(1 << 20)
        if not data:
            raise ConnectionError("server closed the connection")
        self.buf += data

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line = bytes(self.buf[:i])
                del self.buf[:i + 2]
                return line
            self._fill()

    def read_reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return RespError(rest.decode(errors="replace"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                self._fill()
            val = bytes(self.buf[:n])
            del self.buf[:n + 2]
            return val
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.read_reply() for _ in range(n)]
        if kind == b"_":
            return None
        raise RespError(f"unexpected reply line {line[:80]!r}")

    def call(self, *args):
        self.sock.sendall(encode(*args))
        reply = self.read_reply()
        if isinstance(reply, RespError):
            raise reply
        return reply

    def call_raw(self, raw):
        """Send pre-encoded bytes holding one command; return its reply."""
        self.sock.sendall(raw)
        return self.read_reply()

    def load(self, chunks):
        """Pipeline (payload, n_commands) chunks; each command must answer one
        line (+OK or -ERR). Returns (seconds, first error or None, n_errors)."""
        # A writer thread sends while this thread counts reply lines, so the
        # server never waits for us and neither side can block the other.
        first_err, n_err, sent, failure = None, 0, [0], []
        done_sending = threading.Event()

        def writer():
            try:
                for payload, n in chunks:
                    sent[0] += n        # before sending: replies may come at once
                    self.sock.sendall(payload)
            except Exception as e:   # reported by the reader below
                failure.append(e)
            finally:
                done_sending.set()

        t0 = time.perf_counter()
        th = threading.Thread(target=writer, daemon=True)
        th.start()
        got, tail = 0, b""
        while not failure:
            # Read `done` before `sent`: once done, `sent` is final. While all
            # sent commands are answered, wait for the writer, never in recv().
            done, expected = done_sending.is_set(), sent[0]
            if got >= expected:
                if done:
                    break
                done_sending.wait(0.0005)
                continue
            if self.buf:
                data, self.buf = bytes(self.buf), bytearray()
            else:
                data = self.sock.recv(1 << 20)
                if not data:
                    raise ConnectionError("server closed the connection while loading")
            got += data.count(b"\n")
            if b"-" in data or b"-" in tail:
                # Error lines may straddle two reads: look at the joined text.
                for ln in (tail + data).split(b"\r\n")[:-1]:
                    if ln.startswith(b"-"):
                        n_err += 1
                        first_err = first_err or ln.decode(errors="replace")
            tail = data[data.rfind(b"\n") + 1:]
        th.join(SOCKET_TIMEOUT_S)
        if failure:
            raise failure[0]
        if got != sent[0]:
            raise RespError(f"{got} reply lines for {sent[0]} commands: not one-line replies?")
        return time.perf_counter() - t0, first_err, n_err



def chunked(tpl, n, fmt):
    """(payload, n_commands) chunks of CHUNK commands: tpl % fmt(i) for i < n."""
    for a in range(0, n, CHUNK):
        b = min(n, a + CHUNK)
        yield b"".join([tpl % fmt(i) for i in range(a, b)]), b - a
