"""Admin commands of sessiond against a real redis-server 7.0.

Differential: the same requests go to sessiond and redis-server and the
replies must match byte for byte (after masking what differs by nature:
timestamps, durations, client ports, node ids, memory figures). Covers
OBJECT, MEMORY USAGE / STATS / DOCTOR (shape), SLOWLOG, MONITOR output of a script,
SWAPDB/MOVE/COPY, FUNCTION FLUSH/LIST, COMMAND GETKEYS, COMMAND INFO of
every command both servers have (arity, flags, key positions, key specs) and
COMMAND GETKEYS / GETKEYSANDFLAGS of a full command line for each of them.

Cluster: `sessiond --cluster-compat` against a one-node redis cluster that
owns all slots (CLUSTER subcommands, CROSSSLOT refusals in and out of MULTI,
COUNTKEYSINSLOT / GETKEYSINSLOT), and redis-py's RedisCluster (which
requires full slot coverage) against sessiond.

No check asserts on timing except OBJECT IDLETIME's, which sleeps 2.2 s on
the real clock and accepts a second either way of the exact figure;
deadlines only keep a broken server from hanging the suite.
"""

import os
import re
import tempfile
import time

import redis
from redis.cluster import RedisCluster

import harness
from harness import decode

DEADLINE_S = 60.0


def val(raw):
    v, end = decode(raw)
    assert end == len(raw)
    return v


class FlagServer(harness.Server):
    """A harness server with extra bare flags on its command line."""

    def __init__(self, path, flags, options=None, name=None):
        super().__init__(path, options, name)
        self.flags = flags

    def _argv(self, port):
        return super()._argv(port) + self.flags


def both(res, s, r, what, *args):
    """Sends args to sessiond (s) and redis (r) clients; replies must match."""
    a = s.cmd(*args)
    b = r.cmd(*args)
    res.eq(a, b, '%s: %s' % (what, ' '.join(str(x) for x in args)[:80]))
    return a


# ---------------------------------------------------------------------------

def test_object_memory(res, s, r):
    for c in (s, r):
        c.cmd('FLUSHALL')
        c.cmd('SET', 'int', '12345')
        c.cmd('SET', 'shared', '42')
        c.cmd('SET', 'neg', '-7')
        c.cmd('SET', 'lead0', '007')
        c.cmd('SET', 'e44', 'x' * 44)
        c.cmd('SET', 'r45', 'x' * 45)
        c.cmd('SET', 'big', 'y' * 5000)
        c.cmd('INCR', 'counter')
    for key in ('int', 'shared', 'neg', 'lead0', 'e44', 'r45', 'big', 'counter', 'nokey'):
        both(res, s, r, 'OBJECT', 'OBJECT', 'ENCODING', key)
        both(res, s, r, 'OBJECT', 'OBJECT', 'REFCOUNT', key)
        both(res, s, r, 'OBJECT', 'OBJECT', 'FREQ', key)
    both(res, s, r, 'OBJECT', 'OBJECT', 'ENCODING')
    both(res, s, r, 'OBJECT', 'OBJECT', 'NOPE', 'x')
    # MEMORY USAGE: same reply types and errors; the figures are each
    # server's own accounting.
    for key in ('int', 'e44', 'big'):
        a, b = val(s.cmd('MEMORY', 'USAGE', key)), val(r.cmd('MEMORY', 'USAGE', key))
        res.check(isinstance(a, int) and isinstance(b, int) and a > 0,
                  'MEMORY USAGE %s is an integer on both' % key, '%r %r' % (a, b))
    a = val(s.cmd('MEMORY', 'USAGE', 'big'))
    res.check(5000 < a < 5000 + 200, 'MEMORY USAGE of a 5000-byte value', repr(a))
    for args in (('MEMORY', 'USAGE', 'nokey'), ('MEMORY', 'USAGE', 'int', 'SAMPLES'),
                 ('MEMORY', 'USAGE', 'int', 'SAMPLES', 'x'),
                 ('MEMORY', 'USAGE', 'int', 'SAMPLES', '-1'),
                 ('MEMORY', 'USAGE', 'int', 'FOO', '1'), ('MEMORY', 'USAGE'),
                 ('MEMORY', 'STATS', 'x'), ('MEMORY', 'DOCTOR', 'x')):
        both(res, s, r, 'MEMORY', *args)
    # MEMORY STATS: the same field names in the same order, the same reply
    # types (each server's own figures); keys.count exact.
    def shape(v):
        if isinstance(v, list):
            return [shape(x) for x in v]
        return v if isinstance(v, bytes) and not v[:1].isdigit() else type(v).__name__
    a, b = val(s.cmd('MEMORY', 'STATS')), val(r.cmd('MEMORY', 'STATS'))
    res.eq(shape(a), shape(b), 'MEMORY STATS: same fields and reply types')
    res.eq(dict(zip(a[::2], a[1::2])).get(b'keys.count'), dict(zip(b[::2], b[1::2])).get(b'keys.count'),
           'MEMORY STATS keys.count')
    reports = (b'Hi Sam, this instance is empty', b"Hi Sam, I can't find any memory issue",
               b'Sam, I detected a few issues')
    for c in (s, r):
        d = val(c.cmd('MEMORY', 'DOCTOR'))
        res.check(isinstance(d, bytes) and d.startswith(reports) and d.endswith(b'\n'),
                  'MEMORY DOCTOR is one of Redis\'s reports', repr(d)[:200])


def test_object_idletime(res, s, r):
    """OBJECT IDLETIME after a real 2.2 s: 2 (or 3) on both servers; GET
    resets it, TYPE / TTL / EXISTS / OBJECT do not. CLIENT NO-TOUCH is
    Redis 7.2's, so it is checked on sessiond alone."""
    keys = ('idle', 'got', 'typed', 'ttld', 'exists', 'enc', 'nt')
    for c in (s, r):
        c.cmd('FLUSHALL')
        for k in keys:
            # Not a small integer: Redis shares those objects, and with them
            # one access clock.
            c.cmd('SET', k, 'abc')
    both(res, s, r, 'OBJECT IDLETIME', 'OBJECT', 'IDLETIME', 'nokey')
    both(res, s, r, 'OBJECT IDLETIME', 'OBJECT', 'IDLETIME')
    both(res, s, r, 'OBJECT IDLETIME', 'OBJECT', 'IDLETIME', 'idle', 'extra')
    time.sleep(2.2)
    for c in (s, r):
        c.cmd('GET', 'got')
        c.cmd('TYPE', 'typed')
        c.cmd('TTL', 'ttld')
        c.cmd('EXISTS', 'exists')
        c.cmd('OBJECT', 'ENCODING', 'enc')
    for name, c in (('sessiond', s), ('redis', r)):
        for k in ('idle', 'typed', 'ttld', 'exists', 'enc'):
            idle = val(c.cmd('OBJECT', 'IDLETIME', k))
            res.check(isinstance(idle, int) and 2 <= idle <= 3,
                      '%s: OBJECT IDLETIME %s after 2.2 s is 2..3' % (name, k), repr(idle))
        # 0, or 1 if a second boundary fell between the two commands.
        idle = val(c.cmd('OBJECT', 'IDLETIME', 'got'))
        res.check(idle in (0, 1), '%s: GET resets OBJECT IDLETIME' % name, repr(idle))
    res.check(r.cmd('CLIENT', 'NO-TOUCH', 'on').startswith(b'-ERR unknown subcommand'),
              'redis 7.0 has no CLIENT NO-TOUCH', '')
    res.eq(s.cmd('CLIENT', 'NO-TOUCH', 'on'), b'+OK\r\n', 'sessiond: CLIENT NO-TOUCH on')
    s.cmd('GET', 'nt')
    s.cmd('MGET', 'nt', 'idle')
    idle = val(s.cmd('OBJECT', 'IDLETIME', 'nt'))
    res.check(2 <= idle <= 3, 'sessiond: GET under CLIENT NO-TOUCH does not touch', repr(idle))
    s.cmd('TOUCH', 'nt')
    idle = val(s.cmd('OBJECT', 'IDLETIME', 'nt'))
    res.check(idle in (0, 1), 'sessiond: TOUCH touches even under NO-TOUCH', repr(idle))
    res.eq(s.cmd('CLIENT', 'NO-TOUCH', 'off'), b'+OK\r\n', 'sessiond: CLIENT NO-TOUCH off')


def slowlog_entries(c):
    """SLOWLOG GET -1 decoded, oldest first, ids made relative to the first."""
    entries = val(c.cmd('SLOWLOG', 'GET', '-1'))
    entries.reverse()
    return entries


def test_slowlog(res, s, r):
    for c in (s, r):
        c.cmd('CONFIG', 'SET', 'slowlog-log-slower-than', '0')
        c.cmd('CONFIG', 'SET', 'slowlog-max-len', '5')
        c.cmd('SLOWLOG', 'RESET')
        c.cmd('CLIENT', 'SETNAME', 'slowpoke')
        c.cmd('SET', 'k', 'v' * 200)
        c.cmd('DEL', *['a%d' % i for i in range(40)])
        c.cmd('GET', 'k')
        c.cmd('ECHO', 'bin\x00\xff')
    both(res, s, r, 'SLOWLOG', 'SLOWLOG', 'LEN')
    ea, eb = slowlog_entries(s), slowlog_entries(r)
    res.eq(len(ea), len(eb), 'SLOWLOG GET -1 count')
    now = int(time.time())
    for c, entries, srv in ((s, ea, 'sessiond'), (r, eb, 'redis')):
        local = '127.0.0.1:%d' % c.sock.getsockname()[1]
        for e in entries:
            res.check(len(e) == 6 and isinstance(e[2], int) and e[2] >= 0,
                      '%s SLOWLOG entry shape' % srv, repr(e))
            res.check(abs(e[1] - now) < 3600, '%s SLOWLOG time is unix seconds' % srv, repr(e[1]))
            res.eq(e[4], local.encode(), '%s SLOWLOG client address' % srv)
        ids = [e[0] for e in entries]
        res.eq(ids, list(range(ids[0], ids[0] + len(ids))), '%s SLOWLOG ids consecutive' % srv)
    res.eq([(e[3], e[5]) for e in ea], [(e[3], e[5]) for e in eb],
           'SLOWLOG arguments (truncated) and client names')
    for args in (('SLOWLOG', 'GET', 'x'), ('SLOWLOG', 'GET', '-2'), ('SLOWLOG', 'GET', '1', '2'),
                 ('SLOWLOG', 'LEN', 'x'), ('SLOWLOG', 'RESET', 'x'), ('SLOWLOG',),
                 ('CONFIG', 'SET', 'slowlog-log-slower-than', '-2'),
                 ('CONFIG', 'SET', 'slowlog-max-len', '-1'),
                 ('CONFIG', 'SET', 'slowlog-log-slower-than', '-1')):
        both(res, s, r, 'SLOWLOG', *args)
    for c in (s, r):
        c.cmd('SLOWLOG', 'RESET')
        c.cmd('SET', 'x', 'y')
    both(res, s, r, 'SLOWLOG disabled', 'SLOWLOG', 'LEN')
    for c in (s, r):
        c.cmd('CONFIG', 'SET', 'slowlog-log-slower-than', '10000')
        c.cmd('CONFIG', 'SET', 'slowlog-max-len', '128')
        c.cmd('CLIENT', 'SETNAME', '')
    # CONFIG GET's order is Redis's dict order: compare as maps.
    res.eq(sorted(val(s.cmd('CONFIG', 'GET', 'slowlog*'))),
           sorted(val(r.cmd('CONFIG', 'GET', 'slowlog*'))), 'SLOWLOG config')


MONITOR_SCRIPT = [
    ('SET', 'k', 'v'),
    ('GET', 'k'),
    ('SET', 'quote"back\\slash', 'nl\ncr\rtab\tbell\x07bs\x08'),
    ('SET', b'bin\x00\x01\x7f\x80\xff', 'é'),
    ('CONFIG', 'GET', 'port'),     # admin: hidden
    ('SLOWLOG', 'LEN'),            # admin: hidden
    ('GET',),                      # arity error: never runs
    ('NOSUCHCOMMAND', 'x'),        # unknown: never runs
    ('SELECT', '2'),
    ('SET', 'in2', '1'),
    ('SELECT', '0'),
    ('DEL', 'k', 'nokey'),
    ('ECHO', ''),
    ('ECHO', 'END'),
]


def monitor_lines(srv):
    """Runs MONITOR_SCRIPT on a second client while srv's monitor listens;
    returns the monitor's lines with the time and client port masked."""
    mon = srv.client()
    ok = mon.cmd('MONITOR')
    worker = srv.client()
    port = worker.sock.getsockname()[1]
    for args in MONITOR_SCRIPT:
        worker.cmd(*args)
    lines = []
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        line = mon.read_reply()
        lines.append(line)
        if line.endswith(b'"ECHO" "END"\r\n'):
            break
    mon.close()
    worker.close()
    masked = []
    for line in lines:
        m = re.match(rb'^\+(\d{10})\.(\d{6}) \[(\d+) 127\.0\.0\.1:(\d+)\] (.*)\r\n$', line,
                     re.S)
        if m is None or int(m.group(4)) != port:
            masked.append(line)
            continue
        masked.append(b'+T [' + m.group(3) + b' PEER] ' + m.group(5) + b'\r\n')
    return ok, masked


def test_monitor(res, sess, red):
    ok_s, lines_s = monitor_lines(sess)
    ok_r, lines_r = monitor_lines(red)
    res.eq(ok_s, b'+OK\r\n', 'MONITOR replies +OK')
    res.eq(ok_r, b'+OK\r\n', 'redis MONITOR replies +OK')
    res.eq(lines_s, lines_r, 'MONITOR lines of a script')
    res.check(b'+T [0 PEER] "SET" "quote\\"back\\\\slash" '
              b'"nl\\ncr\\rtab\\tbell\\abs\\b"\r\n' in lines_s, 'MONITOR escapes', repr(lines_s))
    res.check(len(lines_s) == 10, 'MONITOR saw the 10 commands that ran', repr(lines_s))


def test_db_commands(res, s, r):
    script = [
        ('FLUSHALL',),
        ('SET', 'a', '1'), ('SET', 'b', '2'), ('PEXPIRE', 'a', '100000'),
        ('SWAPDB', '0', '1'), ('DBSIZE',), ('SELECT', '1'), ('DBSIZE',), ('GET', 'a'),
        ('SWAPDB', '1', '1'), ('SWAPDB', 'x', '1'), ('SWAPDB', '1', 'x'), ('SWAPDB', '1', '16'),
        ('SWAPDB', '-1', '0'), ('SWAPDB', '1'), ('SWAPDB', '99999999999', '0'),
        ('MOVE', 'a', '2'), ('MOVE', 'a', '2'), ('MOVE', 'b', '1'), ('MOVE', 'b', 'x'),
        ('MOVE', 'b', '16'), ('MOVE', 'b', '99999999999'), ('MOVE', 'nokey', '2'),
        ('SELECT', '2'), ('GET', 'a'), ('SET', 'b', 'two'), ('SELECT', '1'), ('MOVE', 'b', '2'),
        ('COPY', 'b', 'c'), ('COPY', 'b', 'c'), ('COPY', 'b', 'c', 'REPLACE'), ('GET', 'c'),
        ('COPY', 'b', 'b'), ('COPY', 'b', 'b', 'DB', '1'), ('COPY', 'b', 'a', 'DB', '2'),
        ('COPY', 'b', 'a', 'db', '2', 'replace'), ('COPY', 'b', 'x', 'DB'),
        ('COPY', 'b', 'x', 'DB', 'y'), ('COPY', 'b', 'x', 'DB', '16'), ('COPY', 'b', 'x', 'FOO'),
        ('COPY', 'nokey', 'x'), ('COPY', 'b', 'x', 'REPLACE', 'REPLACE', 'DB', '3', 'DB', '4'),
        ('SELECT', '4'), ('GET', 'x'), ('SELECT', '2'), ('GET', 'a'), ('TTL', 'a'),
        ('COPY', 'a', 'a2'), ('PTTL', 'a2'), ('SELECT', '1'), ('PEXPIRE', 'b', '100000'),
        ('COPY', 'b', 'b2'), ('TTL', 'b2'), ('MOVE', 'b2', '5'), ('SELECT', '5'), ('TTL', 'b2'),
    ]
    for args in script:
        a = s.cmd(*args)
        b = r.cmd(*args)
        res.eq(a, b, 'db commands: %s' % ' '.join(args))
    for c in (s, r):
        c.cmd('SELECT', '0')


def test_function(res, s, r):
    for args in (('FUNCTION', 'FLUSH'), ('FUNCTION', 'FLUSH', 'ASYNC'), ('FUNCTION', 'FLUSH', 'sync'),
                 ('FUNCTION', 'FLUSH', 'x'), ('FUNCTION', 'FLUSH', 'a', 'b'),
                 ('FUNCTION', 'LIST'), ('FUNCTION', 'LIST', 'WITHCODE'),
                 ('FUNCTION', 'LIST', 'LIBRARYNAME', 'x*', 'WITHCODE'),
                 ('FUNCTION', 'LIST', 'LIBRARYNAME'), ('FUNCTION', 'LIST', 'x'),
                 ('FUNCTION', 'LIST', 'withcode', 'withcode'), ('FUNCTION',)):
        both(res, s, r, 'FUNCTION', *args)


def test_getkeys(res, s, r):
    for args in (('GET', 'a'), ('SET', 'a', 'b'), ('SET', 'a', 'b', 'EX', '10'),
                 ('MSET', 'a', '1', 'b', '2'), ('MSET', 'a', '1', 'b'), ('MGET', 'a', 'b', 'c'),
                 ('DEL', 'a', 'b'), ('RENAME', 'a', 'b'), ('COPY', 'a', 'b', 'DB', '1'),
                 ('MOVE', 'a', '1'), ('OBJECT', 'ENCODING', 'k'), ('MEMORY', 'USAGE', 'k'),
                 ('EXPIRE', 'k'), ('GET', 'a', 'b'), ('GET',), ('NOSUCH', 'x'),
                 ('OBJECT', 'FOO', 'k'), ('PING', 'x'), ('CONFIG', 'GET', 'x'), ('SCAN', '0'),
                 ('SWAPDB', '0', '1'), ('GETEX', 'k', 'PERSIST'), ('APPEND', 'k', 'v')):
        both(res, s, r, 'COMMAND GETKEYS', 'COMMAND', 'GETKEYS', *args)
    for args in (('SET', 'a', 'b'), ('SET', 'a', 'b', 'GET'), ('SET', 'a', 'b', 'EX', '1', 'get'),
                 ('SET', 'a', 'b', 'GETX'), ('SET', 'a', 'GET'), ('RENAME', 'a', 'b'),
                 ('RENAMENX', 'a', 'b'), ('COPY', 'a', 'b', 'DB', '1'), ('MSET', 'a', '1', 'b'),
                 ('MSETNX', 'a', '1', 'b', '2'), ('GET', 'a', 'b'), ('GET',), ('NOSUCH', 'x'),
                 ('OBJECT', 'FOO', 'k'), ('PING', 'x'), ('SSUBSCRIBE', 'a', 'b'),
                 ('SPUBLISH', 'c', 'm'), ('SUNSUBSCRIBE', 'a')):
        both(res, s, r, 'COMMAND GETKEYSANDFLAGS', 'COMMAND', 'GETKEYSANDFLAGS', *args)


def command_lines(infos):
    """{full name: [argv, ...]}: command lines to ask GETKEYS about, with
    argument counts that fit the arity (and one that does not)."""
    out = {}
    for name, (arity, *_rest) in infos.items():
        words = name.split('|')
        need = abs(arity) - len(words)
        lines = []
        for extra in ((0, 1, 2, 3) if arity < 0 else (0, 1)):
            n = need + extra
            if n >= 0:
                lines.append(words + ['k%d' % i for i in range(n)])
        out[name] = lines
    return out


def test_getkeys_every_command(res, s, r, common, infos):
    """GETKEYS and GETKEYSANDFLAGS of lines of every shared command."""
    lines = command_lines({n: infos[n] for n in common})
    checked = 0
    for name in common:
        for argv in lines[name]:
            for sub in ('GETKEYS', 'GETKEYSANDFLAGS'):
                a = s.cmd('COMMAND', sub, *argv)
                b = r.cmd('COMMAND', sub, *argv)
                res.eq(a, b, 'COMMAND %s %s' % (sub, ' '.join(argv)[:60]))
                checked += 1
    res.check(checked > 300, 'GETKEYS lines checked', str(checked))


def command_infos(c):
    """{full name: (arity, flags, first, last, step, key specs)} of every
    command and subcommand."""
    out = {}

    def add(info):
        name = info[0].decode()
        out[name] = (info[1], sorted(info[2]), info[3], info[4], info[5], info[8])
        for sub in info[9]:
            add(sub)

    for info in val(c.cmd('COMMAND')):
        add(info)
    return out


def test_command_info(res, s, r):
    mine, theirs = command_infos(s), command_infos(r)
    common = sorted(set(mine) & set(theirs))
    res.check(len(common) > 80, 'sessiond shares many commands with redis', str(len(common)))
    for name in common:
        res.eq(mine[name], theirs[name], 'COMMAND INFO %s (arity, flags, keys, key specs)' % name)
    res.check(sum(1 for n in common if mine[n][5]) > 40, 'many shared commands have key specs')
    test_getkeys_every_command(res, s, r, common, theirs)
    # CLIENT SETINFO and NO-TOUCH are Redis 7.2's; sessiond serves them for
    # newer clients (issue 5 asks for both).
    newer = ('client|setinfo', 'client|no-touch')
    unknown = sorted(n for n in mine if n not in theirs and not n.startswith('session.')
                     and n not in newer)
    res.eq(unknown, [], 'every non-SESSION command exists in redis 7.0')


# ---------------------------------------------------------------------------
# Cluster

def wait_cluster_ok(c):
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        if b'cluster_state:ok' in c.cmd('CLUSTER', 'INFO'):
            return True
        time.sleep(0.1)
    return False


def mask_cluster(v, node_id, port):
    """v with the node's id, port and ip replaced, for comparing shapes."""
    if isinstance(v, list):
        return [mask_cluster(x, node_id, port) for x in v]
    if isinstance(v, dict):
        return {k: mask_cluster(x, node_id, port) for k, x in v.items()}
    if isinstance(v, bytes):
        return (v.replace(node_id, b'ID').replace(b'127.0.0.1', b'')
                .replace(b':%d@%d' % (port, port + 10000), b':PORT@BUS'))
    if v == port:
        return 'PORT'
    return v


def test_crossslot(res, s, r):
    """Multi-key commands across slots, in and out of MULTI, on two
    cluster-mode servers (s, r); keys 'a' and 'b' hash to different slots,
    '{a}x' to a's."""
    for c in (s, r):
        c.cmd('CONFIG', 'RESETSTAT')
    script = [
        ('FLUSHALL',),
        ('MSET', 'a', '1', 'b', '2'), ('MSET', 'a', '1', 'b'), ('MSET', 'a', '1', '{a}x', '2'),
        ('MSET', 'a', '1', 'a', '2'), ('MSETNX', 'a', '1', 'b', '2'), ('MSETNX', 'b', '1', '{b}y', '2'),
        ('MGET', 'a', 'b'), ('MGET', 'a', '{a}x', '{a}none'), ('DEL', 'a', 'b'),
        ('EXISTS', 'a', 'b'), ('EXISTS', 'a', 'a', '{a}x'), ('TOUCH', 'a', 'b'), ('UNLINK', 'x', 'y'),
        ('RENAME', 'a', 'b'), ('RENAMENX', 'a', 'b'), ('RENAME', '{a}x', '{a}z'),
        ('COPY', 'a', 'b'), ('COPY', 'a', '{a}c'), ('COPY', 'a', 'b', 'DB', '0'),
        ('SSUBSCRIBE', 'a', 'b'), ('SUNSUBSCRIBE', 'a', 'b'), ('SPUBLISH', 'a', 'm'),
        ('GET', 'a', 'b'), ('MSET', 'a'), ('NOSUCH', 'a', 'b'), ('OBJECT', 'ENCODING', 'a'),
        ('WATCH', 'a', 'b'), ('WATCH', 'a', '{a}x'), ('UNWATCH',),
    ]
    for args in script:
        both(res, s, r, 'CROSSSLOT', *args)
    # The refusals count as error replies, as in Redis.
    res.eq(error_replies(s), error_replies(r), 'CROSSSLOT counted in total_error_replies')
    script = [
        ('MULTI',), ('MSET', 'a', '1', 'b', '2'), ('EXEC',),
        ('MULTI',), ('SET', 'a', '1'), ('SET', 'b', '2'), ('EXEC',), ('GET', 'a'), ('EXEC',),
        ('MULTI',), ('SET', 'a', '5'), ('SET', 'b', '6'), ('GET', 'a', 'b'), ('EXEC',),
        ('MULTI',), ('SET', 'a', '3'), ('GET', '{a}x'), ('PING',), ('EXEC',),
        ('MULTI',), ('WATCH', 'a', 'b'), ('DISCARD',),
        ('MULTI',), ('EXEC',),
        ('DEL', 'a', '{a}x', '{a}z', '{a}c'), ('DBSIZE',), ('EXISTS', 'b'), ('EXISTS', '{b}y'),
        # Errors written by commands themselves, also inside EXEC, and
        # EXECABORT: every error reply counts.
        ('SET', 'n', 'x'), ('INCR', 'n'), ('MULTI',), ('INCR', 'n'), ('INCR', 'n'), ('EXEC',),
        ('MULTI',), ('SET', 'a'), ('EXEC',),
    ]
    for args in script:
        both(res, s, r, 'CROSSSLOT', *args)
    res.eq(error_replies(s), error_replies(r), 'total_error_replies after transactions')


def error_replies(c):
    """INFO's total_error_replies of server c."""
    stats = dict(l.split(':', 1) for l in val(c.cmd('INFO', 'stats')).decode().split('\r\n')
                 if ':' in l)
    return stats['total_error_replies']


def test_keys_in_slot(res, s, r):
    """CLUSTER COUNTKEYSINSLOT / GETKEYSINSLOT: same counts, same keys (the
    order of several keys of one slot differs: see docs/commands.md)."""
    for c in (s, r):
        c.cmd('FLUSHALL')
        for i in range(300):
            c.cmd('SET', 'ks:%d' % i, 'v')
        c.cmd('MSET', '{t}1', 'v', '{t}2', 'v', '{t}3', 'v')
    slot_t = val(s.cmd('CLUSTER', 'KEYSLOT', '{t}'))
    slots = sorted({val(s.cmd('CLUSTER', 'KEYSLOT', 'ks:%d' % i)) for i in range(0, 300, 7)})
    for slot in slots + [slot_t, 0, 16383]:
        both(res, s, r, 'keys in slot', 'CLUSTER', 'COUNTKEYSINSLOT', str(slot))
    for slot in slots:
        both(res, s, r, 'keys in slot', 'CLUSTER', 'GETKEYSINSLOT', str(slot), '10')
    a = val(s.cmd('CLUSTER', 'GETKEYSINSLOT', str(slot_t), '10'))
    b = val(r.cmd('CLUSTER', 'GETKEYSINSLOT', str(slot_t), '10'))
    res.eq(sorted(a), sorted(b), 'GETKEYSINSLOT of a hash tag slot: same keys')
    res.eq(sorted(a), [b'{t}1', b'{t}2', b'{t}3'], 'GETKEYSINSLOT lists the hash tag keys')
    res.eq(len(val(s.cmd('CLUSTER', 'GETKEYSINSLOT', str(slot_t), '2'))), 2,
           'GETKEYSINSLOT stops at count')
    for args in (('GETKEYSINSLOT', str(slot_t), '0'), ('GETKEYSINSLOT', str(slot_t), '-1'),
                 ('GETKEYSINSLOT', '16384', '1'), ('GETKEYSINSLOT', '-1', '1'),
                 ('GETKEYSINSLOT', 'x', '1'), ('GETKEYSINSLOT', '1', 'x'), ('GETKEYSINSLOT', '1'),
                 ('GETKEYSINSLOT', '1', '2', '3'), ('GETKEYSINSLOT', '0', '99999999999'),
                 ('GETKEYSINSLOT', '1.5', '1'), ('COUNTKEYSINSLOT', '16384'),
                 ('COUNTKEYSINSLOT', '-1'), ('COUNTKEYSINSLOT', 'x'), ('COUNTKEYSINSLOT', '1.5'),
                 ('COUNTKEYSINSLOT', '99999999999999999999'), ('COUNTKEYSINSLOT',),
                 ('COUNTKEYSINSLOT', '1', '2'), ('countkeysinslot', str(slot_t))):
        both(res, s, r, 'keys in slot', 'CLUSTER', *args)
    for c in (s, r):
        c.cmd('FLUSHALL')


def test_cluster(res, plain_s, plain_r):
    for args in (('CLUSTER', 'INFO'), ('CLUSTER', 'SLOTS'), ('CLUSTER', 'KEYSLOT', 'x'),
                 ('CLUSTER', 'HELP'), ('CLUSTER', 'NOPE'), ('CLUSTER', 'COUNTKEYSINSLOT', '1'),
                 ('CLUSTER', 'GETKEYSINSLOT', '1', '1'), ('MSET', 'a', '1', 'b', '2'),
                 ('MGET', 'a', 'b'), ('DEL', 'a', 'b'), ('CLUSTER',), ('CLUSTER', 'INFO', 'x'),
                 ('READONLY',), ('READWRITE',), ('INFO', 'cluster')):
        both(res, plain_s, plain_r, 'non-cluster', *args)

    conf_dir = tempfile.mkdtemp(prefix='admin-cluster-')
    sess = FlagServer(harness.sessiond_path(), ['--cluster-compat'], name='sessiond-cluster')
    red = harness.Server(harness.redis_server_path(),
                         {'cluster-enabled': 'yes',
                          'cluster-config-file': os.path.join(conf_dir, 'nodes.conf')},
                         name='redis-cluster')
    try:
        sess.start()
        red.start()
        s, r = sess.client(), red.client()
        r.cmd('CLUSTER', 'ADDSLOTSRANGE', '0', '16383')
        res.check(wait_cluster_ok(r), 'redis one-node cluster reaches cluster_state:ok')
        for i in range(300):
            key = 'key:%d' % i if i % 3 else '{user%d}.x' % i
            both(res, s, r, 'CLUSTER KEYSLOT', 'CLUSTER', 'KEYSLOT', key)
        for key in ('', '{}', '{}x', 'a{}b{c}', '{{a}}', 'é{é}'):
            both(res, s, r, 'CLUSTER KEYSLOT', 'CLUSTER', 'KEYSLOT', key)
        both(res, s, r, 'cluster', 'CLUSTER', 'INFO')
        both(res, s, r, 'cluster', 'INFO', 'cluster')
        for args in (('SELECT', '1'), ('SELECT', '0'), ('SELECT', 'x'), ('SWAPDB', '0', '1'),
                     ('MOVE', 'k', '1'), ('SET', '{k}1', 'v'), ('COPY', '{k}1', '{k}2', 'DB', '1'),
                     ('COPY', '{k}1', '{k}2'), ('GET', '{k}2'), ('FLUSHALL',),
                     ('READONLY',), ('READWRITE',),
                     ('CLUSTER', 'KEYSLOT'), ('CLUSTER', 'MYID', 'x')):
            both(res, s, r, 'cluster mode', *args)
        test_crossslot(res, s, r)
        test_keys_in_slot(res, s, r)
        sid, rid = val(s.cmd('CLUSTER', 'MYID')), val(r.cmd('CLUSTER', 'MYID'))
        res.check(re.fullmatch(rb'[0-9a-f]{40}', sid) is not None, 'CLUSTER MYID is 40 hex', sid)
        res.eq(val(s.cmd('CLUSTER', 'MYID')), sid, 'CLUSTER MYID stable')
        for sub in ('SLOTS', 'SHARDS', 'NODES'):
            a = mask_cluster(val(s.cmd('CLUSTER', sub)), sid, sess.port)
            b = mask_cluster(val(r.cmd('CLUSTER', sub)), rid, red.port)
            res.eq(a, b, 'CLUSTER %s (ids, ports and ip masked)' % sub)
        slots = val(s.cmd('CLUSTER', 'SLOTS'))
        res.eq(slots[0][2][:2], [b'127.0.0.1', sess.port], 'CLUSTER SLOTS names this address')
        s.close()
        r.close()

        rc = RedisCluster(host='127.0.0.1', port=sess.port)
        keys = ['rc:%d' % i for i in range(500)]
        res.check(len({rc.keyslot(k) for k in keys}) > 400, 'keys spread over many slots')
        for k in keys:
            rc.set(k, k.upper())
        res.eq([rc.get(k) for k in keys], [k.upper().encode() for k in keys],
               'RedisCluster set/get across slots')
        pipe = rc.pipeline()
        for k in keys[:100]:
            pipe.incr(k + ':n')
            pipe.get(k)
        out = pipe.execute()
        res.eq(out, [x for k in keys[:100] for x in (1, k.upper().encode())],
               'RedisCluster pipeline')
        res.eq(rc.delete(*keys[:10]), 10, 'RedisCluster multi-key DEL')
        plain = redis.Redis(port=sess.port)
        res.eq(plain.dbsize(), 590, 'keys landed in sessiond db 0')
        plain.close()
        res.eq(len(rc.get_nodes()), 1, 'RedisCluster sees one node')
        rc.close()
        res.check(sess.alive(), 'sessiond --cluster-compat still running')
    except (OSError, redis.RedisError, harness.ServerError) as e:
        res.fail('cluster run', repr(e))
    finally:
        harness.stop_all(res, sess, red)


def main():
    res = harness.Results('admin')
    sess = red = None
    try:
        sess = harness.start_sessiond()
        red = harness.start_redis()
        s, r = sess.client(), red.client()
        test_object_memory(res, s, r)
        test_object_idletime(res, s, r)
        test_slowlog(res, s, r)
        test_monitor(res, sess, red)
        test_db_commands(res, s, r)
        test_function(res, s, r)
        test_getkeys(res, s, r)
        test_command_info(res, s, r)
        test_cluster(res, s, r)
        s.close()
        r.close()
    except (OSError, harness.ServerError, harness.ProtocolError) as e:
        res.fail('admin run', repr(e))
    finally:
        harness.stop_all(res, sess, red)
    res.finish()


if __name__ == '__main__':
    main()
