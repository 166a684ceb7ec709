"""Integration-test harness: start/stop servers, raw RESP client, results.

Servers are started on free loopback ports and stopped by pid. The same
harness drives sessiond and redis-server; it detects which binary it was given
(so the suite can be validated with SESSIOND=/usr/bin/redis-server).

Environment:
  SESSIOND      path of the server under test (default: build/sessiond)
  REDIS_SERVER  path of the reference redis-server (default: redis-server on PATH)
  REDIS_CLI     path of redis-cli (default: redis-cli on PATH)

Deadlines in this file (start-up, reply, close) are generous upper bounds that
only keep a broken server from hanging the suite; no test asserts on timing.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

# Generous: an ASan build on a loaded machine can be slow to start or answer.
START_DEADLINE_S = 60.0
REPLY_DEADLINE_S = 60.0
STOP_DEADLINE_S = 20.0


def sessiond_path():
    return os.environ.get('SESSIOND') or os.path.join(REPO, 'build', 'sessiond')


def redis_server_path():
    return os.environ.get('REDIS_SERVER') or shutil.which('redis-server') or '/usr/bin/redis-server'


def redis_cli_path():
    return os.environ.get('REDIS_CLI') or shutil.which('redis-cli') or '/usr/bin/redis-cli'


_kind_cache = {}


def binary_kind(path):
    """'redis' if `path` is a redis-server, else 'sessiond'."""
    if path not in _kind_cache:
        kind = 'sessiond'
        if 'redis-server' in os.path.basename(os.path.realpath(path)):
            kind = 'redis'
        else:
            try:
                out = subprocess.run([path, '--version'], capture_output=True,
                                     timeout=30).stdout
                if out.startswith(b'Redis server'):
                    kind = 'redis'
            except (OSError, subprocess.SubprocessError):
                pass
        _kind_cache[path] = kind
    return _kind_cache[path]


def free_port(limit=65535):
    """A port <= limit that was free a moment ago (bind to port 0, read it,
    close). A port over the limit is held while the next is drawn, so each
    draw gives another; bounded to 200 draws."""
    held = []
    try:
        for _ in range(200):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            held.append(s)
            s.bind(('127.0.0.1', 0))
            port = s.getsockname()[1]
            if port <= limit:
                return port
        raise ServerError('no free port <= %d in 200 draws' % limit)
    finally:
        for s in held:
            s.close()


# A cluster node also listens on port + 10000 (the cluster bus), so Redis
# refuses ports above this ("Redis port number too high").
CLUSTER_PORT_LIMIT = 55535


class ServerError(Exception):
    pass


class Server:
    """One server process on 127.0.0.1:port, owned by this object.

    `options` maps config names shared by redis-server and sessiond
    (proto-max-bulk-len, client-query-buffer-limit, maxclients, databases)
    to values; both accept them as `--name value`.
    """

    def __init__(self, path, options=None, name=None):
        self.path = path
        self.kind = binary_kind(path)
        self.name = name or ('%s(%s)' % (self.kind, os.path.basename(path)))
        self.options = dict(options or {})
        self.options.setdefault('databases', 16)
        self.proc = None
        self.port = None
        self.dir = None
        self.log_path = None

    def _argv(self, port):
        argv = [self.path, '--bind', '127.0.0.1', '--port', str(port)]
        if self.kind == 'redis':
            argv += ['--save', '', '--appendonly', 'no', '--daemonize', 'no',
                     '--dir', self.dir]
        argv += ['--loglevel', 'warning']
        for k, v in self.options.items():
            argv += ['--' + k, str(v)]
        return argv

    def start(self):
        self.dir = tempfile.mkdtemp(prefix='integ-')
        self.log_path = os.path.join(self.dir, 'server.log')
        last = None
        cluster = str(self.options.get('cluster-enabled', '')).lower() == 'yes'
        for _attempt in range(3):  # bounded: a port may be taken between probe and bind
            port = free_port(CLUSTER_PORT_LIMIT if cluster else 65535)
            log = open(self.log_path, 'ab')
            self.proc = subprocess.Popen(self._argv(port), cwd=self.dir, stdout=log,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            log.close()
            self.port = port
            try:
                self._wait_ready()
                return self
            except ServerError as e:
                last = e
                self._kill()
        raise ServerError('%s did not start: %s\n%s' % (self.name, last, self.log_tail()))

    def _wait_ready(self):
        deadline = time.monotonic() + START_DEADLINE_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServerError('exited with %s' % self.proc.returncode)
            try:
                c = RawClient(self.port, timeout=5)
            except OSError:
                time.sleep(0.05)
                continue
            try:
                # A server started with requirepass answers NOAUTH: also ready.
                if c.call(b'*1\r\n$4\r\nPING\r\n') in (
                        b'+PONG\r\n', b'-NOAUTH Authentication required.\r\n'):
                    return
            except (OSError, ProtocolError):
                pass
            finally:
                c.close()
            time.sleep(0.05)
        raise ServerError('not accepting connections after %ss' % START_DEADLINE_S)

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def client(self, **kw):
        return RawClient(self.port, **kw)

    def status_kb(self, field):
        """A kB figure from /proc/PID/status, e.g. 'VmRSS' or 'VmData'."""
        with open('/proc/%d/status' % self.pid) as f:
            for line in f:
                if line.startswith(field + ':'):
                    return int(line.split()[1])
        raise ServerError('no %s in /proc/%d/status' % (field, self.pid))

    def rss_kb(self):
        """Resident set size (VmRSS), in kB."""
        return self.status_kb('VmRSS')

    def log_tail(self, n=40):
        try:
            with open(self.log_path, 'rb') as f:
                lines = f.read().decode('utf-8', 'replace').splitlines()
            return '\n'.join(lines[-n:])
        except OSError:
            return ''

    def _kill(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.kill(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=STOP_DEADLINE_S)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        except ProcessLookupError:
            pass

    def stop(self):
        """Stops the server by pid. Returns a list of problems found in its
        log (sanitizer reports, crashes), empty if none."""
        problems = []
        if self.proc is None:
            return problems
        if self.proc.poll() is not None:
            problems.append('%s had already exited with %s' % (self.name, self.proc.returncode))
        self._kill()
        try:
            with open(self.log_path, 'rb') as f:
                log = f.read().decode('utf-8', 'replace')
        except OSError:
            log = ''
        for marker in ('ERROR: AddressSanitizer', 'ERROR: LeakSanitizer', 'runtime error:',
                       'Segmentation fault', 'REDIS BUG REPORT'):
            if marker in log:
                problems.append('%s log contains %r:\n%s' % (self.name, marker, self.log_tail(60)))
                break
        shutil.rmtree(self.dir, ignore_errors=True)
        self.proc = None
        return problems

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def start_sessiond(options=None):
    return Server(sessiond_path(), options, name='sessiond').start()


def start_redis(options=None):
    return Server(redis_server_path(), options, name='redis').start()


# ---------------------------------------------------------------------------
# RESP

class ProtocolError(Exception):
    pass


def encode(*args):
    """A RESP multibulk request; args are str or bytes (str is UTF-8)."""
    out = [b'*%d\r\n' % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        elif isinstance(a, int):
            a = str(a).encode()
        out.append(b'$%d\r\n%s\r\n' % (len(a), a))
    return b''.join(out)


def _line(buf, pos):
    end = buf.find(b'\r\n', pos)
    if end < 0:
        return None, None
    return buf[pos:end], end + 2


def reply_end(buf, pos=0):
    """Index just past the one complete RESP2/RESP3 reply starting at `pos`,
    or None if `buf` does not hold all of it yet."""
    if pos >= len(buf):
        return None
    t = buf[pos:pos + 1]
    line, nxt = _line(buf, pos + 1)
    if line is None:
        return None
    if t in b'+-:_,#(':
        return nxt
    if t in b'$!=':
        if line == b'?':  # RESP3 streamed string: ;N chunks, ;0 ends
            p = nxt
            while True:
                hdr, p2 = _line(buf, p)
                if hdr is None:
                    return None
                if hdr[:1] != b';':
                    raise ProtocolError('bad streamed chunk %r' % hdr)
                n = int(hdr[1:])
                if n == 0:
                    return p2
                if len(buf) < p2 + n + 2:
                    return None
                p = p2 + n + 2
        n = int(line)
        if n < 0:
            return nxt
        if len(buf) < nxt + n + 2:
            return None
        if buf[nxt + n:nxt + n + 2] != b'\r\n':
            raise ProtocolError('bulk not terminated by CRLF')
        return nxt + n + 2
    if t in b'*~>%|':
        if line == b'?':  # RESP3 streamed aggregate ends with ".\r\n"
            p = nxt
            while True:
                if buf[p:p + 3] == b'.\r\n':
                    return p + 3
                if len(buf) < p + 3:
                    return None
                p = reply_end(buf, p)
                if p is None:
                    return None
        n = int(line)
        if n < 0:
            return nxt
        if t in b'%|':
            n *= 2
        p = nxt
        for _ in range(n):
            p = reply_end(buf, p)
            if p is None:
                return None
        if t == b'|':  # an attribute prefixes the actual reply
            return reply_end(buf, p)
        return p
    raise ProtocolError('unknown RESP type byte %r at %d in %r' % (t, pos, buf[pos:pos + 60]))


class Err:
    """A decoded error reply."""

    def __init__(self, msg):
        self.msg = msg

    def __eq__(self, other):
        return isinstance(other, Err) and other.msg == self.msg

    def __hash__(self):
        return hash(self.msg)

    def __repr__(self):
        return 'Err(%r)' % self.msg


def decode(buf, pos=0):
    """(python value, end) of the reply at `pos`. Bulk strings are bytes,
    simple strings str, errors Err, maps dict (keys as decoded), sets lists."""
    t = buf[pos:pos + 1]
    line, nxt = _line(buf, pos + 1)
    if line is None:
        raise ProtocolError('incomplete')
    if t == b'+':
        return line.decode('utf-8', 'replace'), nxt
    if t in b'-!':
        if t == b'!':
            n = int(line)
            return Err(buf[nxt:nxt + n].decode('utf-8', 'replace')), nxt + n + 2
        return Err(line.decode('utf-8', 'replace')), nxt
    if t in b':(':
        return int(line), nxt
    if t == b'_':
        return None, nxt
    if t == b',':
        return float(line), nxt
    if t == b'#':
        return line == b't', nxt
    if t in b'$=':
        n = int(line)
        if n < 0:
            return None, nxt
        return bytes(buf[nxt:nxt + n]), nxt + n + 2
    if t in b'*~>%|':
        n = int(line)
        if n < 0:
            return None, nxt
        p = nxt
        if t in b'%|':
            d = {}
            for _ in range(n):
                k, p = decode(buf, p)
                v, p = decode(buf, p)
                d[k if not isinstance(k, list) else tuple(k)] = v
            if t == b'|':
                return decode(buf, p)
            return d, p
        out = []
        for _ in range(n):
            v, p = decode(buf, p)
            out.append(v)
        return out, p
    raise ProtocolError('unknown RESP type byte %r' % t)


class RawClient:
    """A socket client that sends exact bytes and reads exactly one reply."""

    def __init__(self, port, timeout=REPLY_DEADLINE_S):
        self.sock = socket.create_connection(('127.0.0.1', port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()

    def send(self, data):
        self.sock.sendall(data)

    def read_reply(self):
        """Raw bytes of exactly one complete reply; raises ConnectionError if
        the server closes first, socket.timeout after the deadline."""
        while True:
            end = reply_end(self.buf) if self.buf else None
            if end is not None:
                out = bytes(self.buf[:end])
                del self.buf[:end]
                return out
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise ConnectionError('server closed; partial reply %r' % bytes(self.buf[:200]))
            self.buf += chunk

    def call(self, data):
        self.send(data)
        return self.read_reply()

    def cmd(self, *args):
        return self.call(encode(*args))

    def read_until_close(self, timeout=REPLY_DEADLINE_S):
        """(all bytes received, closed?) reading until EOF or `timeout`.
        closed is False if the server kept the connection open that long."""
        self.sock.settimeout(timeout)
        data = bytearray(self.buf)
        self.buf.clear()
        closed = False
        try:
            while True:
                chunk = self.sock.recv(1 << 16)
                if not chunk:
                    closed = True
                    break
                data += chunk
        except socket.timeout:
            pass
        except ConnectionResetError:
            closed = True
        return bytes(data), closed

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


# ---------------------------------------------------------------------------
# Results

class Results:
    """Counts checks; `finish()` prints `N passed, N failed` and exits."""

    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0

    def check(self, cond, what, detail=''):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print('FAIL: %s%s' % (what, ('\n  ' + detail) if detail else ''), flush=True)
        return cond

    def eq(self, got, want, what):
        return self.check(got == want, what, 'got  %r\n  want %r' % (got, want))

    def fail(self, what, detail=''):
        return self.check(False, what, detail)

    def skip(self, what):
        print('SKIP: %s' % what, flush=True)

    def finish(self):
        print('%d passed, %d failed' % (self.passed, self.failed), flush=True)
        sys.exit(1 if self.failed or not self.passed else 0)


def stop_all(results, *servers):
    """Stops every started server, recording log problems as failures."""
    for s in servers:
        if s is not None:
            for p in s.stop():
                results.fail('server problem', p)
