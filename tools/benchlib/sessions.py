"""Workloads for the SESSION.* commands.

sessions: SESSION.ALLOCATE and SESSION.VALIDATE at -P 16 (redis-benchmark, 50
  clients) against sessiond's own SET and GET in the same round. Redis has no
  SESSION.* commands, so this one runs on sessiond only; its ratios are
  sessiond against itself (targets: VALIDATE >= 0.7x GET, ALLOCATE >= 0.5x SET).
memory-sessions: RSS per session for 1M sessions made by SESSION.ALLOCATE
  (a user id and ~50 bytes of metadata each) against redis-server holding the
  same chuk-sessions JSON records written with SETEX (what a chuk-sessions
  client stores), same ids and lengths.
"""

import hashlib
import json
import time

from .memory import try_info_used_memory
from .rb import run_redis_benchmark
from .resp import Resp, log
from .server import proc_rss_kb

SANDBOX = "app"
META_FMT = '{"role": "user", "lang": "en", "seq": "%08d"}'   # 48 bytes
ALNUM = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def session_id(i):
    """A generic-format id (sess- + 44 alphanumerics), fixed per i."""
    h = hashlib.blake2b(b"%d" % i, digest_size=44).digest()
    return "sess-" + bytes(ALNUM[b % 62] for b in h).decode()


def iso(t):
    s = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(int(t)))
    return s + ".%06dZ" % int((t % 1) * 1e6)


def cmd(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def chunks_of(make, n, lines_per_reply, size=2000):
    for a in range(0, n, size):
        b = min(n, a + size)
        yield b"".join(make(i) for i in range(a, b)), (b - a) * lines_per_reply


def allocate_cmd(i):
    return cmd("SESSION.ALLOCATE", SANDBOX, "USER", "user%08d" % i, "TTL", 3600,
               "ID", session_id(i), "META", META_FMT % i)


def chuk_record_cmd(i, now):
    rec = {"session_id": session_id(i), "sandbox_id": SANDBOX, "user_id": "user%08d" % i,
           "created_at": iso(now), "expires_at": iso(now + 3600), "status": "active",
           "last_accessed": iso(now), "custom_metadata": json.loads(META_FMT % i)}
    return cmd("SETEX", "session:" + session_id(i), 3600, json.dumps(rec))


def workload_memory_sessions(cfg, srv, rnd):
    n = cfg.memory_keys
    time.sleep(0.2)
    rss0 = proc_rss_kb(srv.proc.pid)
    c = Resp(srv.port)
    try:
        if srv.name == "sessiond":
            # Bulk replies ($49 + id): two lines each.
            secs, err, n_err = c.load(chunks_of(allocate_cmd, n, 2))
        else:
            now = time.time()
            secs, err, n_err = c.load(chunks_of(lambda i: chuk_record_cmd(i, now), n, 1))
        if n_err:
            raise RuntimeError(f"{n_err} errors while loading, first: {err}")
        dbsize = c.call("DBSIZE")
        sample = c.call("GET", "session:" + session_id(n // 2))
        time.sleep(0.5)
        rss1 = proc_rss_kb(srv.proc.pid)
        used = try_info_used_memory(c)
    finally:
        c.close()
    if dbsize != n:
        raise RuntimeError(f"DBSIZE {dbsize} after loading {n} sessions")
    if not isinstance(sample, bytes) or json.loads(sample)["session_id"] != session_id(n // 2):
        raise RuntimeError(f"GET of a session did not return its JSON record: {sample!r:.200}")
    per = (rss1 - rss0) * 1024 / n
    log(f"  memory-sessions {srv.name}: {per:.1f} B/session (record {len(sample)} B of JSON), "
        f"load {n / secs:.0f}/s")
    return ({"session: RSS bytes per session": per, "session: JSON record bytes (same)": len(sample)},
            {"rss_empty_kb": rss0, "rss_loaded_kb": rss1, "sessions": n,
             "info_used_memory": used, "load_s": secs})


def workload_sessions(cfg, srv, rnd):
    if srv.name != "sessiond":
        return {}, {"skipped": "redis has no SESSION.* commands"}
    n = cfg.rb_n_p16
    keyspace = 100_000
    # Sessions for VALIDATE to find: ids v<12 digits>, as redis-benchmark's
    # __rand_int__ writes them.
    c = Resp(srv.port)
    try:
        secs, err, n_err = c.load(chunks_of(
            lambda i: cmd("SESSION.ALLOCATE", "bench", "TTL", 3600, "ID", "v%012d" % i),
            keyspace, 2))
        if n_err:
            raise RuntimeError(f"{n_err} errors while preloading, first: {err}")
    finally:
        c.close()
    base = run_redis_benchmark(cfg, srv.port, 16, n, ["-t", "set,get"])
    (_, val), = run_redis_benchmark(
        cfg, srv.port, 16, n,
        ["-r", str(keyspace), "SESSION.VALIDATE", "bench", "v__rand_int__"]).items()
    # -r makes __rand_int__ random: users u<12 digits> drawn from a million,
    # a few sessions each by the end, as a site's users have (without -r
    # every session went to one user).
    (_, alloc), = run_redis_benchmark(
        cfg, srv.port, 16, n, ["-r", "1000000", "SESSION.ALLOCATE", "bench", "USER", "u__rand_int__",
                               "TTL", "3600", "META", '{"role": "user", "lang": "en"}']).items()
    # A validate of a missing id answers :0 fast; make sure they were hits.
    c = Resp(srv.port)
    try:
        stats = c.call("SESSION.STATS", "bench")
    finally:
        c.close()
    st = dict(zip(stats[0::2], stats[1::2]))
    if st.get(b"validate_failed", 1) != 0:
        raise RuntimeError(f"SESSION.VALIDATE missed sessions: {st}")
    if st.get(b"users", 0) < n // 4:
        raise RuntimeError(f"SESSION.ALLOCATE did not spread over many users: {st}")
    m = {"SET -P16 rps": base["SET"]["rps"], "GET -P16 rps": base["GET"]["rps"],
         "SESSION.VALIDATE -P16 rps": val["rps"], "SESSION.ALLOCATE -P16 rps": alloc["rps"]}
    m["VALIDATE/GET (target >= 0.7)"] = m["SESSION.VALIDATE -P16 rps"] / m["GET -P16 rps"]
    m["ALLOCATE/SET (target >= 0.5)"] = m["SESSION.ALLOCATE -P16 rps"] / m["SET -P16 rps"]
    log(f"  sessions: SET {m['SET -P16 rps']:.0f}/s GET {m['GET -P16 rps']:.0f}/s "
        f"VALIDATE {m['SESSION.VALIDATE -P16 rps']:.0f}/s ALLOCATE {m['SESSION.ALLOCATE -P16 rps']:.0f}/s")
    return m, {"preload_s": secs, "stats": {k.decode(): v for k, v in st.items()}}
