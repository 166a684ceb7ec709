"""Differential test: the same command script is sent to sessiond and to a
real redis-server; the replies must be equal byte for byte.

Replies that legitimately depend on the clock or on hash order are compared
in a form that cannot differ: TTL/PTTL as "an integer in (0, the TTL set]",
KEYS and MGET-free listings as sorted sets, SCAN fully iterated as the sorted
set of keys. Absolute deadlines (EXPIREAT far in the future + EXPIRETIME) are
compared exactly.
"""

import sys

import harness
from harness import encode, decode

FAR = 4102444800          # 2100-01-01, seconds
FAR_MS = 4102444800123    # same, with milliseconds
LONG = 'x' * 300          # longer than Redis's 128-char error echo cut-off

steps = []


def c(*args, mode='exact'):
    steps.append((encode(*args), mode, 1))


def raw(data, mode='exact', replies=1):
    steps.append((data, mode, replies))


def ttl(*args, hi):
    c(*args, mode=('range', 1, hi))


def scan(*opts):
    steps.append((opts, 'scan', 0))


# --- connection -----------------------------------------------------------
c('FLUSHALL')
c('PING')
c('PING', 'hello world')
c('ping')
c('PiNg', 'x')
c('PING', 'a', 'b')
c('ECHO', 'hi')
c('ECHO', '')
c('ECHO', b'bin\x00ary\r\nvalue')
c('ECHO')
c('ECHO', 'a', 'b')
c('SELECT', '1')
c('SET', 'db1key', 'one')
c('DBSIZE')
c('SELECT', '0')
c('GET', 'db1key')
c('DBSIZE')
c('SELECT', '15')
c('SELECT', '16')
c('SELECT', '-1')
c('SELECT', 'abc')
c('SELECT', '1.5')
c('SELECT', '9223372036854775808')
c('SELECT', '2147483648')
c('SELECT', '')
c('SELECT')
c('SELECT', '0', '1')
c('SELECT', '1')
c('GET', 'db1key')
c('SELECT', '0')

# --- unknown commands and arity --------------------------------------------
c('FOO')
c('foo', 'a', 'b')
c('NOSUCHCMD', 'arg1', 'arg2', 'arg3')
c('FOO', LONG)
c('FOO', 'a' * 100, 'b' * 100)
c('X' * 200)
c('Y' * 200, LONG)
c('FOO', 'with\r\nnewline', 'and\nlf')
c('FOO', b'nul\x00byte')
c('')
c('', 'a')
for args in [('GET',), ('GET', 'a', 'b'), ('SET', 'a'), ('SET',), ('SETEX', 'a', '1'),
             ('PSETEX', 'a'), ('SETNX', 'a'), ('GETEX',), ('GETDEL',), ('GETDEL', 'a', 'b'),
             ('GETSET', 'a'), ('MGET',), ('MSET',), ('MSET', 'a'), ('MSET', 'a', '1', 'b'),
             ('MSETNX', 'a'), ('INCR',), ('INCR', 'a', 'b'), ('INCRBY', 'a'), ('DECR',),
             ('DECRBY', 'a'), ('INCRBYFLOAT', 'a'), ('APPEND', 'a'), ('STRLEN',),
             ('GETRANGE', 'a', '0'), ('SETRANGE', 'a', '0'), ('DEL',), ('UNLINK',),
             ('EXISTS',), ('TOUCH',), ('TYPE',), ('EXPIRE', 'a'), ('PEXPIRE', 'a'),
             ('EXPIREAT', 'a'), ('PEXPIREAT',), ('TTL',), ('PTTL', 'a', 'b'),
             ('EXPIRETIME',), ('PEXPIRETIME',), ('PERSIST',), ('KEYS',), ('KEYS', 'a', 'b'),
             ('RENAME', 'a'), ('RENAMENX', 'a'), ('DBSIZE', 'x'), ('SCAN',), ('TYPE', 'a', 'b'),
             ('set', 'onlykey')]:
    c(*args)

# --- SET and its options -----------------------------------------------------
c('SET', 'k', 'v')
c('GET', 'k')
c('GET', 'missing')
c('SET', 'k', 'v', 'NX')
c('SET', 'k', 'v2', 'XX')
c('GET', 'k')
c('SET', 'nxk', 'v', 'XX')
c('EXISTS', 'nxk')
c('SET', 'nxk', 'v', 'NX')
c('SET', 'k', 'v3', 'GET')
c('SET', 'newk', 'v', 'GET')
c('GET', 'newk')
c('SET', 'k', 'v4', 'NX', 'GET')
c('SET', 'k', 'v5', 'XX', 'GET')
c('SET', 'k', 'v', 'NX', 'XX')
c('SET', 'k', 'v', 'EX', '0')
c('SET', 'k', 'v', 'EX', '-1')
c('SET', 'k', 'v', 'PX', '0')
c('SET', 'k', 'v', 'EX', 'abc')
c('SET', 'k', 'v', 'EX', '1.5')
c('SET', 'k', 'v', 'EX')
c('SET', 'k', 'v', 'EX', '100', 'PX', '100')
c('SET', 'k', 'v', 'EX', '100', 'KEEPTTL')
c('SET', 'k', 'v', 'KEEPTTL', 'PXAT', str(FAR_MS))
c('SET', 'k', 'v', 'EX', '9223372036854775807')
c('SET', 'k', 'v', 'EX', '9223372036854775')
c('SET', 'k', 'v', 'PX', '9223372036854775807')
c('SET', 'k', 'v', 'EXAT', '9223372036854775807')
c('SET', 'k', 'v', 'FOO')
c('SET', 'k', 'v', 'EX', '100', 'EX', '100')
c('SET', 'k', 'v', 'ex', '100000')
ttl('TTL', 'k', hi=100000)
ttl('PTTL', 'k', hi=100000000)
c('SET', 'k', 'v', 'PX', '100000000')
ttl('TTL', 'k', hi=100000)
ttl('PTTL', 'k', hi=100000000)
c('SET', 'k', 'v')
c('TTL', 'k')
c('PTTL', 'k')
c('SET', 'k', 'v', 'EXAT', str(FAR))
c('EXPIRETIME', 'k')
c('PEXPIRETIME', 'k')
c('SET', 'k', 'v2', 'KEEPTTL')
c('EXPIRETIME', 'k')
c('GET', 'k')
c('SET', 'k', 'v3', 'KEEPTTL', 'XX', 'GET')
c('EXPIRETIME', 'k')
c('SET', 'k', 'v', 'PXAT', str(FAR_MS))
c('PEXPIRETIME', 'k')
c('EXPIRETIME', 'k')
c('SET', 'k', 'v')
c('EXPIRETIME', 'k')
c('SET', 'k', 'v', 'EXAT', '1')
c('GET', 'k')
c('EXISTS', 'k')
c('SET', 'k', 'v', 'PXAT', '1', 'GET')

# --- binary safety, empty strings --------------------------------------------
c('SET', 'bin', b'a\x00b\r\nc\xff\xfe')
c('GET', 'bin')
c('STRLEN', 'bin')
c('SET', b'key\x00with\r\nnul', 'val')
c('GET', b'key\x00with\r\nnul')
c('EXISTS', b'key\x00with\r\nnul', b'key\x00with')
c('SET', '', 'emptykey')
c('GET', '')
c('SET', 'emptyval', '')
c('GET', 'emptyval')
c('STRLEN', 'emptyval')
c('EXISTS', '', 'emptyval')
c('APPEND', 'emptyval', '')
c('TYPE', '')
c('DEL', '', 'emptyval', b'key\x00with\r\nnul')
c('SET', 'big', 'z' * 100000)
c('GET', 'big')
c('STRLEN', 'big')

# --- SETEX / PSETEX / SETNX / GETEX / GETDEL / GETSET ------------------------
c('SETEX', 'se', '100000', 'v')
ttl('TTL', 'se', hi=100000)
c('GET', 'se')
c('SETEX', 'se', '0', 'v')
c('SETEX', 'se', '-5', 'v')
c('SETEX', 'se', 'abc', 'v')
c('SETEX', 'se', '9223372036854775807', 'v')
c('PSETEX', 'pse', '100000000', 'v')
ttl('PTTL', 'pse', hi=100000000)
c('PSETEX', 'pse', '0', 'v')
c('PSETEX', 'pse', '1.0', 'v')
c('SETNX', 'snx', 'a')
c('SETNX', 'snx', 'b')
c('GET', 'snx')
c('GETEX', 'snx')
c('GETEX', 'missing')
c('GETEX', 'snx', 'EX', '100000')
ttl('TTL', 'snx', hi=100000)
c('GETEX', 'snx', 'PERSIST')
c('TTL', 'snx')
c('GETEX', 'snx', 'PX', '100000000')
ttl('PTTL', 'snx', hi=100000000)
c('GETEX', 'snx', 'EXAT', str(FAR))
c('EXPIRETIME', 'snx')
c('GETEX', 'snx', 'PXAT', str(FAR_MS))
c('PEXPIRETIME', 'snx')
c('GETEX', 'snx', 'EX')
c('GETEX', 'snx', 'EX', '0')
c('GETEX', 'snx', 'EX', 'abc')
c('GETEX', 'snx', 'PERSIST', 'EX', '10')
c('GETEX', 'snx', 'EX', '10', 'PX', '10')
c('GETEX', 'snx', 'KEEPTTL')
c('GETEX', 'snx', 'EX', '9223372036854775807')
c('GETEX', 'snx', 'FOO')
c('PEXPIRETIME', 'snx')
c('GETEX', 'snx', 'EXAT', '1')
c('EXISTS', 'snx')
c('SET', 'gd', 'val')
c('GETDEL', 'gd')
c('GETDEL', 'gd')
c('EXISTS', 'gd')
c('GETSET', 'gs', 'first')
c('GETSET', 'gs', 'second')
c('GET', 'gs')
c('SET', 'gs', 'v', 'EX', '100000')
c('GETSET', 'gs', 'w')
c('TTL', 'gs')

# --- MGET / MSET / MSETNX ------------------------------------------------------
c('MSET', 'm1', 'a', 'm2', 'b', 'm3', '')
c('MGET', 'm1', 'm2', 'm3', 'missing', 'm1')
c('MSET', 'm1', 'x', 'm1', 'y')
c('GET', 'm1')
c('MSETNX', 'm1', 'a', 'newm', 'b')
c('EXISTS', 'newm')
c('MSETNX', 'newm', 'a', 'newm2', 'b')
c('MGET', 'newm', 'newm2')
c('MSETNX', 'dup', 'a', 'dup', 'b')
c('GET', 'dup')

# --- counters ------------------------------------------------------------------
c('INCR', 'cnt')
c('INCR', 'cnt')
c('INCRBY', 'cnt', '10')
c('INCRBY', 'cnt', '-20')
c('DECR', 'cnt')
c('DECRBY', 'cnt', '5')
c('DECRBY', 'cnt', '-5')
c('GET', 'cnt')
c('INCRBY', 'cnt', '1.5')
c('INCRBY', 'cnt', 'abc')
c('INCRBY', 'cnt', '')
c('INCRBY', 'cnt', '99999999999999999999')
c('INCRBY', 'cnt', '+1')
c('INCRBY', 'cnt', ' 1')
c('INCRBY', 'cnt', '0x10')
c('SET', 'cnt', '9223372036854775807')
c('INCR', 'cnt')
c('INCRBY', 'cnt', '0')
c('DECRBY', 'cnt', '-1')
c('SET', 'cnt', '-9223372036854775808')
c('DECR', 'cnt')
c('INCR', 'cnt')
c('SET', 'cnt', '0')
c('DECRBY', 'cnt', '-9223372036854775808')
c('INCRBY', 'cnt', '-9223372036854775808')
c('GET', 'cnt')
for bad in ['abc', '', ' 1', '1 ', '01', '+1', '1.0', '9223372036854775808', '-0', '1e3',
            'x' * 40]:
    c('SET', 'nonint', bad)
    c('INCR', 'nonint')
c('SET', 'cnt', '-0')
c('SET', 'cnt', '007')
c('DECR', 'cnt')
c('SET', 'cnt', '100', 'EX', '100000')
c('INCR', 'cnt')
ttl('TTL', 'cnt', hi=100000)
c('INCRBYFLOAT', 'fl', '1.5')
c('INCRBYFLOAT', 'fl', '0.1')
c('INCRBYFLOAT', 'fl', '-0.1')
c('INCRBYFLOAT', 'fl', '1e3')
c('INCRBYFLOAT', 'fl', '5.0e3')
c('INCRBYFLOAT', 'fl', '-6501.5')
c('INCRBYFLOAT', 'fl', '0.1')
c('INCRBYFLOAT', 'fl', '0.2')
c('INCRBYFLOAT', 'fl', '1.10')
c('INCRBYFLOAT', 'fl', 'abc')
c('INCRBYFLOAT', 'fl', '')
c('INCRBYFLOAT', 'fl', 'inf')
c('INCRBYFLOAT', 'fl', 'nan')
c('INCRBYFLOAT', 'fl', ' 1')
c('INCRBYFLOAT', 'fl', '1e400')
c('GET', 'fl')
c('SET', 'fl', '10')
c('INCRBYFLOAT', 'fl', '1')
c('SET', 'fl', '1.5e3')
c('INCRBYFLOAT', 'fl', '0')
c('SET', 'fl', 'notafloat')
c('INCRBYFLOAT', 'fl', '1')
c('SET', 'fl', '1e308')
c('INCRBYFLOAT', 'fl', '1e308')
c('SET', 'fl', '3')
c('INCRBYFLOAT', 'fl', '-3')
c('INCRBYFLOAT', 'fl', '0.000001')
c('INCRBYFLOAT', 'fl', '123456789.123456789')
c('SET', 'fl', '5', 'EX', '100000')
c('INCRBYFLOAT', 'fl', '1')
ttl('TTL', 'fl', hi=100000)

# --- APPEND / STRLEN / GETRANGE / SETRANGE -----------------------------------
c('APPEND', 'ap', 'Hello')
c('APPEND', 'ap', ' World')
c('APPEND', 'ap', b'\x00\r\n')
c('GET', 'ap')
c('STRLEN', 'ap')
c('STRLEN', 'missing')
c('SET', 'gr', 'This is a string')
for a, b in [('0', '3'), ('-3', '-1'), ('0', '-1'), ('10', '100'), ('5', '2'), ('100', '200'),
             ('-100', '-50'), ('-100', '2'), ('0', '0'), ('-1', '-1'),
             ('0', '9223372036854775807'), ('-9223372036854775808', '-1'),
             ('a', '1'), ('0', 'b'), ('', '1'), ('1.5', '2')]:
    c('GETRANGE', 'gr', a, b)
c('GETRANGE', 'missing', '0', '-1')
c('SET', 'gr', '')
c('GETRANGE', 'gr', '0', '-1')
c('SET', 'sr', 'Hello World')
c('SETRANGE', 'sr', '6', 'Redis')
c('GET', 'sr')
c('SETRANGE', 'sr', '20', 'tail')
c('GET', 'sr')
c('SETRANGE', 'srnew', '5', 'ab')
c('GET', 'srnew')
c('SETRANGE', 'srnew', '-1', 'x')
c('SETRANGE', 'srnew', 'abc', 'x')
c('SETRANGE', 'srnew', '536870912', 'x')
c('SETRANGE', 'srnew', '9223372036854775807', 'x')
c('SETRANGE', 'srnew', '0', '')
c('SETRANGE', 'srmissing', '0', '')
c('SETRANGE', 'srmissing', '100', '')
c('EXISTS', 'srmissing')
c('SETRANGE', 'srnew', '1', b'\x00\xff')
c('GET', 'srnew')

# --- keys: DEL UNLINK EXISTS TOUCH TYPE -------------------------------------------
c('MSET', 'd1', '1', 'd2', '2', 'd3', '3')
c('EXISTS', 'd1', 'd1', 'd1', 'missing')
c('TOUCH', 'd1', 'd2', 'missing')
c('TYPE', 'd1')
c('TYPE', 'missing')
c('DEL', 'd1', 'd1', 'missing')
c('UNLINK', 'd2', 'd3', 'd2')
c('DEL', 'missing')
c('EXISTS', 'd1', 'd2', 'd3')

# --- expiry --------------------------------------------------------------------------
c('SET', 'e', 'v')
c('EXPIRE', 'missing', '100')
c('EXPIRE', 'e', '100000', 'XX')
c('TTL', 'e')
c('EXPIRE', 'e', '100000', 'GT')
c('TTL', 'e')
c('EXPIRE', 'e', '100000', 'LT')
ttl('TTL', 'e', hi=100000)
c('EXPIRE', 'e', '200000', 'NX')
c('EXPIRE', 'e', '200000', 'XX')
ttl('TTL', 'e', hi=200000)
c('EXPIRE', 'e', '100', 'GT')
c('EXPIRE', 'e', '300000', 'GT')
ttl('TTL', 'e', hi=300000)
c('EXPIRE', 'e', '400000', 'LT')
c('EXPIRE', 'e', '100000', 'LT')
ttl('TTL', 'e', hi=100000)
c('EXPIRE', 'e', '100', 'NX', 'XX')
c('EXPIRE', 'e', '100', 'GT', 'LT')
c('EXPIRE', 'e', '100', 'NX', 'GT')
c('EXPIRE', 'e', '100', 'FOO')
c('EXPIRE', 'e', '100', 'gt', 'xx')
c('EXPIRE', 'e', 'abc')
c('EXPIRE', 'e', '1.5')
c('EXPIRE', 'e', '')
c('EXPIRE', 'e', '9223372036854775807')
c('EXPIRE', 'e', '9223372036854775')
c('EXPIRE', 'e', '-9223372036854775808')
c('PEXPIRE', 'e', '9223372036854775807')
c('PEXPIRE', 'e', '200000000')
ttl('PTTL', 'e', hi=200000000)
c('PERSIST', 'e')
c('PERSIST', 'e')
c('PERSIST', 'missing')
c('TTL', 'e')
c('PEXPIRE', 'e', '100000000', 'NX')
c('PEXPIRE', 'e', '100000000', 'NX')
c('EXPIREAT', 'e', str(FAR))
c('EXPIRETIME', 'e')
c('PEXPIRETIME', 'e')
c('EXPIREAT', 'e', str(FAR + 100), 'GT')
c('EXPIRETIME', 'e')
c('EXPIREAT', 'e', str(FAR), 'GT')
c('EXPIREAT', 'e', str(FAR), 'LT')
c('EXPIRETIME', 'e')
c('EXPIREAT', 'e', str(FAR), 'NX')
c('EXPIREAT', 'e', str(FAR - 5), 'XX')
c('EXPIRETIME', 'e')
c('PEXPIREAT', 'e', str(FAR_MS))
c('PEXPIRETIME', 'e')
c('EXPIRETIME', 'e')
c('PEXPIREAT', 'e', str(FAR_MS + 1), 'GT')
c('PEXPIRETIME', 'e')
c('PEXPIREAT', 'e', 'abc')
c('EXPIREAT', 'e', '9223372036854775807')
c('EXPIREAT', 'e', '9223372036854775')
c('PEXPIREAT', 'e', '9223372036854775807')
c('EXPIRETIME', 'missing')
c('PEXPIRETIME', 'missing')
c('TTL', 'missing')
c('PTTL', 'missing')
c('SET', 'noexp', 'v')
c('EXPIRETIME', 'noexp')
c('PEXPIRETIME', 'noexp')
c('EXPIRE', 'noexp', '100', 'GT')
c('EXPIRE', 'noexp', '100', 'XX')
c('TTL', 'noexp')
c('EXPIREAT', 'noexp', str(FAR), 'LT')
c('EXPIRETIME', 'noexp')
c('EXPIRE', 'noexp', '-1')
c('EXISTS', 'noexp')
c('SET', 'past', 'v')
c('EXPIREAT', 'past', '1')
c('GET', 'past')
c('SET', 'past', 'v')
c('PEXPIRE', 'past', '0')
c('EXISTS', 'past')
c('SET', 'past', 'v')
c('EXPIRE', 'past', '0', 'XX')
c('EXISTS', 'past')

# --- RENAME / RENAMENX ---------------------------------------------------------------
c('SET', 'r1', 'v1')
c('SET', 'r2', 'v2', 'EXAT', str(FAR))
c('RENAME', 'r1', 'r3')
c('GET', 'r3')
c('EXISTS', 'r1')
c('RENAME', 'r2', 'r4')
c('EXPIRETIME', 'r4')
c('RENAME', 'missing', 'x')
c('RENAMENX', 'missing', 'x')
c('RENAME', 'r3', 'r3')
c('RENAMENX', 'r3', 'r3')
c('RENAMENX', 'r3', 'r4')
c('RENAMENX', 'r3', 'r5')
c('MGET', 'r3', 'r4', 'r5')
c('RENAME', 'r5', 'r4')
c('GET', 'r4')
c('TTL', 'r4')

# --- KEYS, DBSIZE, FLUSHDB, FLUSHALL, SCAN -------------------------------------
c('FLUSHDB')
c('DBSIZE')
c('KEYS', '*')
c('SCAN', '0')
c('MSET', 'hello', '1', 'hallo', '1', 'hxllo', '1', 'hllo', '1', 'heeello', '1',
  'h*llo', '1', 'a[b', '1', 'a\\b', '1', 'foo:1', '1', 'foo:2', '1', 'bar', '1',
  b'bin\x00key', '1', 'UPPER', '1', 'upper', '1')
c('DBSIZE')
for pat in ['*', 'h?llo', 'h*llo', 'h[ae]llo', 'h[^e]llo', 'h[a-b]llo', 'h\\*llo', 'foo:*',
            '*o', 'a[[]b', 'a\\\\b', 'nomatch*', '', '[', 'UPP*', 'upp*', '*\x00*', 'h[!e]llo',
            '?', 'h**llo', 'h[b-a]llo', 'a\\[b']:
    c('KEYS', pat, mode='sorted')
c('MSET', *[x for i in range(300) for x in ('scan:%03d' % i, str(i))])
c('DBSIZE')
scan()
scan('MATCH', 'scan:1*')
scan('MATCH', 'h*llo', 'COUNT', '3')
scan('COUNT', '1000')
scan('COUNT', '7', 'MATCH', 'foo:*')
scan('TYPE', 'string', 'COUNT', '50')
scan('TYPE', 'list')
scan('MATCH', 'nomatch*')
c('SCAN', 'abc')
c('SCAN', '0', 'COUNT', '0')
c('SCAN', '0', 'COUNT', 'abc')
c('SCAN', '0', 'COUNT', '-1')
c('SCAN', '0', 'MATCH')
c('SCAN', '0', 'FOO', 'bar')
c('SCAN', '18446744073709551616')
c('SCAN', '1.5')
c('SELECT', '5')
c('SCAN', '0')
c('SCAN', '0', 'MATCH', '*', 'COUNT', '10')
c('SET', 'only', 'one')
scan()  # cursor values are the server's own: compare the keys, not the cursor
c('KEYS', '*')
c('FLUSHDB', 'SYNC')
c('DBSIZE')
c('FLUSHDB', 'FOO')
c('FLUSHDB', 'ASYNC')
c('FLUSHDB', 'SYNC', 'ASYNC')
c('SET', 'x', '1')
c('SELECT', '0')
c('DBSIZE')
c('FLUSHALL', 'SYNC')
c('DBSIZE')
c('SELECT', '5')
c('DBSIZE')
c('SELECT', '0')
c('FLUSHALL', 'BAD')
c('FLUSHALL', 'ASYNC')
c('FLUSHALL')

# --- inline commands --------------------------------------------------------------------
raw(b'PING\r\n')
raw(b'ping\n')
raw(b'   PING   \r\n')
raw(b'ECHO hi\r\n')
raw(b'PING hello\r\n')
raw(b'SET inl "hello world"\r\n')
raw(b'GET inl\r\n')
raw(b"SET 'in l' 'single quoted'\r\n")
raw(b"GET 'in l'\r\n")
raw(b'ECHO "a\\x41\\n\\tb\\\\"\r\n')
raw(b'SET inlempty ""\r\n')
raw(b'GET inlempty\r\n')
raw(b'STRLEN inlempty\r\n')
raw(b'GET\r\n')
raw(b'UNKNOWNINLINE a b\r\n')
raw(b'INCRBY inlcnt 5\r\n')
raw(b'MGET inl inlcnt nope\r\n')
raw(b'PING\r\nECHO x\r\nGET inl\r\n', replies=3)
raw(encode('SET', 'p1', 'a') + encode('GET', 'p1') + b'PING\r\n' + encode('DEL', 'p1'),
    replies=4)
raw(b'\t ECHO \t  tabs  \r\n')

# --- commands Redis refuses inside EXEC ---------------------------------------
c('MULTI')
c('MONITOR')
c('PING')
c('EXEC')

MAX_MISMATCHES_SHOWN = 15


def run_scan(client, opts):
    """Every key SCAN returns with these options, iterating to cursor 0.
    Also returns an error string if any reply was malformed."""
    keys = []
    cursor = b'0'
    for _ in range(100000):  # bounded: a broken cursor must not loop forever
        reply = client.call(encode('SCAN', cursor, *opts))
        val, _ = decode(reply)
        if not (isinstance(val, list) and len(val) == 2 and isinstance(val[0], bytes)
                and isinstance(val[1], list)):
            return None, 'bad SCAN reply %r' % reply[:200]
        cursor = val[0]
        keys.extend(val[1])
        if cursor == b'0':
            return sorted(set(keys)), None
    return None, 'SCAN did not finish'


def compare(res, label, mode, a, b, shown):
    """a: sessiond bytes, b: redis bytes."""
    ok = False
    if mode == 'exact':
        ok = a == b
    elif mode == 'sorted':
        try:
            va, vb = decode(a)[0], decode(b)[0]
            ok = (a[:1] == b[:1] == b'*' and isinstance(va, list) and isinstance(vb, list)
                  and sorted(va) == sorted(vb))
        except Exception:  # a malformed reply is a mismatch
            ok = False
    elif mode == 'type':
        # Same RESP3 type; a verbatim string also has the same format tag.
        ok = a[:1] == b[:1] and (a[:1] != b'=' or a.split(b'\r\n', 1)[1][:4] == b'txt:' ==
                                 b.split(b'\r\n', 1)[1][:4])
    elif mode[0] == 'range':
        lo, hi = mode[1], mode[2]

        def in_range(r):
            return r[:1] == b':' and lo <= int(r[1:-2]) <= hi
        ok = in_range(a) and in_range(b)
    if not res.check(ok, label if len(label) < 160 else label[:160] + '...'):
        shown[0] += 1
        if shown[0] <= MAX_MISMATCHES_SHOWN:
            print('  mode    %r\n  sessiond %r\n  redis    %r' % (mode, a[:300], b[:300]))


def run_steps(res, sess, red, script, shown, tag):
    for i, (payload, mode, nreplies) in enumerate(script):
        if mode == 'scan':
            ka, ea = run_scan(sess, payload)
            kb, eb = run_scan(red, payload)
            label = '%s#%d SCAN %r' % (tag, i, payload)
            if ea or eb:
                res.fail(label, 'sessiond: %s redis: %s' % (ea, eb))
            elif not res.check(ka == kb, label):
                print('  only sessiond: %r\n  only redis: %r'
                      % (sorted(set(ka) - set(kb))[:10], sorted(set(kb) - set(ka))[:10]))
            continue
        label = '%s#%d %r' % (tag, i, payload)
        for r in range(nreplies):
            try:
                sess.send(payload) if r == 0 else None
                a = sess.read_reply()
            except (OSError, harness.ProtocolError) as e:
                a = ('<%s: %s>' % (type(e).__name__, e)).encode()
            try:
                red.send(payload) if r == 0 else None
                b = red.read_reply()
            except (OSError, harness.ProtocolError) as e:
                b = ('<%s: %s>' % (type(e).__name__, e)).encode()
            compare(res, label + ('' if nreplies == 1 else ' reply %d' % r), mode, a, b, shown)
            if a.startswith(b'<') or b.startswith(b'<'):
                # A connection broke: the rest would only cascade.
                res.fail('%s: script aborted, %d steps not run' % (tag, len(script) - i - 1))
                return False
    return True


def resp3_script():
    s = []

    def c3(*args, mode='exact'):
        s.append((encode(*args), mode, 1))
    c3('FLUSHALL')
    c3('GET', 'missing')
    c3('SET', 'a', '1')
    c3('GET', 'a')
    c3('SET', 'a', '2', 'GET')
    c3('SET', 'new', '2', 'GET')
    c3('SET', 'a', 'x', 'NX')
    c3('MGET', 'a', 'missing', 'new')
    c3('INCR', 'cnt')
    c3('INCRBYFLOAT', 'fl', '1.5')
    c3('EXISTS', 'a', 'b')
    c3('TTL', 'a')
    c3('TYPE', 'a')
    c3('GETEX', 'missing')
    c3('GETDEL', 'missing')
    c3('GETSET', 'gs', 'v')
    c3('KEYS', '*', mode='sorted')
    c3('PING')
    c3('PING', 'msg')
    c3('ECHO', 'msg')
    c3('FOO', 'bar')
    c3('GET')
    c3('INCR', 'a')
    c3('SELECT', '99')
    c3('EXPIRE', 'a', '100', 'NX', 'XX')
    c3('FLUSHDB')
    c3('SCAN', '0')
    c3('DBSIZE')
    c3('HELLO', '4')
    c3('HELLO', 'abc')
    c3('HELLO', '3', 'FOO')
    c3('HELLO', '3', 'AUTH', 'nobody', 'pw')
    # Maps, nulls inside aggregates, transactions.
    c3('CONFIG', 'GET', 'maxmemory-policy')
    c3('CONFIG', 'GET', 'nosuchparam')
    c3('SET', 'k', 'v')
    c3('MULTI')
    c3('GET', 'k')
    c3('GET', 'missing')
    c3('MGET', 'k', 'missing')
    c3('INCRBYFLOAT', 'f', '0.25')
    c3('TTL', 'k')
    c3('EXEC')
    c3('WATCH', 'k')
    c3('SET', 'k', 'changed')
    c3('MULTI')
    c3('GET', 'k')
    c3('EXEC')
    c3('MULTI')
    c3('NOSUCHCMD')
    c3('EXEC')
    c3('EXEC')
    c3('CLIENT', 'GETNAME')
    c3('CLIENT', 'SETNAME', 'r3')
    c3('CLIENT', 'GETNAME')
    # One payload, one reply: SKIP drops GETNAME's, PING's arrives.
    s.append((encode('CLIENT', 'REPLY', 'SKIP') + encode('CLIENT', 'GETNAME') + encode('PING'),
              'exact', 1))
    c3('CLIENT', 'INFO', mode='type')
    c3('CLIENT', 'LIST', mode='type')
    c3('INFO', 'server', mode='type')
    c3('AUTH', 'x')
    c3('AUTH', 'default', 'x')
    c3('RESET')
    # RESET went back to RESP2.
    c3('GET', 'missing')
    c3('CLIENT', 'GETNAME')
    s.append((b'PING\r\n', 'exact', 1))
    return s


def check_hello(res, sess, red):
    """Switches both connections to RESP3; the HELLO maps must be equal but
    for the client id."""
    a = sess.cmd('HELLO', '3')
    b = red.cmd('HELLO', '3')
    res.eq(a[:1], b[:1], 'HELLO 3 reply is a RESP3 map')
    try:
        va, vb = decode(a)[0], decode(b)[0]
    except Exception as e:  # malformed reply is a failure, reported below
        va, vb = repr(e), None
    ok = isinstance(va, dict) and isinstance(vb, dict)
    if ok:
        va.pop(b'id', None)
        vb.pop(b'id', None)
    res.check(ok and va == vb and va.get(b'proto') == 3, 'HELLO 3 map equals Redis\'s but for id',
              '%r\n  %r' % (va, vb))
    return a[:1] == b'%'


def main():
    res = harness.Results('differential')
    sess = red = None
    print('%d scripted steps' % len(steps))
    try:
        sess = harness.start_sessiond()
        red = harness.start_redis()
        print('sessiond: %s pid %d port %d; redis: pid %d port %d'
              % (sess.path, sess.pid, sess.port, red.pid, red.port))
        shown = [0]
        ca, cb = sess.client(), red.client()
        run_steps(res, ca, cb, steps, shown, 'resp2')
        ca.close()
        cb.close()

        ca, cb = sess.client(), red.client()
        if check_hello(res, ca, cb):
            run_steps(res, ca, cb, resp3_script(), shown, 'resp3')
            a, b = ca.cmd('HELLO', '2'), cb.cmd('HELLO', '2')
            res.eq(a[:1], b'*', 'HELLO 2 back to RESP2 replies with an array')
            res.eq(ca.cmd('GET', 'missing'), cb.cmd('GET', 'missing'), 'RESP2 again after HELLO 2')
        ca.close()
        cb.close()
        res.check(sess.alive(), 'sessiond still running at the end')
    except harness.ServerError as e:
        res.fail('server start', str(e))
    finally:
        harness.stop_all(res, sess, red)
    res.finish()


if __name__ == '__main__':
    main()
