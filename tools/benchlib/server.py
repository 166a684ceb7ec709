"""Server processes on free loopback ports, and /proc readings of them."""

import os
import socket
import subprocess
import time

from .resp import Resp, RespError

SERVER_START_TIMEOUT_S = 15.0
SERVER_STOP_TIMEOUT_S = 10.0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def proc_cpu_s(pid):
    """User + system CPU seconds of a process (all its threads)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    """One server process on a free loopback port; stop() kills it by pid."""

    def __init__(self, name, argv, workdir):
        self.name, self.port = name, free_port()
        self.argv = [a.replace("{port}", str(self.port)) for a in argv]
        self.workdir = workdir
        self.proc = None

    def start(self):
        self.logf = open(os.path.join(self.workdir, f"{self.name}.log"), "ab")
        self.proc = subprocess.Popen(self.argv, cwd=self.workdir, stdin=subprocess.DEVNULL,
                                     stdout=self.logf, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode} at start; "
                                   f"log: {self.log_tail()}")
            try:
                c = Resp(self.port, timeout=2)
                try:
                    if c.call("PING") == "PONG":
                        return self
                finally:
                    c.close()
            except (OSError, RespError):
                time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not answer PING within {SERVER_START_TIMEOUT_S}s")

    def log_tail(self):
        with open(os.path.join(self.workdir, f"{self.name}.log"), "rb") as f:
            return f.read()[-600:].decode(errors="replace")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(SERVER_STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.logf.close()
        self.proc = None

