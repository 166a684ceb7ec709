"""SESSION.* against python3-redis: chuk-sessions interop, isolation, CSRF.

What this checks (docs/sessions.md describes the commands):
  - interop both ways with chuk-sessions' storage contract: a record written
    with plain SETEX exactly as chuk-sessions writes it is a session for every
    SESSION.* command, and a session made by SESSION.ALLOCATE reads back with
    GET as chuk-sessions' JSON, byte for byte what Python's json.dumps writes;
  - tenant isolation: another sandbox can do nothing to a session;
  - concurrent SESSION.UPDATEs from several connections lose nothing;
  - CSRF tokens and double-submit pairs against an independent Python
    implementation of chuk-sessions' HMAC formats, both directions;
  - sealed tokens round trip, and fail when tampered with (and, when the
    `cryptography` module is installed, open with an independent decryption);
  - expiry: TTL, sliding IDLE expiry with its TTL cap, and the indexes and
    counters expiry updates;
  - the documented error texts, and that a failed command changes nothing;
  - --csrf-secret-file, --session-prefix and --session-ttl.

Timing: the only waits are for sessions with 1-3 s lifetimes to expire. Each
is a bounded poll; a check either has a lower bound implied by the clocks
(a session cannot vanish before its deadline) or accepts any delay up to a
generous deadline. Nothing asserts how fast the server is. About 6 s in all.
"""

import base64
import hashlib
import hmac
import json
import os
import re
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone

import redis

import harness

SECRET = 'test-secret-\u00e9-0123456789'   # non-ASCII: both sides must use UTF-8
SANDBOX = 'app-1'
OTHER = 'app-2'

# Bounded polls: far above any sane expiry delay, so only a broken server
# hits them.
POLL_DEADLINE_S = 10.0
POLL_STEP_S = 0.05

# The order and names of the fields of a chuk-sessions record
# (SessionMetadata.model_dump()).
CHUK_FIELDS = ['session_id', 'sandbox_id', 'user_id', 'created_at', 'expires_at', 'status',
               'last_accessed', 'custom_metadata']


# ---------------------------------------------------------------------------
# chuk-sessions' formats, written independently from the server's code.

def iso_z(dt):
    """A timestamp as chuk-sessions writes it."""
    return dt.isoformat().replace('+00:00', 'Z')


def parse_iso_z(s):
    return datetime.fromisoformat(s.replace('Z', '+00:00'))


def chuk_record(sid, sandbox, user, ttl, metadata):
    """The dict chuk-sessions' SessionManager stores for a new session."""
    now = datetime.now(timezone.utc)
    return {
        'session_id': sid,
        'sandbox_id': sandbox,
        'user_id': user,
        'created_at': iso_z(now),
        'expires_at': iso_z(now + timedelta(seconds=ttl)),
        'status': 'active',
        'last_accessed': iso_z(now),
        'custom_metadata': metadata,
    }


def chuk_write(r, sid, record, ttl):
    """What chuk-sessions' redis provider does to save a session."""
    r.setex('session:%s' % sid, ttl, json.dumps(record))


def b64url(data):
    return base64.urlsafe_b64encode(data).decode('ascii').rstrip('=')


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + '=' * (-len(text) % 4))


def hmac_hex(secret, message):
    return hmac.new(secret.encode('utf-8'), message.encode('utf-8'), hashlib.sha256).hexdigest()


def csrf_generate(sid, secret, ts, user_data=None):
    """generate_csrf_token: "<ts>:<b64url(json) or empty>:<hex hmac>"."""
    part = ''
    if user_data:
        part = b64url(json.dumps(user_data, separators=(',', ':'), sort_keys=True).encode('utf-8'))
    return '%d:%s:%s' % (ts, part, hmac_hex(secret, '%s:%d:%s' % (sid, ts, part)))


def csrf_validate(token, sid, secret, max_age=3600):
    """validate_csrf_token: (valid, user_data)."""
    try:
        ts_text, part, sig = token.split(':', 2)
        ts = int(ts_text)
        data = json.loads(b64url_decode(part).decode('utf-8')) if part else {}
        expected = hmac_hex(secret, '%s:%d:%s' % (sid, ts, part))
        if not hmac.compare_digest(sig, expected):
            return False, None
        return int(time.time()) - ts <= max_age, data
    except Exception:  # chuk's validator answers False to anything malformed
        return False, None


def pair_generate(sid, secret, ts, val):
    """generate_double_submit_token: (cookie token, form token)."""
    cookie_json = json.dumps({'sid': sid, 'ts': ts, 'val': val}, separators=(',', ':'))
    cookie_b64 = b64url(cookie_json.encode('utf-8'))
    cookie = '%s.%s' % (cookie_b64, hmac_hex(secret, cookie_b64)[:32])
    form = hmac_hex(secret, '%s:%s:%d' % (sid, val, ts))
    return cookie, form


def pair_validate(cookie, form, sid, secret, max_age=3600):
    """validate_double_submit_token."""
    try:
        cookie_b64, sig = cookie.rsplit('.', 1)
        if not hmac.compare_digest(sig, hmac_hex(secret, cookie_b64)[:32]):
            return False
        data = json.loads(b64url_decode(cookie_b64).decode('utf-8'))
        if not all(k in data for k in ('sid', 'ts', 'val')) or data['sid'] != sid:
            return False
        if int(time.time()) - data['ts'] > max_age:
            return False
        expected = hmac_hex(secret, '%s:%s:%s' % (sid, data['val'], data['ts']))
        return hmac.compare_digest(form, expected)
    except Exception:
        return False


# The sealed-token format of docs/sessions.md, opened independently when the
# `cryptography` package (python3-cryptography) is installed.
def hkdf_sha256(secret, info, length=32):
    prk = hmac.new(b'\x00' * 32, secret, hashlib.sha256).digest()
    out, block = b'', b''
    for i in range(1, -(-length // 32) + 1):  # bounded: ceil(length / 32) blocks
        block = hmac.new(prk, block + info + bytes([i]), hashlib.sha256).digest()
        out += block
    return out[:length]


def seal_open_py(secret, sid, token):
    """(unix_s, data bytes) of a sealed token, or None; raises ImportError
    when `cryptography` is missing."""
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
    from cryptography.exceptions import InvalidTag
    key = hkdf_sha256(secret.encode('utf-8'), b'sessiond seal key v1')
    raw = b64url_decode(token)
    if raw[0] != 1:
        return None
    try:
        plain = ChaCha20Poly1305(key).decrypt(raw[1:13], raw[13:],
                                              b'sessiond/seal/v1:' + sid.encode('utf-8'))
    except InvalidTag:
        return None
    return int.from_bytes(plain[:8], 'big'), plain[8:]


def seal_py(secret, sid, ts, data):
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
    key = hkdf_sha256(secret.encode('utf-8'), b'sessiond seal key v1')
    nonce = os.urandom(12)
    ct = ChaCha20Poly1305(key).encrypt(nonce, ts.to_bytes(8, 'big') + data,
                                       b'sessiond/seal/v1:' + sid.encode('utf-8'))
    return b64url(b'\x01' + nonce + ct)


# ---------------------------------------------------------------------------
# helpers

def connect(port, **kw):
    return redis.Redis(host='127.0.0.1', port=port, socket_timeout=harness.REPLY_DEADLINE_S, **kw)


def expect_error(res, text, what, *args):
    """SESSION command args must fail with ResponseError `text` (redis-py
    drops the leading "ERR ")."""
    try:
        got = args[0].execute_command(*args[1:])
        res.fail(what, 'no error; replied %r' % (got,))
    except redis.ResponseError as e:
        res.eq(str(e), text, what)


def stats(r, sandbox=None):
    flat = r.execute_command('SESSION.STATS', *([sandbox] if sandbox else []))
    return {flat[i].decode(): flat[i + 1] for i in range(0, len(flat), 2)}


def list_all(r, sandbox, user=None, count=3):
    """Every id SESSION.LIST returns over a full cursor iteration."""
    ids, cursor = [], b'0'
    for _ in range(10000):  # bounded: a cursor that never returns to 0 is a bug
        args = ['SESSION.LIST', sandbox, 'CURSOR', cursor, 'COUNT', count]
        if user is not None:
            args += ['USER', user]
        cursor, page = r.execute_command(*args)
        ids += [i.decode() for i in page]
        if cursor == b'0':
            return ids
    raise AssertionError('SESSION.LIST cursor never returned to 0')


def poll_until(cond):
    """Polls cond() until true or POLL_DEADLINE_S; returns its last value."""
    deadline = time.monotonic() + POLL_DEADLINE_S
    while True:
        v = cond()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(POLL_STEP_S)


# ---------------------------------------------------------------------------
# checks

def check_chuk_to_sessiond(res, r):
    """(a) a record chuk-sessions wrote is a session for SESSION.*."""
    sid = 'sess-chukWrittenRecord0123456789abcdefABCDEF01'
    meta = {'theme': 'dark', 'n': 'Jos\u00e9 \U0001F600', 'nested': {'a': [1, 2.5, None, True]}}
    record = chuk_record(sid, SANDBOX, 'alice', 600, meta)
    text = json.dumps(record)
    chuk_write(r, sid, record, 600)

    res.eq(r.execute_command('SESSION.INFO', SANDBOX, sid), text.encode(),
           'chuk record: SESSION.INFO returns the written JSON byte for byte')
    res.eq(r.execute_command('SESSION.VALIDATE', SANDBOX, sid), 1, 'chuk record: VALIDATE')
    res.check(sid in list_all(r, SANDBOX), 'chuk record: in SESSION.LIST of its sandbox')
    res.eq(list_all(r, SANDBOX, user='alice'), [sid], 'chuk record: in SESSION.LIST USER alice')

    res.eq(r.execute_command('SESSION.UPDATE', SANDBOX, sid, '{"theme": "light", "cart": 3}'), 1,
           'chuk record: UPDATE')
    got = r.get('session:%s' % sid).decode()
    parsed = json.loads(got)
    res.eq(list(parsed), CHUK_FIELDS, 'chuk record after UPDATE: GET has the 8 fields in order')
    res.eq(json.dumps(parsed), got, 'chuk record after UPDATE: GET is json.dumps format')
    want_meta = dict(meta)
    want_meta.update({'theme': 'light', 'cart': 3})
    res.eq(parsed['custom_metadata'], want_meta, 'chuk record after UPDATE: merged metadata')
    res.eq(list(parsed['custom_metadata']), ['theme', 'n', 'nested', 'cart'],
           'chuk record after UPDATE: existing keys keep their place, new ones appended')
    for k in ('session_id', 'sandbox_id', 'user_id', 'created_at', 'expires_at', 'status'):
        res.eq(parsed[k], record[k], 'chuk record after UPDATE: %s unchanged' % k)
    res.check(parsed['last_accessed'] >= record['last_accessed'],
              'chuk record after UPDATE: last_accessed not earlier', repr(parsed['last_accessed']))
    left = (parse_iso_z(parsed['expires_at']) - datetime.now(timezone.utc)).total_seconds()
    res.check(abs(r.pttl('session:%s' % sid) / 1000.0 - left) <= 1.0,
              'chuk record after UPDATE: key TTL ends at expires_at',
              'pttl %r, expires_at in %.3f s' % (r.pttl('session:%s' % sid), left))

    # EXTEND on a record chuk wrote; then chuk rewrites it (SETEX) with
    # another user: the user index follows.
    ext = r.execute_command('SESSION.EXTEND', SANDBOX, sid, 60)
    res.check(600 < ext <= 660, 'chuk record: EXTEND 60 on about 600 s left', repr(ext))
    record2 = chuk_record(sid, SANDBOX, 'bob', 600, {})
    chuk_write(r, sid, record2, 600)
    res.eq(list_all(r, SANDBOX, user='alice'), [], 'chuk rewrite: gone from the old user index')
    res.eq(list_all(r, SANDBOX, user='bob'), [sid], 'chuk rewrite: in the new user index')

    # REVOKE finds chuk-written and allocated sessions of the user alike.
    sid2 = 'sess-chukWrittenRecordNumber2xxxxxxxxxxxxxxxxxx'
    chuk_write(r, sid2, chuk_record(sid2, SANDBOX, 'bob', 600, {}), 600)
    own = r.execute_command('SESSION.ALLOCATE', SANDBOX, 'USER', 'bob').decode()
    res.eq(sorted(list_all(r, SANDBOX, user='bob')), sorted([sid, sid2, own]),
           'SESSION.LIST USER bob: chuk-written and allocated sessions')
    res.eq(r.execute_command('SESSION.REVOKE', SANDBOX, 'USER', 'bob'), 3, 'REVOKE USER bob')
    res.eq(r.exists('session:%s' % sid, 'session:%s' % sid2, 'session:%s' % own), 0,
           'REVOKE deleted all three keys')
    res.eq(r.execute_command('SESSION.VALIDATE', SANDBOX, sid), 0, 'revoked session: VALIDATE 0')

    # ALLOCATE ... ID of a live chuk session: chuk's behaviour, touch and reuse.
    sid3 = 'sess-chukWrittenRecordNumber3xxxxxxxxxxxxxxxxxx'
    rec3 = chuk_record(sid3, SANDBOX, None, 600, {'k': 'v'})
    chuk_write(r, sid3, rec3, 600)
    res.eq(r.execute_command('SESSION.ALLOCATE', SANDBOX, 'ID', sid3, 'META', '{"x": 1}'),
           sid3.encode(), 'ALLOCATE ID <live chuk session> returns it')
    p3 = json.loads(r.get('session:%s' % sid3))
    res.eq((p3['custom_metadata'], p3['user_id'], p3['created_at']),
           ({'k': 'v'}, None, rec3['created_at']), 'ALLOCATE ID of a live session changes nothing else')
    res.eq(r.execute_command('SESSION.DELETE', SANDBOX, sid3), 1, 'chuk record: DELETE')
    res.eq(r.exists('session:%s' % sid3), 0, 'DELETE removed the key')

    # A chuk record past its expires_at (its key still live) is no session:
    # VALIDATE says 0 and ALLOCATE ... ID makes a new session in its place.
    # (This once crashed the server: touching it rewrote it with a past
    # deadline.)
    for sid4, owner in (('sess-staleSameSandbox', SANDBOX), ('sess-staleOtherSandbox', OTHER)):
        stale = chuk_record(sid4, owner, None, 600, {'old': True})
        now = datetime.now(timezone.utc)
        stale['created_at'] = iso_z(now - timedelta(seconds=100))
        stale['expires_at'] = iso_z(now - timedelta(seconds=10))
        chuk_write(r, sid4, stale, 600)
        res.eq(r.execute_command('SESSION.VALIDATE', owner, sid4), 0,
               'chuk record past expires_at (%s): VALIDATE 0' % owner)
        res.eq(r.execute_command('SESSION.ALLOCATE', SANDBOX, 'ID', sid4), sid4.encode(),
               'chuk record past expires_at (%s): ALLOCATE ID replaces it' % owner)
        fresh = json.loads(r.get('session:%s' % sid4))
        res.eq((fresh['sandbox_id'], fresh['custom_metadata']), (SANDBOX, {}),
               'chuk record past expires_at (%s): a new session of ours' % owner)
        res.eq(r.execute_command('SESSION.DELETE', SANDBOX, sid4), 1, 'DELETE the replacement')

    # Values under the prefix that are not chuk records are no sessions.
    r.set('session:plain', 'hello')
    r.set('session:wrongid', json.dumps(chuk_record('sess-other', SANDBOX, None, 60, {})))
    for key in ('plain', 'wrongid'):
        res.eq(r.execute_command('SESSION.VALIDATE', SANDBOX, key), 0,
               'not a session: session:%s' % key)
    res.eq(r.get('session:plain'), b'hello', 'a plain string under the prefix is left alone')
    r.delete('session:plain', 'session:wrongid')


def check_sessiond_to_chuk(res, r):
    """(b) SESSION.ALLOCATE, read back as chuk-sessions reads it."""
    meta = ('{"n": "Jos\u00e9 \U0001F600", "f": 1.0, "g": 1e100, "h": 0.1, '
            '"big": 12345678901234567890123, "l": [true, null], "dup": 1, "dup": 2}')
    t0 = time.time()
    sid = r.execute_command('SESSION.ALLOCATE', SANDBOX, 'USER', 'carol', 'TTL', 900,
                            'META', meta).decode()
    text = r.get('session:%s' % sid).decode()
    try:
        parsed = json.loads(text)
    except ValueError as e:
        res.fail('ALLOCATE: GET parses with json.loads', '%r: %s' % (text, e))
        return
    res.eq(list(parsed), CHUK_FIELDS, 'ALLOCATE: GET has exactly the 8 chuk fields in order')
    res.eq(json.dumps(parsed), text, 'ALLOCATE: GET is byte for byte json.dumps of its value')
    res.eq((parsed['session_id'], parsed['sandbox_id'], parsed['user_id'], parsed['status']),
           (sid, SANDBOX, 'carol', 'active'), 'ALLOCATE: id, sandbox, user, status')
    res.eq(parsed['custom_metadata'], json.loads(meta), 'ALLOCATE: metadata as json.loads reads it')
    for k in ('created_at', 'expires_at', 'last_accessed'):
        v = parsed[k]
        res.check(re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z', v) is not None
                  and iso_z(parse_iso_z(v)) == v, 'ALLOCATE: %s in chuk\'s ISO form' % k, v)
    created = parse_iso_z(parsed['created_at'])
    expires = parse_iso_z(parsed['expires_at'])
    res.eq(expires - created, timedelta(seconds=900), 'ALLOCATE: expires_at = created_at + TTL')
    res.check(t0 - 1 <= created.timestamp() <= time.time() + 1, 'ALLOCATE: created_at is now',
              parsed['created_at'])
    left = (expires - datetime.now(timezone.utc)).total_seconds()
    pttl = r.pttl('session:%s' % sid)
    res.check(abs(pttl / 1000.0 - left) <= 1.0, 'ALLOCATE: key TTL ends at expires_at',
              'pttl %r, expires_at in %.3f s' % (pttl, left))
    res.eq(r.type('session:%s' % sid), b'string', 'ALLOCATE: TYPE is string')
    res.eq(r.strlen('session:%s' % sid), len(text.encode()), 'ALLOCATE: STRLEN of the JSON text')

    # A chuk-sessions reader that rewrites the record keeps it a session.
    parsed['custom_metadata']['from_chuk'] = True
    r.setex('session:%s' % sid, 900, json.dumps(parsed))
    res.eq(r.execute_command('SESSION.VALIDATE', SANDBOX, sid), 1,
           'a record chuk rewrote (GET, change, SETEX) is still a session')
    info = json.loads(r.execute_command('SESSION.INFO', SANDBOX, sid))
    res.eq(info['custom_metadata'].get('from_chuk'), True, 'INFO sees chuk\'s change')

    # Defaults: no USER is null, empty metadata, --session-ttl default 86400.
    sid2 = r.execute_command('SESSION.ALLOCATE', SANDBOX).decode()
    p2 = json.loads(r.get('session:%s' % sid2))
    res.eq((p2['user_id'], p2['custom_metadata']), (None, {}), 'ALLOCATE defaults: user null, {}')
    res.check(86400 - 60 <= r.ttl('session:%s' % sid2) <= 86400, 'ALLOCATE default TTL 86400',
              repr(r.ttl('session:%s' % sid2)))

    # INFO MAP: a RESP2 flat array of the same fields.
    flat = r.execute_command('SESSION.INFO', SANDBOX, sid, 'MAP')
    keys = [flat[i].decode() for i in range(0, len(flat), 2)]
    res.eq(keys, CHUK_FIELDS, 'INFO MAP: the 8 fields in order')
    as_map = {flat[i].decode(): flat[i + 1] for i in range(0, len(flat), 2)}
    res.eq(json.loads(as_map['custom_metadata']), info['custom_metadata'],
           'INFO MAP: custom_metadata as JSON text')
    res.eq(as_map['user_id'], b'carol', 'INFO MAP: user_id')
    r.delete('session:%s' % sid, 'session:%s' % sid2)


def check_ids(res, r):
    formats = {
        'generic': r'sess-[A-Za-z0-9]{44}',
        'mcp': r'mcp-[A-Za-z0-9_.-]{36}',
        'http': r'http-[A-Za-z0-9_-]{32}',
        'websocket': r'ws-[A-Za-z0-9_-]{32}',
        'jwt': r'[A-Za-z0-9_-]{30}',
        'uuid': r'[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}',
        'api_key': r'ak_[0-9a-f]{40}',
        'temp_token': r'tmp_[A-Za-z0-9]{22}',
    }
    for name, pattern in formats.items():
        ids = [r.execute_command('SESSION.ID', 'FORMAT', name).decode() for _ in range(50)]
        bad = [i for i in ids if not re.fullmatch(pattern, i)]
        res.check(not bad, 'SESSION.ID FORMAT %s matches %s' % (name, pattern), repr(bad[:3]))
        res.eq(len(set(ids)), 50, 'SESSION.ID FORMAT %s: 50 distinct ids' % name)
    res.check(re.fullmatch(formats['generic'], r.execute_command('SESSION.ID').decode()) is not None,
              'SESSION.ID defaults to generic')
    sid = r.execute_command('SESSION.ALLOCATE', SANDBOX, 'FORMAT', 'UUID').decode()
    res.check(re.fullmatch(formats['uuid'], sid) is not None, 'ALLOCATE FORMAT UUID', sid)
    res.eq(r.execute_command('SESSION.DELETE', SANDBOX, sid), 1, 'DELETE the uuid session')
    before = r.dbsize()
    r.execute_command('SESSION.ID')
    res.eq(r.dbsize(), before, 'SESSION.ID creates nothing')


def check_isolation(res, r):
    sid = r.execute_command('SESSION.ALLOCATE', SANDBOX, 'USER', 'dave',
                            'META', '{"secret": 1}').decode()
    before = r.get('session:%s' % sid)
    token = r.execute_command('SESSION.CSRF.ISSUE', SANDBOX, sid).decode()
    cookie, form = [x.decode() for x in r.execute_command('SESSION.CSRF.PAIR', SANDBOX, sid)]
    sealed = r.execute_command('SESSION.TOKEN.SEAL', SANDBOX, sid).decode()

    x = r.execute_command
    res.eq(x('SESSION.VALIDATE', OTHER, sid), 0, 'other sandbox: VALIDATE 0')
    res.eq(x('SESSION.INFO', OTHER, sid), None, 'other sandbox: INFO nil')
    res.eq(x('SESSION.INFO', OTHER, sid, 'MAP'), None, 'other sandbox: INFO MAP nil')
    res.eq(x('SESSION.UPDATE', OTHER, sid, '{"secret": 2}'), 0, 'other sandbox: UPDATE 0')
    res.eq(x('SESSION.UPDATE', OTHER, sid, '{}', 'REPLACE'), 0, 'other sandbox: UPDATE REPLACE 0')
    res.eq(x('SESSION.EXTEND', OTHER, sid, 100), None, 'other sandbox: EXTEND nil')
    res.eq(x('SESSION.DELETE', OTHER, sid), 0, 'other sandbox: DELETE 0')
    res.eq(list_all(r, OTHER), [], 'other sandbox: LIST empty')
    res.eq(list_all(r, OTHER, user='dave'), [], 'other sandbox: LIST USER empty')
    res.eq(x('SESSION.REVOKE', OTHER, 'USER', 'dave'), 0, 'other sandbox: REVOKE 0')
    res.eq(x('SESSION.CSRF.ISSUE', OTHER, sid), None, 'other sandbox: CSRF.ISSUE nil')
    res.eq(x('SESSION.CSRF.VERIFY', OTHER, sid, token), 0, 'other sandbox: CSRF.VERIFY 0')
    res.eq(x('SESSION.CSRF.PAIR', OTHER, sid), None, 'other sandbox: CSRF.PAIR nil')
    res.eq(x('SESSION.CSRF.CHECKPAIR', OTHER, sid, cookie, form), 0,
           'other sandbox: CSRF.CHECKPAIR 0')
    res.eq(x('SESSION.TOKEN.SEAL', OTHER, sid), None, 'other sandbox: TOKEN.SEAL nil')
    res.eq(x('SESSION.TOKEN.OPEN', OTHER, sid, sealed), None, 'other sandbox: TOKEN.OPEN nil')
    expect_error(res, 'session id already in use', 'other sandbox: ALLOCATE ID refused',
                 r, 'SESSION.ALLOCATE', OTHER, 'ID', sid)
    res.eq(stats(r, OTHER)['active_sessions'], 0, 'other sandbox: STATS shows no session')
    res.eq(r.get('session:%s' % sid), before, 'the session is unchanged by all that')
    res.eq(x('SESSION.VALIDATE', SANDBOX, sid), 1, 'own sandbox still validates it')
    res.eq(x('SESSION.CSRF.VERIFY', SANDBOX, sid, token), 1, 'own sandbox: CSRF.VERIFY 1')
    res.eq(x('SESSION.CSRF.CHECKPAIR', SANDBOX, sid, cookie, form), 1,
           'own sandbox: CSRF.CHECKPAIR 1')
    res.eq(x('SESSION.TOKEN.OPEN', SANDBOX, sid, sealed), b'{}', 'own sandbox: TOKEN.OPEN')
    res.eq(x('SESSION.DELETE', SANDBOX, sid), 1, 'own sandbox: DELETE 1')
    # Gone: every token of it is dead.
    res.eq(x('SESSION.CSRF.VERIFY', SANDBOX, sid, token), 0, 'deleted session: CSRF.VERIFY 0')
    res.eq(x('SESSION.CSRF.CHECKPAIR', SANDBOX, sid, cookie, form), 0,
           'deleted session: CSRF.CHECKPAIR 0')
    res.eq(x('SESSION.TOKEN.OPEN', SANDBOX, sid, sealed), None, 'deleted session: TOKEN.OPEN nil')


def run_threads(target, n):
    """Runs target(0..n-1) on n threads; returns them once joined (or timed out)."""
    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=harness.REPLY_DEADLINE_S)
    return threads


def check_concurrent_updates(res, port):
    n_threads, rounds = 8, 40
    r = connect(port)
    sid = r.execute_command('SESSION.ALLOCATE', SANDBOX, 'META', '{"base": 0}').decode()
    errors = []

    def worker(i):
        c = connect(port)
        try:
            for j in range(rounds):
                if c.execute_command('SESSION.UPDATE', SANDBOX, sid,
                                     json.dumps({'f%d' % i: j})) != 1:
                    errors.append('thread %d round %d: UPDATE did not answer 1' % (i, j))
        except redis.RedisError as e:
            errors.append('thread %d: %r' % (i, e))
        finally:
            c.close()

    threads = run_threads(worker, n_threads)
    res.check(not errors and not any(t.is_alive() for t in threads),
              'concurrent SESSION.UPDATE: every call answered 1', '; '.join(errors[:5]))
    meta = json.loads(r.get('session:%s' % sid))['custom_metadata']
    want = {'base': 0}
    want.update({'f%d' % i: rounds - 1 for i in range(n_threads)})
    res.eq(meta, want, 'concurrent SESSION.UPDATE from %d connections x %d: nothing lost'
           % (n_threads, rounds))
    res.eq(stats(r, SANDBOX)['updated'] >= n_threads * rounds, True, 'STATS counts the updates')

    # Contrast, not asserted: chuk-sessions' own read-modify-write (GET,
    # change, SETEX) against the same server can lose fields, because two
    # clients read the same version and the second write wins.
    sid2 = r.execute_command('SESSION.ALLOCATE', SANDBOX).decode()
    key = 'session:%s' % sid2

    def rmw(i):
        c = connect(port)
        try:
            for j in range(rounds):
                rec = json.loads(c.get(key))
                rec['custom_metadata']['f%d' % i] = j
                c.setex(key, 600, json.dumps(rec))
        except (redis.RedisError, TypeError, ValueError):
            pass
        finally:
            c.close()

    run_threads(rmw, n_threads)
    kept = json.loads(r.get(key))['custom_metadata']
    lost = sum(1 for i in range(n_threads) if kept.get('f%d' % i) != rounds - 1)
    print('NOTE: read-modify-write as chuk-sessions does it: %d of %d fields not at their '
          'last value (informational, not a failure)' % (lost, n_threads), flush=True)
    r.delete(key, 'session:%s' % sid)
    r.close()


def check_csrf(res, r, secret):
    sid = r.execute_command('SESSION.ALLOCATE', SANDBOX).decode()
    before = stats(r, SANDBOX)

    # Server -> Python.
    token = r.execute_command('SESSION.CSRF.ISSUE', SANDBOX, sid).decode()
    ok, data = csrf_validate(token, sid, secret)
    res.check(ok and data == {}, 'CSRF.ISSUE token validates in Python', token)
    ts = int(token.split(':', 1)[0])
    res.eq(token, csrf_generate(sid, secret, ts), 'CSRF.ISSUE token = Python token byte for byte')
    res.check(abs(ts - time.time()) <= 60, 'CSRF.ISSUE timestamp is now', repr(ts))
    res.eq(csrf_validate(token, sid + 'x', secret)[0], False, 'Python: token of another session fails')
    res.eq(csrf_validate(token, sid, secret + 'x')[0], False,
           'Python: token under another secret fails')

    user_data = {'z': 1, 'action': 'delete', 'name': 'Jos\u00e9', 'l': [1.5, None]}
    token = r.execute_command('SESSION.CSRF.ISSUE', SANDBOX, sid, 'DATA',
                              json.dumps(user_data)).decode()
    ok, data = csrf_validate(token, sid, secret)
    res.check(ok and data == user_data, 'CSRF.ISSUE DATA validates in Python with its data',
              '%s -> %r' % (token, data))
    ts = int(token.split(':', 1)[0])
    res.eq(token, csrf_generate(sid, secret, ts, user_data),
           'CSRF.ISSUE DATA token = Python token byte for byte (compact, sorted, ASCII)')
    token_empty = r.execute_command('SESSION.CSRF.ISSUE', SANDBOX, sid, 'DATA', '{}').decode()
    res.check(token_empty.split(':')[1] == '', 'CSRF.ISSUE DATA {} writes no data part', token_empty)

    # Python -> server.
    now = int(time.time())
    def v(token, *extra):
        return r.execute_command('SESSION.CSRF.VERIFY', SANDBOX, sid, token, *extra)

    res.eq(v(csrf_generate(sid, secret, now)), 1, 'Python token accepted by CSRF.VERIFY')
    res.eq(v(csrf_generate(sid, secret, now, {'b': [1, 2], 'a': '\u00fc'})), 1,
           'Python token with data accepted by CSRF.VERIFY')
    res.eq(v(csrf_generate(sid, secret, now - 100), 'MAXAGE', 50), 0,
           'CSRF.VERIFY: 100 s old token with MAXAGE 50 rejected')
    res.eq(v(csrf_generate(sid, secret, now - 100), 'MAXAGE', 1000), 1,
           'CSRF.VERIFY: 100 s old token with MAXAGE 1000 accepted')
    res.eq(v(csrf_generate(sid, secret, now - 4000)), 0,
           'CSRF.VERIFY: 4000 s old token rejected by the default max age 3600')
    res.eq(v(csrf_generate(sid, secret, now - 3000)), 1,
           'CSRF.VERIFY: 3000 s old token accepted by the default max age 3600')
    good = csrf_generate(sid, secret, now)
    flipped = good[:-1] + ('0' if good[-1] != '0' else '1')
    res.eq(v(flipped), 0, 'CSRF.VERIFY: altered signature rejected')
    res.eq(v(csrf_generate(sid, secret + 'x', now)), 0, 'CSRF.VERIFY: other secret rejected')
    res.eq(v(csrf_generate(sid + 'x', secret, now)), 0, 'CSRF.VERIFY: other session id rejected')
    res.eq(v('garbage'), 0, 'CSRF.VERIFY: malformed token rejected')
    res.eq(v(good.replace(':', ':e30', 1)), 0, 'CSRF.VERIFY: data part added after signing rejected')

    # Double-submit pairs, both ways.
    cookie, form = [x.decode() for x in r.execute_command('SESSION.CSRF.PAIR', SANDBOX, sid)]
    res.eq(pair_validate(cookie, form, sid, secret), True, 'CSRF.PAIR validates in Python')
    cookie_data = json.loads(b64url_decode(cookie.rsplit('.', 1)[0]))
    res.eq(list(cookie_data), ['sid', 'ts', 'val'], 'CSRF.PAIR cookie JSON has sid, ts, val')
    res.check(cookie_data['sid'] == sid and len(cookie_data['val']) == 43
              and re.fullmatch(r'[A-Za-z0-9_-]+', cookie_data['val']) is not None,
              'CSRF.PAIR cookie: our sid and a token_urlsafe(32) value', repr(cookie_data))
    res.eq((cookie, form), pair_generate(sid, secret, cookie_data['ts'], cookie_data['val']),
           'CSRF.PAIR = Python pair byte for byte')
    cookie2, form2 = [x.decode() for x in r.execute_command('SESSION.CSRF.PAIR', SANDBOX, sid)]
    res.check(cookie2 != cookie and form2 != form, 'CSRF.PAIR: a fresh random value each time')
    def cp(cookie, form, *extra):
        return r.execute_command('SESSION.CSRF.CHECKPAIR', SANDBOX, sid, cookie, form, *extra)

    pc, pf = pair_generate(sid, secret, int(time.time()), 'py-value-' + 'A' * 30)
    res.eq(cp(pc, pf), 1, 'Python pair accepted by CSRF.CHECKPAIR')
    res.eq(cp(pc, form), 0, 'CSRF.CHECKPAIR: form token of another pair rejected')
    res.eq(cp(cookie, pf), 0, 'CSRF.CHECKPAIR: cookie of another pair rejected')
    oc, of = pair_generate(sid, secret, int(time.time()) - 500, 'old')
    res.eq(cp(oc, of, 'MAXAGE', 100), 0, 'CSRF.CHECKPAIR: 500 s old pair with MAXAGE 100 rejected')
    res.eq(cp(oc, of), 1, 'CSRF.CHECKPAIR: 500 s old pair with the default max age accepted')
    xc, xf = pair_generate(sid + 'x', secret, int(time.time()), 'v')
    res.eq(cp(xc, xf), 0, 'CSRF.CHECKPAIR: pair of another session id rejected')
    sc, sf = pair_generate(sid, secret + 'x', int(time.time()), 'v')
    res.eq(cp(sc, sf), 0, 'CSRF.CHECKPAIR: pair under another secret rejected')

    after = stats(r, SANDBOX)
    res.eq(after['csrf_issued'] - before['csrf_issued'], 5,
           'STATS csrf_issued counts 3 tokens + 2 pairs')
    res.eq(after['csrf_rejected'] - before['csrf_rejected'], 12,
           'STATS csrf_rejected counts 12 rejections')
    r.execute_command('SESSION.DELETE', SANDBOX, sid)


def check_sealed(res, r, secret):
    sid = r.execute_command('SESSION.ALLOCATE', SANDBOX).decode()
    sid2 = r.execute_command('SESSION.ALLOCATE', SANDBOX).decode()
    data = {'cart': [1, 2], 'who': 'Jos\u00e9'}
    t = r.execute_command('SESSION.TOKEN.SEAL', SANDBOX, sid, 'DATA', json.dumps(data)).decode()
    opened = r.execute_command('SESSION.TOKEN.OPEN', SANDBOX, sid, t)
    res.check(opened is not None and json.loads(opened) == data, 'TOKEN.SEAL/OPEN round trip',
              repr(opened))
    res.eq(opened, json.dumps(data, separators=(',', ':'), sort_keys=True).encode(),
           'TOKEN.OPEN returns the data compact with sorted keys')
    res.check(re.fullmatch(r'[A-Za-z0-9_-]+', t) is not None, 'sealed token is URL-safe', t)
    t2 = r.execute_command('SESSION.TOKEN.SEAL', SANDBOX, sid, 'DATA', json.dumps(data)).decode()
    res.check(t2 != t, 'same data sealed twice gives different tokens (random nonce)')
    # Tampering anywhere: first, middle and last character.
    for pos in (0, len(t) // 2, len(t) - 1):
        c = t[pos]
        alt = 'A' if c != 'A' else 'B'
        bad = t[:pos] + alt + t[pos + 1:]
        res.eq(r.execute_command('SESSION.TOKEN.OPEN', SANDBOX, sid, bad), None,
               'TOKEN.OPEN: token altered at %d -> nil' % pos)
    res.eq(r.execute_command('SESSION.TOKEN.OPEN', SANDBOX, sid, t[:-4]), None,
           'TOKEN.OPEN: truncated token -> nil')
    res.eq(r.execute_command('SESSION.TOKEN.OPEN', SANDBOX, sid2, t), None,
           'TOKEN.OPEN: token of another session -> nil')
    res.eq(r.execute_command('SESSION.TOKEN.OPEN', SANDBOX, sid, 'not-a-token'), None,
           'TOKEN.OPEN: garbage -> nil')
    res.eq(r.execute_command('SESSION.TOKEN.OPEN', SANDBOX, sid, t, 'MAXAGE', 100), opened,
           'TOKEN.OPEN MAXAGE 100 on a fresh token')
    try:
        got = seal_open_py(secret, sid, t)
        res.check(got is not None and json.loads(got[1]) == data and abs(got[0] - time.time()) <= 60,
                  'sealed token opens with an independent ChaCha20-Poly1305 + HKDF in Python',
                  repr(got))
        res.eq(seal_open_py(secret, sid2, t), None, 'Python: the session id is bound as AAD')
        mine = seal_py(secret, sid, int(time.time()), b'{"from":"python"}')
        res.eq(r.execute_command('SESSION.TOKEN.OPEN', SANDBOX, sid, mine), b'{"from":"python"}',
               'a token sealed in Python opens with TOKEN.OPEN')
        old = seal_py(secret, sid, int(time.time()) - 500, b'{}')
        res.eq(r.execute_command('SESSION.TOKEN.OPEN', SANDBOX, sid, old, 'MAXAGE', 100), None,
               'TOKEN.OPEN: 500 s old token with MAXAGE 100 -> nil')
    except ImportError:
        res.skip('independent sealed-token checks: python3-cryptography is not installed')
    r.execute_command('SESSION.DELETE', SANDBOX, sid)
    r.execute_command('SESSION.DELETE', SANDBOX, sid2)


def check_list_and_index(res, r):
    sb = 'listing'
    ids = set()
    for i in range(25):
        args = ['SESSION.ALLOCATE', sb] + (['USER', 'u%d' % (i % 3)] if i % 5 else [])
        ids.add(r.execute_command(*args).decode())
    got = list_all(r, sb, count=2)
    res.eq(sorted(got), sorted(ids), 'SESSION.LIST COUNT 2: full iteration returns every session')
    res.eq(len(got), len(set(got)), 'SESSION.LIST: no duplicates without concurrent changes')
    u1 = list_all(r, sb, user='u1', count=1)
    res.eq(len(u1), len([i for i in range(25) if i % 5 and i % 3 == 1]),
           'SESSION.LIST USER u1 COUNT 1: all of its sessions')
    st = stats(r, sb)
    res.eq((st['active_sessions'], st['users'], st['allocated']), (25, 3, 25),
           'STATS: active_sessions, users, allocated')
    # Plain key commands keep the index: DEL, then FLUSHDB of another db.
    victim = sorted(ids)[0]
    res.eq(r.delete('session:%s' % victim), 1, 'DEL of a session key')
    res.check(victim not in list_all(r, sb), 'DEL removed it from SESSION.LIST')
    res.eq(stats(r, sb)['active_sessions'], 24, 'DEL: STATS active_sessions follows')
    r.set('session:x', 'plain')
    res.eq(list_all(r, sb, user='nobody'), [], 'SESSION.LIST USER with no sessions')
    res.eq(r.execute_command('SESSION.LIST', 'no-such-sandbox'), [b'0', []],
           'SESSION.LIST of an unknown sandbox: [0, []]')
    r.delete('session:x')
    r4 = connect(r.connection_pool.connection_kwargs['port'], db=4)
    s4 = r4.execute_command('SESSION.ALLOCATE', sb).decode()
    res.eq(list_all(r4, sb), [s4], 'databases are separate: db 4 lists only its session')
    r4.flushdb()
    res.eq(list_all(r4, sb), [], 'FLUSHDB empties the index of that db')
    res.eq(stats(r, sb)['active_sessions'], 24, 'FLUSHDB of db 4 leaves db 0')
    r4.close()
    res.eq(r.execute_command('SESSION.CLEANUP', sb), 0, 'SESSION.CLEANUP: nothing overdue')
    for sid in ids - {victim}:
        r.execute_command('SESSION.DELETE', sb, sid)


def check_expiry(res, r):
    sb = 'expiry'
    before = stats(r, sb)
    t0 = time.monotonic()
    sid = r.execute_command('SESSION.ALLOCATE', sb, 'USER', 'eve', 'TTL', 1).decode()
    res.eq(r.execute_command('SESSION.VALIDATE', sb, sid), 1, 'TTL 1: live at first')
    # Watch the index, not the key: only active expiry can empty it.
    gone = poll_until(lambda: stats(r, sb)['active_sessions'] == 0)
    elapsed = time.monotonic() - t0
    res.check(gone, 'TTL 1: reclaimed by active expiry within %.0f s' % POLL_DEADLINE_S)
    res.check(elapsed >= 0.9, 'TTL 1: not reclaimed before its deadline', '%.3f s' % elapsed)
    res.eq(r.exists('session:%s' % sid), 0, 'TTL 1: key gone')
    res.eq(r.execute_command('SESSION.VALIDATE', sb, sid), 0, 'TTL 1: VALIDATE 0 afterwards')
    after = stats(r, sb)
    res.eq(after['expired'] - before['expired'], 1, 'STATS expired counted the expiry')
    res.eq((after['users'], list_all(r, sb), list_all(r, sb, user='eve')), (0, [], []),
           'expiry removed it from the sandbox and user indexes')

    # Sliding: IDLE 1, TTL 3. Validating every 0.25 s keeps it alive past
    # 1 s; the 3 s cap ends it anyway. The server touched the session between
    # sending the previous successful VALIDATE and its reply, so a VALIDATE
    # answered less than 1 s after that send must succeed unless the cap has
    # passed. After a longer gap (a stalled machine) the idle timeout may
    # rightly have ended it, and nothing can be concluded: skipped, not failed.
    start = time.monotonic()
    sid = r.execute_command('SESSION.ALLOCATE', sb, 'IDLE', 1, 'TTL', 3).decode()
    info = json.loads(r.execute_command('SESSION.INFO', sb, sid))
    res.eq(parse_iso_z(info['expires_at']) - parse_iso_z(info['created_at']), timedelta(seconds=1),
           'IDLE 1: first deadline is created + 1 s')
    res.check(r.pttl('session:%s' % sid) <= 1000, 'IDLE 1: key TTL at most 1 s')
    prev_send = start
    alive_past_idle = False
    first_fail = None
    gap = 0.0
    for _ in range(200):  # bounded: 200 x 0.25 s is far past the 3 s cap
        time.sleep(0.25)
        send = time.monotonic()
        ok = r.execute_command('SESSION.VALIDATE', sb, sid)
        recv = time.monotonic()
        if ok == 1:
            alive_past_idle = alive_past_idle or recv - start > 1.2
            prev_send = send
            continue
        gap = recv - prev_send
        first_fail = recv - start
        break
    if first_fail is not None and gap >= 1.0:
        res.skip('IDLE 1 TTL 3: the machine stalled %.3f s between touches; no conclusion' % gap)
    else:
        res.check(alive_past_idle, 'IDLE 1: validating every 0.25 s keeps it alive past 1 s')
        res.check(first_fail is not None and first_fail >= 2.9,
                  'IDLE 1 TTL 3: VALIDATE fails only once the 3 s cap has passed',
                  'first failure %r s after allocation' % first_fail)
    res.eq(r.exists('session:%s' % sid), 0, 'IDLE 1 TTL 3: key gone after the cap')

    # Without IDLE, VALIDATE does not move the deadline.
    sid = r.execute_command('SESSION.ALLOCATE', sb, 'TTL', 100).decode()
    exp1 = json.loads(r.execute_command('SESSION.INFO', sb, sid))['expires_at']
    r.execute_command('SESSION.VALIDATE', sb, sid)
    exp2 = json.loads(r.execute_command('SESSION.INFO', sb, sid))['expires_at']
    res.eq(exp2, exp1, 'no IDLE: VALIDATE leaves expires_at alone')
    ext = r.execute_command('SESSION.EXTEND', sb, sid, 50)
    res.check(100 < ext <= 150, 'EXTEND 50 on TTL 100 -> at most 150', repr(ext))
    exp3 = json.loads(r.execute_command('SESSION.INFO', sb, sid))['expires_at']
    res.eq(parse_iso_z(exp3) - parse_iso_z(exp1), timedelta(seconds=50),
           'EXTEND moves expires_at by exactly 50 s')
    r.execute_command('SESSION.DELETE', sb, sid)


def check_errors(res, r):
    sid = r.execute_command('SESSION.ALLOCATE', SANDBOX, 'META', '{"keep": 1}').decode()
    key = 'session:%s' % sid
    before = r.get(key)
    allocated = stats(r)['allocated']
    sandbox_err = 'invalid sandbox id: must match [A-Za-z0-9._:-]{1,128}'
    id_err = 'invalid session id: 1 to 256 bytes of UTF-8 without whitespace or control characters'
    user_err = 'invalid user id: 1 to 256 bytes of UTF-8 without whitespace or control characters'
    cases = [
        ('ALLOCATE bad sandbox', sandbox_err, ('SESSION.ALLOCATE', 'a b')),
        ('ALLOCATE empty sandbox', sandbox_err, ('SESSION.ALLOCATE', '')),
        ('ALLOCATE sandbox of 129 chars', sandbox_err, ('SESSION.ALLOCATE', 'a' * 129)),
        ('ALLOCATE unknown option', "unknown option 'COLOR'",
         ('SESSION.ALLOCATE', SANDBOX, 'COLOR', 'red')),
        ('ALLOCATE missing value', "option 'TTL' needs a value", ('SESSION.ALLOCATE', SANDBOX, 'TTL')),
        ('ALLOCATE TTL 0', 'TTL must be a positive integer', ('SESSION.ALLOCATE', SANDBOX, 'TTL', 0)),
        ('ALLOCATE TTL abc', 'TTL must be a positive integer',
         ('SESSION.ALLOCATE', SANDBOX, 'TTL', 'abc')),
        ('ALLOCATE IDLE -1', 'IDLE must be a positive integer',
         ('SESSION.ALLOCATE', SANDBOX, 'IDLE', -1)),
        ('ALLOCATE invalid META', 'invalid JSON', ('SESSION.ALLOCATE', SANDBOX, 'META', '{"a":')),
        ('ALLOCATE META not an object', 'JSON value is not an object',
         ('SESSION.ALLOCATE', SANDBOX, 'META', '[1, 2]')),
        ('ALLOCATE META over --session-max-meta', 'custom metadata exceeds session-max-meta',
         ('SESSION.ALLOCATE', SANDBOX, 'META', json.dumps({'big': 'x' * 70000}))),
        ('ALLOCATE user id with a space', user_err, ('SESSION.ALLOCATE', SANDBOX, 'USER', 'a b')),
        ('ALLOCATE user id with a control character', user_err,
         ('SESSION.ALLOCATE', SANDBOX, 'USER', 'a\x01b')),
        ('ALLOCATE user id over 256 bytes', user_err, ('SESSION.ALLOCATE', SANDBOX, 'USER', 'u' * 257)),
        ('ALLOCATE ID over 256 bytes', id_err, ('SESSION.ALLOCATE', SANDBOX, 'ID', 's' * 257)),
        ('ALLOCATE unknown format',
         "unknown id format 'nope' (generic, mcp, http, websocket, jwt, uuid, api_key, temp_token)",
         ('SESSION.ALLOCATE', SANDBOX, 'FORMAT', 'nope')),
        ('VALIDATE id with a newline', id_err, ('SESSION.VALIDATE', SANDBOX, 'a\nb')),
        ('VALIDATE bad sandbox', sandbox_err, ('SESSION.VALIDATE', 'a/b', sid)),
        ('VALIDATE wrong arity', "wrong number of arguments for 'session.validate' command",
         ('SESSION.VALIDATE', SANDBOX)),
        ('INFO unknown form', "unknown option 'XML'", ('SESSION.INFO', SANDBOX, sid, 'XML')),
        ('UPDATE invalid JSON', 'invalid JSON', ('SESSION.UPDATE', SANDBOX, sid, 'nope')),
        ('UPDATE JSON not an object', 'JSON value is not an object',
         ('SESSION.UPDATE', SANDBOX, sid, '"s"')),
        ('UPDATE unknown flag', "unknown option 'MERGE'",
         ('SESSION.UPDATE', SANDBOX, sid, '{}', 'MERGE')),
        ('UPDATE over --session-max-meta', 'custom metadata exceeds session-max-meta',
         ('SESSION.UPDATE', SANDBOX, sid, json.dumps({'big': 'x' * 70000}))),
        ('EXTEND 0', 'seconds must be a positive integer', ('SESSION.EXTEND', SANDBOX, sid, 0)),
        ('EXTEND x', 'seconds must be a positive integer', ('SESSION.EXTEND', SANDBOX, sid, 'x')),
        ('LIST bad cursor', 'invalid cursor', ('SESSION.LIST', SANDBOX, 'CURSOR', '-1')),
        ('LIST COUNT 0', 'COUNT must be a positive integer', ('SESSION.LIST', SANDBOX, 'COUNT', 0)),
        ('LIST missing value', "option 'USER' needs a value", ('SESSION.LIST', SANDBOX, 'USER')),
        ('REVOKE without USER', "unknown option 'ALL'", ('SESSION.REVOKE', SANDBOX, 'ALL', 'x')),
        ('STATS too many arguments', 'syntax error', ('SESSION.STATS', SANDBOX, 'x')),
        ('ID unknown option', "unknown option 'KIND'", ('SESSION.ID', 'KIND', 'uuid')),
        ('CSRF.ISSUE invalid DATA', 'invalid JSON', ('SESSION.CSRF.ISSUE', SANDBOX, sid, 'DATA', '{')),
        ('CSRF.ISSUE unknown option', "unknown option 'WITH'",
         ('SESSION.CSRF.ISSUE', SANDBOX, sid, 'WITH', '{}')),
        ('CSRF.VERIFY MAXAGE 0', 'MAXAGE must be a positive integer',
         ('SESSION.CSRF.VERIFY', SANDBOX, sid, 't', 'MAXAGE', 0)),
        ('CSRF.CHECKPAIR missing MAXAGE value', "option 'MAXAGE' needs a value",
         ('SESSION.CSRF.CHECKPAIR', SANDBOX, sid, 'c', 'f', 'MAXAGE')),
        ('TOKEN.SEAL invalid DATA', 'invalid JSON', ('SESSION.TOKEN.SEAL', SANDBOX, sid, 'DATA', 'x')),
    ]
    for what, text, args in cases:
        expect_error(res, text, what, r, *args)
    res.eq(r.get(key), before, 'failed commands left the session unchanged')
    res.eq(stats(r)['allocated'], allocated, 'failed ALLOCATEs created nothing')
    # The message for an UPDATE of a missing session with bad JSON is the
    # JSON error, so an error never tells whether a session exists.
    expect_error(res, 'invalid JSON', 'UPDATE of a missing session with bad JSON',
                 r, 'SESSION.UPDATE', SANDBOX, 'sess-missing', '{')
    r.execute_command('SESSION.DELETE', SANDBOX, sid)


def check_secret_file(res):
    """--csrf-secret-file, with --session-prefix and --session-ttl."""
    secret = 'from-a-file-\u00fc-' + os.urandom(8).hex()
    fd, path = tempfile.mkstemp(prefix='sessiond-secret-')
    server = None
    try:
        with os.fdopen(fd, 'w', encoding='utf-8') as f:
            f.write(secret + '\n')  # the trailing newline is not part of the secret
        server = harness.Server(harness.sessiond_path(),
                                {'csrf-secret-file': path, 'session-prefix': 'app:sess:',
                                 'session-ttl': 120}, name='sessiond(secret file)').start()
        r = connect(server.port)
        sid = r.execute_command('SESSION.ALLOCATE', SANDBOX).decode()
        res.eq(r.exists('app:sess:%s' % sid, 'session:%s' % sid), 1,
               '--session-prefix app:sess: names the key')
        res.check(60 <= r.ttl('app:sess:%s' % sid) <= 120, '--session-ttl 120 is the default TTL',
                  repr(r.ttl('app:sess:%s' % sid)))
        token = r.execute_command('SESSION.CSRF.ISSUE', SANDBOX, sid).decode()
        res.eq(csrf_validate(token, sid, secret)[0], True,
               '--csrf-secret-file: token verifies in Python with the file\'s secret')
        res.eq(r.execute_command('SESSION.CSRF.VERIFY', SANDBOX, sid,
                                 csrf_generate(sid, secret, int(time.time()))), 1,
               '--csrf-secret-file: Python token with the file\'s secret accepted')
        res.eq(r.execute_command('SESSION.CSRF.VERIFY', SANDBOX, sid,
                                 csrf_generate(sid, secret + '\n', int(time.time()))), 0,
               '--csrf-secret-file: the trailing newline is not part of the secret')
        r.close()
    except (OSError, redis.RedisError, harness.ServerError) as e:
        res.fail('--csrf-secret-file run', repr(e))
    finally:
        harness.stop_all(res, server)
        os.unlink(path)


def main():
    res = harness.Results('sessions')
    path = harness.sessiond_path()
    if harness.binary_kind(path) != 'sessiond':
        print('SKIP: %s is not sessiond; SESSION.* are sessiond commands' % path)
        raise SystemExit(0)
    started = time.monotonic()
    server = None
    try:
        server = harness.Server(path, {'csrf-secret': SECRET}, name='sessiond').start()
        r = connect(server.port)
        r.flushall()
        check_chuk_to_sessiond(res, r)
        check_sessiond_to_chuk(res, r)
        check_ids(res, r)
        check_isolation(res, r)
        check_concurrent_updates(res, server.port)
        check_csrf(res, r, SECRET)
        check_sealed(res, r, SECRET)
        check_list_and_index(res, r)
        check_errors(res, r)
        check_expiry(res, r)
        res.check(server.alive(), 'sessiond still running')
        r.close()
    except (OSError, redis.RedisError, harness.ServerError) as e:
        res.fail('sessions run', repr(e))
    finally:
        harness.stop_all(res, server)
    check_secret_file(res)
    print('took %.1f s' % (time.monotonic() - started), flush=True)
    res.finish()


if __name__ == '__main__':
    main()
