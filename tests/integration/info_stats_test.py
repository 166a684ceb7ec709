"""INFO commandstats, errorstats and latencystats, the latency-tracking
settings and CONFIG RESETSTAT, against a real redis-server 7.0.

The same requests go to both servers on fresh connections after CONFIG
RESETSTAT; the counters must match exactly (calls, rejected_calls,
failed_calls, errors by code, total_error_replies). Durations differ by
nature: usec and usec_per_call are masked, latency percentiles are checked
for their names and format only. The script uses commands both servers have;
refusals cover unknown commands and subcommands, arity, MULTI-forbidden
commands, transactions aborted by a refused command, errors inside EXEC, and
EXEC without MULTI. redis-py (Debian's) must parse the sections the same way
for both.
"""

import re

import redis

import harness
from harness import decode, encode

SECTIONS_TO_TRY = [
    (), ('default',), ('all',), ('everything',), ('commandstats',), ('errorstats',),
    ('latencystats',), ('modules',), ('default', 'commandstats'), ('Latencystats', 'cpu'),
    ('nosuchsection',),
]


def val(raw):
    v, end = decode(raw)
    assert end == len(raw)
    return v


def info_text(client, *sections):
    v = val(client.cmd('INFO', *sections))
    return v.decode() if isinstance(v, bytes) else v


def headers(text):
    return [line for line in text.split('\r\n') if line.startswith('#')]


def fields(text):
    return [line for line in text.split('\r\n') if line and not line.startswith('#')]


def masked_commandstats(text):
    return sorted(re.sub(r'usec=\d+,usec_per_call=\d+\.\d\d,', 'usec=*,', line)
                  for line in fields(text))


def test_sections(res, s, r):
    for sections in SECTIONS_TO_TRY:
        res.eq(headers(info_text(s, *sections)), headers(info_text(r, *sections)),
               'INFO %s section headers' % ' '.join(sections))
    res.eq(s.cmd('INFO', 'modules'), r.cmd('INFO', 'modules'), 'INFO modules bytes')


SCRIPT = [
    ('SET', 'a', 'b'),
    ('GET', 'a'),
    ('INCR', 'a'),                       # ERR value is not an integer: failed
    ('GET',),                            # arity: rejected
    ('CONFIG',),                         # the container alone: rejected
    ('CONFIG', 'nosuch'),                # unknown subcommand: counted for no command
    ('NOSUCHCOMMAND', 'x'),              # unknown command: counted for no command
    ('SELECT', '99'),                    # ERR DB index is out of range: failed
    ('MULTI',),
    ('GET',),                            # refused while queuing: rejected, aborts EXEC
    ('SET', 'x', '1'),
    ('EXEC',),                           # EXECABORT: a failed EXEC call
    ('MULTI',),
    ('SET', 'y', '1'),
    ('INCR', 'a'),                       # fails inside EXEC: INCR failed, EXEC not
    ('GET', 'y'),
    ('EXEC',),
    ('EXEC',),                           # ERR EXEC without MULTI
    ('MULTI',),
    ('WATCH', 'k'),                      # no-multi command: rejected
    ('DISCARD',),
    ('DISCARD',),                        # ERR DISCARD without MULTI
    ('CONFIG', 'GET', 'latency-tracking'),
    ('CONFIG', 'SET', 'latency-tracking', 'maybe'),
    ('ECHO', 'a', 'b'),
    ('PING',),
]


def run_script(client):
    return [client.cmd(*args) for args in SCRIPT]


def test_counters(res, sess, red):
    for server in (sess, red):
        c = server.client()
        c.cmd('CONFIG', 'RESETSTAT')
        c.close()
    s, r = sess.client(), red.client()
    replies_s, replies_r = run_script(s), run_script(r)
    for args, a, b in zip(SCRIPT, replies_s, replies_r):
        res.eq(a, b, 'reply to %s' % ' '.join(args))
    cs_s, cs_r = info_text(s, 'commandstats'), info_text(r, 'commandstats')
    res.eq(masked_commandstats(cs_s), masked_commandstats(cs_r), 'INFO commandstats counters')
    for line in fields(cs_s):
        res.check(re.fullmatch(r'cmdstat_[a-z.|]+:calls=\d+,usec=\d+,usec_per_call=\d+\.\d\d,'
                               r'rejected_calls=\d+,failed_calls=\d+', line) is not None,
                  'commandstats line format', line)
    res.eq(info_text(s, 'errorstats'), info_text(r, 'errorstats'), 'INFO errorstats')
    tot = [re.search(r'total_error_replies:(\d+)', info_text(c, 'stats')).group(1) for c in (s, r)]
    res.eq(tot[0], tot[1], 'total_error_replies')
    res.check(int(tot[0]) > 0, 'some errors were counted', tot[0])
    lat_s, lat_r = info_text(s, 'latencystats'), info_text(r, 'latencystats')
    names = [sorted(line.split(':')[0] for line in fields(t)) for t in (lat_s, lat_r)]
    res.eq(names[0], names[1], 'latencystats: the same commands')
    for line in fields(lat_s):
        res.check(re.fullmatch(r'latency_percentiles_usec_[a-z.|]+:p50=\d+\.\d{3},p99=\d+\.\d{3},'
                               r'p99\.9=\d+\.\d{3}', line) is not None, 'latencystats line format',
                  line)
        nums = [float(x) for x in re.findall(r'=(\d+\.\d{3})', line)]
        res.check(nums == sorted(nums) and nums[0] > 0, 'percentiles ascend and are positive',
                  line)
    s.close()
    r.close()


CONFIG_STEPS = [
    ('CONFIG', 'GET', 'latency-tracking*'),
    ('CONFIG', 'SET', 'latency-tracking-info-percentiles', '50 abc'),
    ('CONFIG', 'SET', 'latency-tracking-info-percentiles', '101'),
    ('CONFIG', 'SET', 'latency-tracking-info-percentiles', '-1'),
    ('CONFIG', 'SET', 'latency-tracking-info-percentiles', '50  99'),
    ('CONFIG', 'SET', 'latency-tracking-info-percentiles', 'nan'),
    ('CONFIG', 'SET', 'latency-tracking-info-percentiles', '0 100 99.99999 50.5 1e1'),
    ('CONFIG', 'GET', 'latency-tracking-info-percentiles'),
    ('CONFIG', 'SET', 'latency-tracking', 'no'),
    ('CONFIG', 'GET', 'latency-tracking'),
]


def as_pairs(raw):
    """CONFIG GET's reply as sorted (name, value) pairs: Redis lists the
    matches in its dict's order, which is seeded per process."""
    v = val(raw)
    if not isinstance(v, list):
        return v
    return sorted(zip(v[0::2], v[1::2]))


def test_config(res, s, r):
    for args in CONFIG_STEPS:
        if args[1] == 'GET':
            res.eq(as_pairs(s.cmd(*args)), as_pairs(r.cmd(*args)), ' '.join(args))
        else:
            res.eq(s.cmd(*args), r.cmd(*args), ' '.join(args))
    res.eq(headers(info_text(s, 'latencystats')), ['# Latencystats'], 'tracking off: header')
    res.eq(fields(info_text(s, 'latencystats')), fields(info_text(r, 'latencystats')),
           'tracking off: no lines')
    for c in (s, r):
        c.cmd('CONFIG', 'SET', 'latency-tracking', 'yes')
        c.cmd('GET', 'a')
    keys = []
    for c in (s, r):
        line = next(x for x in fields(info_text(c, 'latencystats'))
                    if x.startswith('latency_percentiles_usec_get:'))
        keys.append(re.findall(r'(p[0-9.]+)=\d+\.\d{3}', line))
    res.eq(keys[0], keys[1], 'percentile names after CONFIG SET')
    res.eq(keys[0], ['p0', 'p100', 'p99.99999', 'p50.5', 'p10'], 'percentile names')
    for c in (s, r):
        c.cmd('CONFIG', 'SET', 'latency-tracking-info-percentiles', '')
    res.eq(s.cmd('CONFIG', 'GET', 'latency-tracking-info-percentiles'),
           r.cmd('CONFIG', 'GET', 'latency-tracking-info-percentiles'), 'no percentiles: GET')
    empty = [x for x in fields(info_text(s, 'latencystats')) if x.startswith('latency_percentiles_usec_get:')]
    res.eq(empty, ['latency_percentiles_usec_get:'], 'no percentiles: an empty line per command')
    for c in (s, r):
        c.cmd('CONFIG', 'SET', 'latency-tracking-info-percentiles', '50 99 99.9')


def test_resetstat(res, s, r):
    for c in (s, r):
        c.cmd('GET', 'a')
        c.cmd('GET')
        c.cmd('CONFIG', 'RESETSTAT')
    res.eq(masked_commandstats(info_text(s, 'commandstats')),
           masked_commandstats(info_text(r, 'commandstats')), 'after RESETSTAT: commandstats')
    res.eq(info_text(s, 'errorstats'), info_text(r, 'errorstats'), 'after RESETSTAT: errorstats')
    res.eq(fields(info_text(s, 'errorstats')), [], 'after RESETSTAT: no errors')


PUBSUB_FIELDS = ('pubsub_channels', 'pubsub_patterns', 'pubsubshard_channels',
                 'unexpected_error_replies')


def stats_fields(client, names):
    """The values of INFO stats fields `names` (None for a missing one)."""
    text = info_text(client, 'stats')
    found = [re.search(r'(?m)^%s:(\d+)\r$' % n, text) for n in names]
    return [m.group(1) if m else None for m in found]


def test_pubsub_fields(res, sess, red):
    """INFO stats' pub/sub counts follow subscriptions as Redis's do."""
    subs = []
    for server in (sess, red):
        a, b = server.client(), server.client()
        a.cmd('SUBSCRIBE', 'ch1', 'ch2')
        a.read_reply()
        b.cmd('SUBSCRIBE', 'ch2')
        a.cmd('PSUBSCRIBE', 'p*')
        b.cmd('SSUBSCRIBE', 'shard1')
        subs.append((a, b))
    (sa, sb), (ra, rb) = subs
    s, r = sess.client(), red.client()
    got = stats_fields(s, PUBSUB_FIELDS)
    res.eq(got, stats_fields(r, PUBSUB_FIELDS), 'INFO stats pub/sub fields while subscribed')
    res.eq(got, ['2', '1', '1', '0'], 'pub/sub fields: 2 channels, 1 pattern, 1 shard channel')
    for a, b in subs:
        a.close()
        b.close()
    want_empty = ['0', '0', '0', '0']
    for c, name in ((s, 'sessiond'), (r, 'redis')):
        for _ in range(100):  # the server notices the closes asynchronously
            if stats_fields(c, PUBSUB_FIELDS) == want_empty:
                break
            c.cmd('PING')
        res.eq(stats_fields(c, PUBSUB_FIELDS), want_empty, '%s: pub/sub fields after the subscribers left' % name)
    s.close()
    r.close()


def is_subsequence(small, big):
    it = iter(big)
    return all(x in it for x in small)


def test_stats_fields(res, s, r):
    """Every INFO stats field sessiond has is one of Redis 7.0's, in its order,
    and instantaneous_ops_per_sec moves once commands run (the cron samples
    every 100 ms; polled, no timing threshold)."""
    names = [[line.split(':')[0] for line in fields(info_text(c, 'stats'))] for c in (s, r)]
    res.check(is_subsequence(names[0], names[1]), 'INFO stats: Redis fields in Redis order',
              'sessiond %r\n  redis %r' % tuple(names))
    res.check(len(names[0]) >= 25, 'INFO stats has the fields added', str(len(names[0])))
    r.send(encode('PING') * 500)  # both servers see PING (test_redis_py compares names)
    for _ in range(500):
        r.read_reply()
    seen = 0
    for _ in range(200):  # up to ~10 s on a loaded machine
        s.send(encode('PING') * 500)
        for _ in range(500):
            s.read_reply()
        seen = int(re.search(r'instantaneous_ops_per_sec:(\d+)', info_text(s, 'stats')).group(1))
        if seen > 0:
            break
    res.check(seen > 0, 'instantaneous_ops_per_sec counts commands', str(seen))
    kbps = re.search(r'instantaneous_input_kbps:(\d+\.\d\d)', info_text(s, 'stats'))
    res.check(kbps is not None and float(kbps.group(1)) > 0, 'instantaneous_input_kbps counts bytes',
              kbps.group(0) if kbps else 'missing')


def test_redis_py(res, sess, red):
    got = []
    for server in (sess, red):
        client = redis.Redis(port=server.port)
        client.set('py', '1')
        client.incr('py')
        try:
            client.incr('py', 'x')
        except redis.ResponseError:
            pass
        stats = client.info('commandstats')
        errors = client.info('errorstats')
        latency = client.info('latencystats')
        got.append((sorted(stats), sorted(stats.get('cmdstat_incrby', {})),
                    stats.get('cmdstat_incrby', {}).get('calls'),
                    errors, sorted(latency)))
        client.close()
    res.eq(got[0], got[1], 'redis-py parses the sections alike')


def main():
    res = harness.Results('info_stats')
    sess = red = None
    try:
        sess = harness.start_sessiond()
        red = harness.start_redis()
        s, r = sess.client(), red.client()
        test_sections(res, s, r)
        test_counters(res, sess, red)
        test_config(res, s, r)
        test_resetstat(res, s, r)
        test_stats_fields(res, s, r)
        s.close()
        r.close()
        test_pubsub_fields(res, sess, red)
        test_redis_py(res, sess, red)
    except (OSError, redis.RedisError, harness.ServerError, harness.ProtocolError) as e:
        res.fail('info_stats run', repr(e))
    finally:
        harness.stop_all(res, sess, red)
    res.finish()


if __name__ == '__main__':
    main()
