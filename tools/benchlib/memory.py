"""Workloads memory-100 and memory-300: RSS bytes per SETEX session."""

import time

from .resp import Resp, RespError, chunked, log
from .server import proc_rss_kb


def session_template(size):
    """RESP template for SETEX sess:%08d 3600 <size-byte value holding %08d>."""
    if size >= 200:
        # JSON-like session record, padded to exactly `size` bytes.
        head = '{"uid":%08d,"csrf":"9f2c1e7ab04d4c55","roles":["user","beta"],' \
               '"created":1764000000,"ua":"Mozilla/5.0 (X11; Linux x86_64)","pad":"'
        val = head + "x" * (size - len(head) - 6) + '"}'  # "%08d" grows by 4
    else:
        val = "s%08d" + "v" * (size - 9)
    assert len(val % 0) == size, (len(val % 0), size)
    return (b"*4\r\n$5\r\nSETEX\r\n$13\r\nsess:%08d\r\n$4\r\n3600\r\n"
            + b"$%d\r\n" % size + val.encode() + b"\r\n")



def try_info_used_memory(c):
    try:
        info = c.call("INFO", "memory")
    except (RespError, ConnectionError):
        return None
    if not isinstance(info, bytes):
        return None
    for line in info.decode(errors="replace").splitlines():
        if line.startswith("used_memory:"):
            return int(line.split(":")[1])
    return None


def workload_memory(cfg, srv, rnd, size):
    n = cfg.memory_keys
    time.sleep(0.2)                      # let start-up allocations settle
    rss0 = proc_rss_kb(srv.proc.pid)
    c = Resp(srv.port)
    try:
        tpl = session_template(size)
        secs, err, n_err = c.load(chunked(tpl, n, lambda i: (i, i)))
        if n_err:
            raise RuntimeError(f"{n_err} errors while loading, first: {err}")
        dbsize = c.call("DBSIZE")
        time.sleep(0.5)                  # background work (rehash, frees) finishes
        rss1 = proc_rss_kb(srv.proc.pid)
        used = try_info_used_memory(c)
    finally:
        c.close()
    if dbsize != n:
        raise RuntimeError(f"DBSIZE {dbsize} after loading {n} keys")
    per_key = (rss1 - rss0) * 1024 / n
    log(f"  memory {size}B: {per_key:.1f} B/key (RSS {rss0 // 1024} -> {rss1 // 1024} MiB), "
        f"load {n / secs:.0f} keys/s")
    return ({f"{size}B value: RSS bytes/key": per_key,
             f"{size}B value: load keys/s": n / secs},
            {"rss_empty_kb": rss0, "rss_loaded_kb": rss1, "keys": n,
             "info_used_memory": used, "load_s": secs})

