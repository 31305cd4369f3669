"""The app under test: gunicorn with two workers on a free loopback port, and its memory."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.client import Client

PROJECT_ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def app_environment(database_url: str) -> dict[str, str]:
    """Production settings for a benchmark: no HTTPS here, and sign-ins are not rate-limited."""
    keep = {k: v for k, v in os.environ.items()
            if k in ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "PYTHONPATH")}
    return {
        **keep,
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "SECURE_COOKIES": "false",
        "DATABASE_URL": database_url,
        # Every simulated official signs in from 127.0.0.1: the per-address limit would
        # otherwise turn most of them away.
        "LOGIN_RATE_LIMIT": "100000 per minute",
        "LOG_LEVEL": "WARNING",
    }


def children(pid: int) -> list[int]:
    """Child process ids of ``pid`` (from /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return sorted(found)


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS (now) and VmHWM (peak since start or the last reset) in KiB."""
    values = {}
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    name, amount = line.split(":", 1)
                    values[name] = int(amount.split()[0])
    except OSError:
        pass
    return values


def reset_peak(pid: int) -> bool:
    """Reset a process's VmHWM (Linux ``clear_refs`` 5); False when not permitted."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


@dataclass
class MemoryWatch:
    """Samples the RSS of some processes every few milliseconds; keeps each one's peak."""

    pids: list[int]
    interval: float = 0.01
    peaks: dict[int, int] = field(default_factory=dict)
    baseline: dict[int, int] = field(default_factory=dict)
    hwm_reset: bool = False
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> MemoryWatch:
        self.hwm_reset = all([reset_peak(pid) for pid in self.pids])
        self.baseline = {pid: memory_kib(pid).get("VmRSS", 0) for pid in self.pids}
        self.peaks = dict(self.baseline)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def _sample(self) -> None:
        for pid in self.pids:
            rss = memory_kib(pid).get("VmRSS", 0)
            if rss > self.peaks.get(pid, 0):
                self.peaks[pid] = rss

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._sample()
        if self.hwm_reset:  # the kernel's own peak also catches spikes between samples
            for pid in self.pids:
                self.peaks[pid] = max(self.peaks.get(pid, 0), memory_kib(pid).get("VmHWM", 0))

    def peak_mib(self) -> float:
        return max(self.peaks.values(), default=0) / 1024

    def busiest(self) -> tuple[float, float]:
        """(baseline, peak) in MiB of the process that grew the most."""
        if not self.peaks:
            return 0.0, 0.0
        pid = max(self.peaks, key=lambda p: self.peaks[p] - self.baseline.get(p, 0))
        return self.baseline.get(pid, 0) / 1024, self.peaks[pid] / 1024


def _no_control_socket(gunicorn: str) -> list[str]:
    """Recent gunicorn opens a control socket at a fixed path in the home directory; the
    benchmark's server needs none, and must not take over another server's."""
    done = subprocess.run([gunicorn, "--help"], capture_output=True, text=True, check=False)
    return ["--no-control-socket"] if "--no-control-socket" in done.stdout else []


class Server:
    """``gunicorn --workers 2 --threads 4`` serving the app; use as a context manager."""

    def __init__(self, database_url: str, workdir: Path, *, workers: int = 2, threads: int = 4,
                 timeout: int = 300) -> None:
        self.database_url = database_url
        self.workdir = workdir
        self.workers = workers
        self.threads = threads
        self.timeout = timeout
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = workdir / f"gunicorn-{self.port}.log"

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def client(self, **kwargs: object) -> Client:
        return Client(HOST, self.port, **kwargs)  # type: ignore[arg-type]

    def start(self) -> None:
        venv_gunicorn = PROJECT_ROOT / ".venv" / "bin" / "gunicorn"
        gunicorn = str(venv_gunicorn) if venv_gunicorn.exists() else "gunicorn"
        command = [
            gunicorn,
            "--workers", str(self.workers),
            # As the production command in README.md: threaded workers.
            "--threads", str(self.threads),
            "--bind", f"{HOST}:{self.port}",
            # Longer than production's 120 s, so that a slow export is measured, not cut off;
            # the export figures say when the production timeout would have been passed.
            "--timeout", str(self.timeout),
            "--error-logfile", "-",
            *_no_control_socket(gunicorn),
            "assessment:create_app()",
        ]
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=app_environment(self.database_url),
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            if len(self.worker_pids()) == self.workers:
                try:
                    client = self.client()
                    if client.get("/healthz", expect=None).status == 200:
                        client.close()
                        return
                except OSError:
                    pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer /healthz within 60 s; see {self.log_path}")

    def worker_pids(self) -> list[int]:
        return children(self.process.pid) if self.process is not None else []

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of one process so far (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    total = sum(values[:8])
    return (total - idle) / TICKS, total / TICKS


@dataclass
class CpuMeter:
    """CPU used during a block: by the server's workers, by this process (the load generator)
    and by the whole machine (the rest includes the database server and anything else running)."""

    pids: list[int]
    workers: float = 0.0
    client: float = 0.0
    machine_busy: float = 0.0
    machine_total: float = 0.0
    wall: float = 0.0

    def __enter__(self) -> CpuMeter:
        self._workers = sum(process_cpu(p) for p in self.pids)
        times = os.times()
        self._client = times.user + times.system
        self._busy, self._total = machine_cpu()
        self._wall = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.workers = sum(process_cpu(p) for p in self.pids) - self._workers
        times = os.times()
        self.client = times.user + times.system - self._client
        busy, total = machine_cpu()
        self.machine_busy = busy - self._busy
        self.machine_total = total - self._total
        self.wall = time.perf_counter() - self._wall

    def as_dict(self) -> dict[str, float]:
        cores = os.cpu_count() or 1
        return {
            "wall_s": round(self.wall, 3),
            "workers_cpu_s": round(self.workers, 3),
            "client_cpu_s": round(self.client, 3),
            "machine_busy_share": (round(self.machine_busy / self.machine_total, 3)
                                   if self.machine_total else 0.0),
            "cores": cores,
        }
