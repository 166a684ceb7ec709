"""Server-level behaviour of sessiond, compared with a real redis-server.

Covers what lies around the commands rather than in them: the unix socket,
maxclients, clean shutdown (signals and SHUTDOWN), the command line and
config file, pipelining and split requests, QUIT, CLIENT LIST/ID/INFO, and
large values. Each scenario runs against the server under test ($SESSIOND)
and, where Redis defines the behaviour, against redis-server too; replies
must be equal byte for byte and are also checked against their known bytes,
so a scenario fails even if both servers were wrong the same way.

Setting SESSIOND=/usr/bin/redis-server validates the expectations against
Redis: the sessiond-only checks (CLI flags, log wording) are then skipped.

No check asserts on timing. Waits are bounded only so that a broken server
cannot hang the suite (harness.*_DEADLINE_S); the few "nothing arrives yet"
checks read for a short while and can only pass vacuously on a slow machine,
never fail spuriously.
"""

import os
import random
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

import harness
from harness import encode

# How long a "no reply yet" probe listens. Only a server that answers an
# incomplete request can fail it; a slow machine makes it pass vacuously.
QUIET_PROBE_S = 0.3
PIPELINE_PAIRS = 10000
BIG_VALUE_LEN = 10 * 1024 * 1024
MGET_KEYS = 1000


# ---------------------------------------------------------------------------
# Processes started with an exact command line (harness.Server always passes
# --port and --loglevel; these tests need other command lines).

class Proc:
    """One server process started from `argv_fn(port, dir)`, with stdout and
    stderr in separate files; stopped by pid."""

    def __init__(self, path, argv_fn, name):
        self.path = path
        self.kind = harness.binary_kind(path)
        self.argv_fn = argv_fn
        self.name = name
        self.proc = None
        self.port = None
        self.dir = tempfile.mkdtemp(prefix='server-test-')

    def launch(self, port):
        self.port = port
        out = open(os.path.join(self.dir, 'stdout'), 'wb')
        err = open(os.path.join(self.dir, 'stderr'), 'wb')
        self.proc = subprocess.Popen(self.argv_fn(port, self.dir), cwd=self.dir, stdout=out,
                                     stderr=err, stdin=subprocess.DEVNULL)
        out.close()
        err.close()
        return self

    def start(self):
        """Launches on a free port and waits until PING answers."""
        last = None
        for _attempt in range(3):  # bounded: a port may be taken between probe and bind
            self.launch(harness.free_port())
            try:
                self.wait_ready()
                return self
            except harness.ServerError as e:
                last = e
                self.kill()
        raise harness.ServerError('%s did not start: %s\n%s' % (self.name, last, self.output()))

    def wait_ready(self):
        deadline = time.monotonic() + harness.START_DEADLINE_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise harness.ServerError('exited with %s' % self.proc.returncode)
            try:
                c = harness.RawClient(self.port, timeout=5)
            except OSError:
                time.sleep(0.05)
                continue
            try:
                if c.cmd('PING') == b'+PONG\r\n':
                    return
            except (OSError, harness.ProtocolError):
                pass
            finally:
                c.close()
            time.sleep(0.05)
        raise harness.ServerError('not ready after %ss' % harness.START_DEADLINE_S)

    @property
    def pid(self):
        return self.proc.pid

    def client(self):
        return harness.RawClient(self.port)

    def wait_exit(self):
        """The exit status, or None if still running after the stop deadline."""
        try:
            return self.proc.wait(timeout=harness.STOP_DEADLINE_S)
        except subprocess.TimeoutExpired:
            return None

    def read(self, stream):
        try:
            with open(os.path.join(self.dir, stream), 'rb') as f:
                return f.read().decode('utf-8', 'replace')
        except OSError:
            return ''

    def log(self):
        """Where the server writes its log: sessiond stderr, redis stdout."""
        return self.read('stderr' if self.kind == 'sessiond' else 'stdout')

    def output(self):
        return (self.read('stdout') + self.read('stderr'))[-3000:]

    def kill(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.kill(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=harness.STOP_DEADLINE_S)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        except ProcessLookupError:
            pass

    def stop(self, res):
        self.kill()
        text = self.output()
        for marker in ('ERROR: AddressSanitizer', 'ERROR: LeakSanitizer', 'runtime error:',
                       'Segmentation fault', 'REDIS BUG REPORT'):
            if marker in text:
                res.fail('%s: log contains %r' % (self.name, marker), text)
                break
        shutil.rmtree(self.dir, ignore_errors=True)


def server_argv(path, extra=()):
    """argv_fn for Proc: bind 127.0.0.1 on the given port, default log level
    (notice: the shutdown lines are logged), plus `extra`."""
    def argv(port, d):
        out = [path, '--bind', '127.0.0.1', '--port', str(port)]
        if harness.binary_kind(path) == 'redis':
            out += ['--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', d]
        return out + list(extra)
    return argv


def both():
    """(path, name) of the server under test and of the reference Redis."""
    return [(harness.sessiond_path(), 'sessiond'), (harness.redis_server_path(), 'redis')]


def run_both(res, scenario, options=None):
    """Runs `scenario(res, server)` on the server under test and on Redis
    (each started with harness options); returns their results by name."""
    out = {}
    for path, name in both():
        s = None
        try:
            s = harness.Server(path, options, name=name).start()
            out[name] = scenario(res, s)
        except (OSError, harness.ProtocolError, harness.ServerError) as e:
            res.fail('%s: %s' % (name, scenario.__name__), repr(e))
            out[name] = None
        finally:
            if s is not None:
                harness.stop_all(res, s)
    return out


def compare(res, out, what):
    res.eq(out.get('sessiond'), out.get('redis'), '%s: sessiond and redis agree' % what)


def info_fields(client, section):
    data, _ = harness.decode(client.cmd('INFO', section))
    fields = {}
    for line in data.decode().splitlines():
        if ':' in line and not line.startswith('#'):
            k, v = line.split(':', 1)
            fields[k] = v
    return fields


def wait_connected(client, n):
    """INFO connected_clients once it equals n (the server sees a client's
    close a little after the client closes), or its last value after the
    reply deadline."""
    deadline = time.monotonic() + harness.REPLY_DEADLINE_S
    while True:
        got = info_fields(client, 'clients').get('connected_clients')
        if got == str(n) or time.monotonic() > deadline:
            return got
        time.sleep(0.02)


def quiet(client):
    """Bytes that arrive within QUIET_PROBE_S (expected: none)."""
    client.sock.settimeout(QUIET_PROBE_S)
    try:
        return client.sock.recv(1 << 16)
    except socket.timeout:
        return b''
    finally:
        client.sock.settimeout(harness.REPLY_DEADLINE_S)


def redis_cli(args):
    p = subprocess.run([harness.redis_cli_path()] + args, capture_output=True,
                       timeout=harness.REPLY_DEADLINE_S)
    return p.returncode, p.stdout


# ---------------------------------------------------------------------------
# 1. --unixsocket

def check_unixsocket(res):
    for path, name in both():
        sock_dir = tempfile.mkdtemp(prefix='server-test-sock-')
        sock = os.path.join(sock_dir, 'sessiond.sock')
        p = Proc(path, server_argv(path, ['--unixsocket', sock]), name)
        try:
            p.start()
            res.check(os.path.exists(sock), '%s: socket file exists' % name)
            res.eq(redis_cli(['-s', sock, 'PING']), (0, b'PONG\n'), '%s: redis-cli -s PING' % name)
            res.eq(redis_cli(['-s', sock, 'SET', 'u', 'over unix']), (0, b'OK\n'),
                   '%s: redis-cli -s SET' % name)
            res.eq(redis_cli(['-s', sock, 'GET', 'u']), (0, b'over unix\n'),
                   '%s: redis-cli -s GET' % name)
            rc, info = redis_cli(['-s', sock, 'CLIENT', 'INFO'])
            res.check(rc == 0 and b' flags=U ' in info, '%s: CLIENT INFO over unix has flags=U' % name,
                      repr(info))
            c = p.client()
            res.eq(c.cmd('GET', 'u'), b'$9\r\nover unix\r\n', '%s: TCP sees the unix SET' % name)
            res.eq(c.cmd('SET', 't', 'tcp'), b'+OK\r\n', '%s: TCP SET' % name)
            res.eq(redis_cli(['-s', sock, 'GET', 't']), (0, b'tcp\n'), '%s: unix sees the TCP SET' % name)
            c.close()
            os.kill(p.pid, signal.SIGTERM)
            res.eq(p.wait_exit(), 0, '%s: exit status after SIGTERM' % name)
            res.check(not os.path.exists(sock), '%s: socket file removed after SIGTERM' % name)
        except (OSError, harness.ProtocolError, harness.ServerError) as e:
            res.fail('%s: unixsocket' % name, repr(e))
        finally:
            p.stop(res)
            shutil.rmtree(sock_dir, ignore_errors=True)


# ---------------------------------------------------------------------------
# 2. --maxclients

def scenario_maxclients(res, s):
    """Returns the observed bytes; `res` gets the known-value checks."""
    tag = s.name
    seen = []
    clients = [s.client() for _ in range(3)]
    try:
        seen += [c.cmd('PING') for c in clients]
        res.eq(seen, [b'+PONG\r\n'] * 3, '%s: three clients served' % tag)
        info = info_fields(clients[0], 'clients')
        res.eq((info.get('connected_clients'), info.get('maxclients')), ('3', '3'),
               '%s: INFO clients with 3 of 3' % tag)
        fourth = s.client()
        data, closed = fourth.read_until_close()
        fourth.close()
        res.eq((data, closed), (b'-ERR max number of clients reached\r\n', True),
               '%s: 4th client gets the error and is closed' % tag)
        seen.append(data)
        res.eq(info_fields(clients[0], 'stats').get('rejected_connections'), '1',
               '%s: rejected_connections' % tag)
        res.eq(wait_connected(clients[0], 3), '3', '%s: the rejected client is not counted' % tag)

        clients.pop().close()
        res.eq(wait_connected(clients[0], 2), '2', '%s: connected_clients after one closes' % tag)
        again = s.client()
        clients.append(again)
        seen.append(again.cmd('PING'))
        res.eq(seen[-1], b'+PONG\r\n', '%s: a new client is accepted after one closed' % tag)

        seen.append(clients[0].cmd('CONFIG', 'SET', 'maxclients', '4'))
        res.eq(seen[-1], b'+OK\r\n', '%s: CONFIG SET maxclients 4' % tag)
        seen.append(clients[0].cmd('CONFIG', 'GET', 'maxclients'))
        res.eq(seen[-1], b'*2\r\n$10\r\nmaxclients\r\n$1\r\n4\r\n', '%s: CONFIG GET maxclients' % tag)
        extra = s.client()
        clients.append(extra)
        seen.append(extra.cmd('PING'))
        res.eq(seen[-1], b'+PONG\r\n', '%s: a 4th client is accepted after the live raise' % tag)
        info = info_fields(extra, 'clients')
        res.eq((info.get('connected_clients'), info.get('maxclients')), ('4', '4'),
               '%s: INFO clients with 4 of 4' % tag)
        fifth = s.client()
        data, closed = fifth.read_until_close()
        fifth.close()
        res.eq((data, closed), (b'-ERR max number of clients reached\r\n', True),
               '%s: 5th client refused under maxclients 4' % tag)
        seen.append(data)
        res.eq(wait_connected(extra, 4), '4', '%s: still 4 connected' % tag)
        return seen
    finally:
        for c in clients:
            c.close()


def check_maxclients(res):
    compare(res, run_both(res, scenario_maxclients, {'maxclients': 3}), 'maxclients')


# ---------------------------------------------------------------------------
# 3. Clean shutdown

def exiting_line(kind):
    return 'sessiond is now ready to exit' if kind == 'sessiond' else 'Redis is now ready to exit'


def check_signals(res):
    for path, name in both():
        for sig in (signal.SIGTERM, signal.SIGINT):
            tag = '%s %s' % (name, sig.name)
            p = Proc(path, server_argv(path), name)
            try:
                p.start()
                c = p.client()
                res.eq(c.cmd('SET', 'k', 'v'), b'+OK\r\n', '%s: SET before the signal' % tag)
                os.kill(p.pid, sig)
                res.eq(p.wait_exit(), 0, '%s: exits with status 0' % tag)
                data, closed = c.read_until_close()
                c.close()
                res.eq((data, closed), (b'', True), '%s: a connected client sees the close' % tag)
                log = p.log()
                res.check(exiting_line(p.kind) in log, '%s: log says it is exiting' % tag, log[-2000:])
                res.check(('Received %s' % sig.name) in log, '%s: log names the signal' % tag,
                          log[-2000:])
            except (OSError, harness.ProtocolError, harness.ServerError) as e:
                res.fail('%s: signal shutdown' % tag, repr(e))
            finally:
                p.stop(res)


def check_shutdown_command(res):
    abort = {}
    for path, name in both():
        p = Proc(path, server_argv(path), name)
        try:
            p.start()
            c, other = p.client(), p.client()
            res.eq(other.cmd('PING'), b'+PONG\r\n', '%s: second client' % name)
            abort[name] = c.cmd('SHUTDOWN', 'ABORT')
            res.eq(abort[name], b'-ERR No shutdown in progress.\r\n', '%s: SHUTDOWN ABORT' % name)
            res.eq(c.cmd('PING'), b'+PONG\r\n', '%s: still serving after SHUTDOWN ABORT' % name)
            c.send(encode('SHUTDOWN', 'NOSAVE'))
            data, closed = c.read_until_close()
            res.eq((data, closed), (b'', True),
                   '%s: SHUTDOWN NOSAVE: no reply, the connection closes' % name)
            res.eq(p.wait_exit(), 0, '%s: exits with status 0 after SHUTDOWN NOSAVE' % name)
            data, closed = other.read_until_close()
            res.eq((data, closed), (b'', True), '%s: the other client sees the close' % name)
            c.close()
            other.close()
            log = p.log()
            res.check(exiting_line(p.kind) in log, '%s: log says it is exiting after SHUTDOWN' % name,
                      log[-2000:])
        except (OSError, harness.ProtocolError, harness.ServerError) as e:
            res.fail('%s: SHUTDOWN' % name, repr(e))
        finally:
            p.stop(res)
    compare(res, abort, 'SHUTDOWN ABORT')


# ---------------------------------------------------------------------------
# 4. Command line and config file (sessiond's own CLI)

def run_cli(args):
    p = subprocess.run([harness.sessiond_path()] + args, capture_output=True,
                       timeout=harness.START_DEADLINE_S, stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')


def check_cli(res):
    path = harness.sessiond_path()
    if harness.binary_kind(path) == 'redis':
        res.skip('CLI: SESSIOND is a redis-server; --help/--config checks are sessiond\'s own')
        return
    rc, out, err = run_cli(['--help'])
    res.eq(rc, 0, '--help exits 0')
    for flag in ('--port', '--bind', '--unixsocket', '--maxclients', '--config'):
        res.check(flag in out, '--help lists %s' % flag, out)

    rc, out, err = run_cli(['--version'])
    res.eq(rc, 0, '--version exits 0')
    m = re.search(r'\b(\d+\.\d+\.\d+)\b', out)
    res.check(m is not None and out.startswith('sessiond'), '--version prints "sessiond X.Y.Z"', out)

    for bad, word in ((['--no-such-flag'], 'no-such-flag'), (['--port', '99999'], 'port'),
                      (['--maxclients', 'lots'], 'maxclients'), (['--port'], 'port')):
        rc, out, err = run_cli(bad)
        res.check(rc != 0, '%s exits non-zero' % ' '.join(bad), 'status %s' % rc)
        res.check(word in err, '%s: stderr says what is wrong' % ' '.join(bad), repr(err))

    check_config_file(res, path, m.group(1) if m else None)
    check_port_in_use(res, path)


def check_config_file(res, path, version):
    conf_dir = tempfile.mkdtemp(prefix='server-test-conf-')
    conf = os.path.join(conf_dir, 'sessiond.conf')

    def argv(port, _d):
        with open(conf, 'w') as f:
            f.write('# written by server_test.py\nbind = 127.0.0.1\nport = %d\ndatabases = 4\n' % port)
        return [path, '--config', conf]
    p = Proc(path, argv, 'sessiond --config')
    red = None
    try:
        p.start()  # start() succeeds only once PING answers on the config's port
        c = p.client()
        # A CONFIG GET reply is an array of bulks: the same bytes as a request.
        res.eq(c.cmd('CONFIG', 'GET', 'port'), encode('port', p.port),
               '--config: CONFIG GET port is the file\'s')
        res.eq(c.cmd('CONFIG', 'GET', 'databases'), b'*2\r\n$9\r\ndatabases\r\n$1\r\n4\r\n',
               '--config: databases = 4')
        select4 = c.cmd('SELECT', '4')
        res.eq(select4, b'-ERR DB index is out of range\r\n', '--config: SELECT 4 fails')
        res.eq(c.cmd('SELECT', '3'), b'+OK\r\n', '--config: SELECT 3 works')
        info = info_fields(c, 'server')
        res.eq(info.get('config_file'), conf, '--config: INFO config_file')
        if version is not None:
            res.eq(info.get('sessiond_version'), version, '--version agrees with INFO sessiond_version')
        c.close()
        red = harness.start_redis({'databases': 4})
        rc = red.client()
        res.eq(select4, rc.cmd('SELECT', '4'), 'SELECT 4 with 4 databases: sessiond and redis agree')
        rc.close()
    except (OSError, harness.ProtocolError, harness.ServerError) as e:
        res.fail('--config', repr(e))
    finally:
        p.stop(res)
        harness.stop_all(res, red)
        shutil.rmtree(conf_dir, ignore_errors=True)


def check_port_in_use(res, path):
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.bind(('127.0.0.1', 0))
    holder.listen(1)
    port = holder.getsockname()[1]
    p = Proc(path, server_argv(path, ['--loglevel', 'warning']), 'sessiond port in use')
    try:
        p.launch(port)
        rc = p.wait_exit()
        res.check(rc is not None and rc != 0, 'port in use: exits non-zero', 'status %r' % rc)
        err = p.read('stderr')
        res.check(str(port) in err and 'in use' in err, 'port in use: stderr says so', repr(err))
    finally:
        p.stop(res)
        holder.close()


# ---------------------------------------------------------------------------
# 5. Pipelining and split requests

def read_replies(client, n):
    return [client.read_reply() for _ in range(n)]


def scenario_pipeline(res, s):
    tag = s.name
    c = s.client()
    try:
        req = b''.join(encode('SET', 'k:%d' % i, 'v:%d' % i) + encode('GET', 'k:%d' % i)
                       for i in range(PIPELINE_PAIRS))
        # One sendall from a thread while this thread reads: the server may
        # answer before it has read everything, and neither side may block.
        sender = threading.Thread(target=c.send, args=(req,))
        sender.start()
        try:
            got = read_replies(c, 2 * PIPELINE_PAIRS)
        finally:
            sender.join()
        want = []
        for i in range(PIPELINE_PAIRS):
            v = b'v:%d' % i
            want += [b'+OK\r\n', b'$%d\r\n%s\r\n' % (len(v), v)]
        bad = next((i for i, (g, w) in enumerate(zip(got, want)) if g != w), None)
        res.check(got == want, '%s: %d pipelined replies in order' % (tag, len(want)),
                  'first difference at reply %r: got %r want %r'
                  % (bad, got[bad] if bad is not None else None, want[bad] if bad is not None else None))
        res.eq(quiet(c), b'', '%s: nothing after the last pipelined reply' % tag)
        return got
    finally:
        c.close()


def scenario_split(res, s):
    """Requests split across writes: byte by byte, and a pipeline whose
    last request is incomplete (cut at several points)."""
    tag = s.name
    seen = []
    c = s.client()
    try:
        for req in (encode('SET', 'slow:key', 'slow-value-xyz'), b'GET slow:key\r\n'):
            for b in req[:-1]:
                c.send(bytes([b]))
                time.sleep(0.001)
            seen.append(quiet(c))
            res.eq(seen[-1], b'', '%s: no reply before the last byte of %r' % (tag, req))
            c.send(req[-1:])
            seen.append(c.read_reply())
        res.eq(seen[1::2], [b'+OK\r\n', b'$14\r\nslow-value-xyz\r\n'],
               '%s: requests sent one byte at a time' % tag)

        last = encode('SET', 'tail', 'x' * 1000)
        head = encode('SET', 'p', '1') + encode('INCR', 'p') + encode('GET', 'p')
        for cut in (1, 5, len(last) // 2, len(last) - 2, len(last) - 1):
            c.send(head + last[:cut])
            got = read_replies(c, 3)
            res.eq(got, [b'+OK\r\n', b':2\r\n', b'$1\r\n2\r\n'],
                   '%s: complete replies of a pipeline cut at %d' % (tag, cut))
            pending = quiet(c)
            res.eq(pending, b'', '%s: no reply for the incomplete request (cut at %d)' % (tag, cut))
            c.send(last[cut:])
            got += [c.read_reply(), c.cmd('STRLEN', 'tail')]
            res.eq(got[3:], [b'+OK\r\n', b':1000\r\n'],
                   '%s: the incomplete request completes (cut at %d)' % (tag, cut))
            res.eq(c.cmd('DEL', 'tail'), b':1\r\n', '%s: cleanup' % tag)
            seen += got + [pending]
        return seen
    finally:
        c.close()


def check_pipelining(res):
    compare(res, run_both(res, scenario_pipeline), 'pipeline of %d SET+GET' % PIPELINE_PAIRS)
    compare(res, run_both(res, scenario_split), 'split requests')


# ---------------------------------------------------------------------------
# 6. QUIT

def scenario_quit(res, s):
    tag = s.name
    c, d = s.client(), s.client()
    try:
        c.send(b'SET a 1\r\nQUIT\r\nSET b 2\r\n')
        inline = c.read_until_close()
        res.eq(inline, (b'+OK\r\n+OK\r\n', True), '%s: inline SET, QUIT: +OK +OK then close' % tag)
        c.close()
        c = s.client()
        c.send(encode('SET', 'c', '3') + encode('QUIT') + encode('SET', 'd', '4') + encode('PING'))
        multibulk = c.read_until_close()
        res.eq(multibulk, (b'+OK\r\n+OK\r\n', True), '%s: RESP SET, QUIT: +OK +OK then close' % tag)
        exists = [d.cmd('EXISTS', k) for k in ('a', 'b', 'c', 'd')]
        res.eq(exists, [b':1\r\n', b':0\r\n', b':1\r\n', b':0\r\n'],
               '%s: commands before QUIT ran, commands after it did not' % tag)
        return [inline, multibulk, exists]
    finally:
        c.close()
        d.close()


def check_quit(res):
    compare(res, run_both(res, scenario_quit), 'QUIT')


# ---------------------------------------------------------------------------
# 7. CLIENT LIST / ID / INFO

def parse_client_line(line):
    fields = {}
    for part in line.split(' '):
        k, _, v = part.partition('=')
        fields[k] = v
    return fields


def client_lines(reply):
    data, _ = harness.decode(reply)
    text = data.decode()
    return text, [parse_client_line(l) for l in text.split('\n') if l]


def scenario_clients(res, s):
    tag = s.name
    names = ['alpha', 'beta', 'gamma']
    cs = [s.client() for _ in names]
    try:
        for c, n in zip(cs, names):
            res.eq(c.cmd('CLIENT', 'SETNAME', n), b'+OK\r\n', '%s: CLIENT SETNAME %s' % (tag, n))
        ids = []
        for c in cs:
            r, _ = harness.decode(c.cmd('CLIENT', 'ID'))
            ids.append(r)
        res.check(all(isinstance(i, int) for i in ids) and len(set(ids)) == 3,
                  '%s: CLIENT ID differs per client' % tag, repr(ids))
        res.eq(cs[0].cmd('PING'), b'+PONG\r\n', '%s: alpha PING' % tag)
        res.eq(cs[1].cmd('SET', 'x', '1'), b'+OK\r\n', '%s: beta SET' % tag)
        res.eq(cs[2].cmd('CLIENT', 'GETNAME'), b'$5\r\ngamma\r\n', '%s: CLIENT GETNAME' % tag)
        text, lines = client_lines(cs[2].cmd('CLIENT', 'LIST'))
        res.check(text.endswith('\n'), '%s: CLIENT LIST lines end with a newline' % tag, repr(text))
        by_name = {l.get('name'): l for l in lines}
        got = sorted((l.get('name'), l.get('cmd')) for l in lines)
        want = [('alpha', 'ping'), ('beta', 'set'), ('gamma', 'client|list')]
        res.eq(got, want, '%s: CLIENT LIST names and last commands' % tag)
        for c, n, i in zip(cs, names, ids):
            line = by_name.get(n, {})
            res.eq(line.get('id'), str(i), '%s: CLIENT LIST id of %s is its CLIENT ID' % (tag, n))
            res.eq(line.get('addr'), '127.0.0.1:%d' % c.sock.getsockname()[1],
                   '%s: CLIENT LIST addr of %s is its socket' % (tag, n))
            res.eq(line.get('laddr'), '127.0.0.1:%d' % s.port, '%s: laddr of %s' % (tag, n))
            res.eq((line.get('flags'), line.get('db')), ('N', '0'), '%s: flags, db of %s' % (tag, n))
        # Redis computes omem when listing; a client whose replies were all
        # written has no output buffered.
        idle = sorted((l.get('name'), l.get('omem')) for l in lines if l.get('name') != 'gamma')
        res.eq(idle, [('alpha', '0'), ('beta', '0')], '%s: idle clients have omem=0' % tag)

        res.eq(cs[1].cmd('SELECT', '2'), b'+OK\r\n', '%s: beta SELECT 2' % tag)
        text, lines = client_lines(cs[1].cmd('CLIENT', 'INFO'))
        res.check(len(lines) == 1 and text.endswith('\n') and text.count('\n') == 1,
                  '%s: CLIENT INFO is one line' % tag, repr(text))
        info = lines[0] if lines else {}
        res.eq((info.get('id'), info.get('name'), info.get('db'), info.get('cmd')),
               (str(ids[1]), 'beta', '2', 'client|info'), '%s: CLIENT INFO of beta' % tag)
        res.eq(info.get('addr'), '127.0.0.1:%d' % cs[1].sock.getsockname()[1],
               '%s: CLIENT INFO addr' % tag)

        cs.pop(0).close()
        res.eq(wait_connected(cs[0], 2), '2', '%s: alpha gone' % tag)
        _, lines = client_lines(cs[0].cmd('CLIENT', 'LIST'))
        res.eq(sorted(l.get('name') for l in lines), ['beta', 'gamma'],
               '%s: CLIENT LIST after alpha closed' % tag)
        return [want == got, [(l.get('name'), l.get('cmd'), l.get('db')) for l in lines]]
    finally:
        for c in cs:
            c.close()


def check_clients(res):
    compare(res, run_both(res, scenario_clients), 'CLIENT LIST/ID/INFO')


# ---------------------------------------------------------------------------
# 8. Large values

def scenario_large(res, s):
    tag = s.name
    c = s.client()
    try:
        big = random.Random(20240607).randbytes(BIG_VALUE_LEN)
        res.eq(c.cmd('SET', 'big', big), b'+OK\r\n', '%s: SET 10 MB' % tag)
        got = c.cmd('GET', 'big')
        want = b'$%d\r\n%s\r\n' % (len(big), big)
        res.check(got == want, '%s: GET 10 MB is byte-identical' % tag,
                  'got %d bytes, want %d' % (len(got), len(want)))
        res.eq(c.cmd('STRLEN', 'big'), b':%d\r\n' % BIG_VALUE_LEN, '%s: STRLEN 10 MB' % tag)
        res.eq(c.cmd('DEL', 'big'), b':1\r\n', '%s: DEL big' % tag)

        keys = ['m:%d' % i for i in range(MGET_KEYS)]
        mset = []
        for i, k in enumerate(keys):
            if i % 7:  # every 7th key stays missing: MGET answers nil for it
                mset += [k, 'value-%d-%s' % (i, 'z' * (i % 50))]
        res.eq(c.cmd('MSET', *mset), b'+OK\r\n', '%s: MSET' % tag)
        got = c.cmd('MGET', *keys)
        want = [b'*%d\r\n' % MGET_KEYS]
        for i in range(MGET_KEYS):
            if i % 7:
                v = ('value-%d-%s' % (i, 'z' * (i % 50))).encode()
                want.append(b'$%d\r\n%s\r\n' % (len(v), v))
            else:
                want.append(b'$-1\r\n')
        res.check(got == b''.join(want), '%s: MGET of %d keys' % (tag, MGET_KEYS),
                  'got %r...' % got[:200])
        return [len(got), got, c.cmd('DBSIZE')]
    finally:
        c.close()


def check_large(res):
    compare(res, run_both(res, scenario_large), 'large values')


def is_asan(path):
    """Whether the binary was built with AddressSanitizer (its entries are then
    plain malloc blocks, and malloc keeps freed memory as it likes)."""
    with open(path, 'rb') as f:
        return b'__asan_init' in f.read()


RELEASE_KEYS = 200000
RELEASE_DEADLINE_S = 60.0  # only keeps a broken server from hanging the test


def wait_rss_below(server, limit_kb):
    """Polls VmRSS until it is under limit_kb; returns the last figure."""
    deadline = time.monotonic() + RELEASE_DEADLINE_S
    rss = server.rss_kb()
    while rss >= limit_kb and time.monotonic() < deadline:
        time.sleep(0.05)
        rss = server.rss_kb()
    return rss


def check_memory_release(res):
    """Freed entries' pages go back to the kernel without further commands:
    after FLUSHALL and after a mass expiry, the loop releases them in slices
    (the slab queues emptied pages; a slice releases a few), so RSS falls back
    near where it started. sessiond only: redis-server's jemalloc returns
    memory on its own schedule."""
    path = harness.sessiond_path()
    if harness.binary_kind(path) != 'sessiond':
        res.skip('memory release: sessiond only')
        return
    if is_asan(path):
        res.skip('memory release: an ASan build allocates entries with malloc')
        return
    server = harness.start_sessiond()
    try:
        c = server.client()
        base = server.rss_kb()
        for phase in ('FLUSHALL', 'expiry'):
            px = [] if phase == 'FLUSHALL' else ['PX', '2000']
            batch = b''.join(encode('SET', 'sess:%08d' % i, 'v' * 100, *px)
                             for i in range(RELEASE_KEYS))
            c.send(batch)
            ok = sum(c.read_reply() == b'+OK\r\n' for _ in range(RELEASE_KEYS))
            res.eq(ok, RELEASE_KEYS, '%s: every SET answered +OK' % phase)
            full = server.rss_kb()
            grown = full - base
            res.check(grown > RELEASE_KEYS * 100 // 1024, '%s: RSS grew by the keys (%d kB)' % (phase, grown))
            if phase == 'FLUSHALL':
                res.eq(c.cmd('FLUSHALL'), b'+OK\r\n', 'FLUSHALL')
            else:
                # RSS may fall within the bound before the last keys go.
                deadline = time.monotonic() + RELEASE_DEADLINE_S
                while c.cmd('DBSIZE') != b':0\r\n' and time.monotonic() < deadline:
                    time.sleep(0.05)
            res.eq(c.cmd('DBSIZE'), b':0\r\n', '%s: no key left' % phase)
            rss = wait_rss_below(server, base + grown // 10)
            print('%s: RSS %d kB at start, %d kB loaded, %d kB after' % (phase, base, full, rss), flush=True)
            res.check(rss < base + grown // 10, '%s: RSS falls back within 10%% of the growth' % phase,
                      '%d kB at start, %d kB loaded, %d kB after %.0f s' % (base, full, rss, RELEASE_DEADLINE_S))
            res.eq(c.cmd('PING'), b'+PONG\r\n', '%s: still serving' % phase)
        c.close()
    finally:
        harness.stop_all(res, server)


def main():
    res = harness.Results('server')
    print('server under test: %s (%s); reference: %s'
          % (harness.sessiond_path(), harness.binary_kind(harness.sessiond_path()),
             harness.redis_server_path()), flush=True)
    for section in (check_unixsocket, check_maxclients, check_signals, check_shutdown_command,
                    check_cli, check_pipelining, check_quit, check_clients, check_large,
                    check_memory_release):
        print('-- %s' % section.__name__, flush=True)
        try:
            section(res)
        except (OSError, harness.ProtocolError, harness.ServerError, subprocess.SubprocessError) as e:
            res.fail(section.__name__, repr(e))
    res.finish()


if __name__ == '__main__':
    main()
