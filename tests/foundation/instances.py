"""Several gunicorn instances of the app behind a pretend load balancer, sharing one database and
one Redis, as in production (README, "Production deployment").

The load balancer is played by the client: every request of a simulated browser says whom it is
forwarded for (``X-Forwarded-For``, trusted from 127.0.0.1 with ``PROXY_COUNT=1``), so each
browser has its own client address, and any of its requests may go to any instance.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.client import BenchHttpError, Client, Response
from bench.server import HOST, PROJECT_ROOT, children, free_port

GUNICORN = PROJECT_ROOT / ".venv" / "bin" / "gunicorn"
BOOT_SECONDS = 60.0
STOP_SECONDS = 15.0
# One access-log line per request: the worker's pid, the status and the request line.
ACCESS_FORMAT = 'access %(p)s %(s)s "%(r)s"'
_ACCESS = re.compile(r'^access <?(\d+)>? (\d{3}) "([^"]*)"')


def _no_control_socket() -> list[str]:
    """gunicorn 25.1 and later open a control socket at one fixed path per user: two instances
    (or another server of the machine) must not share it."""
    from gunicorn.config import KNOWN_SETTINGS

    return ["--no-control-socket"] if any(s.name == "control_socket_disable" for s in KNOWN_SETTINGS) else []


@dataclass
class Instance:
    """``gunicorn --workers N --threads 4`` serving ``assessment:create_app()`` from the project
    directory (so gunicorn.conf.py applies), as ``make serve`` does."""

    name: str
    env: dict[str, str]
    log_path: Path
    workers: int = 2
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    worker_pids: list[int] = field(default_factory=list)

    def start(self) -> None:
        command = [
            str(GUNICORN), "--workers", str(self.workers), "--threads", "4", "--timeout", "120",
            "--graceful-timeout", "5", "--bind", f"{HOST}:{self.port}",
            "--access-logfile", "-", "--access-logformat", ACCESS_FORMAT, *_no_control_socket(),
            "assessment:create_app()",
        ]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, deadline: float) -> None:
        """Until every worker is up and ``/healthz`` answers 200, or ``deadline`` (monotonic)."""
        assert self.process is not None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"instance {self.name} exited with {self.process.returncode}:\n"
                                   f"{self.log_tail()}")
            self.worker_pids = children(self.process.pid)
            if len(self.worker_pids) == self.workers and self._healthy():
                return
            time.sleep(0.2)
        raise RuntimeError(f"instance {self.name} did not answer /healthz in time:\n{self.log_tail()}")

    def _healthy(self) -> bool:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=2)
        try:
            connection.request("GET", "/healthz")
            return connection.getresponse().status == 200
        except OSError:
            return False
        finally:
            connection.close()

    def stop(self) -> None:
        """Terminate, wait (bounded), then kill the master and the workers it started."""
        if self.process is None or self.process.poll() is not None:
            return
        workers = children(self.process.pid) or self.worker_pids
        self.process.terminate()
        try:
            self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            for pid in workers:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            self.process.kill()
            self.process.wait(timeout=STOP_SECONDS)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def access_log(self) -> list[tuple[int, int, str]]:
        """(worker pid, status, request line) of every request the instance answered."""
        found = []
        for line in self.log_text().splitlines():
            match = _ACCESS.match(line)
            if match:
                found.append((int(match.group(1)), int(match.group(2)), match.group(3)))
        return found


@contextlib.contextmanager
def running(instances: list[Instance]) -> Iterator[list[Instance]]:
    """Start every instance at once, wait until all are ready, and always stop them all."""
    try:
        for instance in instances:
            instance.start()
        deadline = time.monotonic() + BOOT_SECONDS
        for instance in instances:
            instance.wait_ready(deadline)
        yield instances
    finally:
        for instance in instances:
            instance.stop()


@dataclass(frozen=True)
class Seen:
    """One response, as the client saw it."""

    instance: str
    method: str
    path: str
    status: int


class _ForwardingConnection(http.client.HTTPConnection):
    """A connection from the load balancer: every request says which client it is forwarded for."""

    def __init__(self, host: str, port: int, forwarded_for: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.forwarded_for = forwarded_for

    def request(self, method: str, url: str, body: Any = None,  # type: ignore[override]
                headers: dict[str, str] | None = None, *, encode_chunked: bool = False) -> None:
        super().request(method, url, body, {**(headers or {}), "X-Forwarded-For": self.forwarded_for},
                        encode_chunked=encode_chunked)


class ProxiedClient(Client):
    """bench's client, through the load balancer to one instance; every response is recorded."""

    def __init__(self, instance: Instance, forwarded_for: str, seen: list[Seen],
                 timeout: float = 60.0) -> None:
        super().__init__(HOST, instance.port, timeout=timeout)
        self.instance = instance.name
        self.seen = seen
        self._connection = _ForwardingConnection(HOST, instance.port, forwarded_for, timeout)

    def request(self, method: str, url: str, *, expect: tuple[int, ...] | None = None,
                **kwargs: Any) -> Response:
        response = super().request(method, url, expect=None, **kwargs)
        self.seen.append(Seen(self.instance, method, response.path, response.status))
        if expect is not None and response.status not in expect:
            raise BenchHttpError(f"{method} {response.path} on {self.instance} gave {response.status}, "
                                 f"expected {expect}: {response.text[:300]}")
        return response


class Browser:
    """One person's browser behind the load balancer: one client address and one cookie jar,
    whichever instance answers."""

    def __init__(self, instances: list[Instance], address: str, seen: list[Seen]) -> None:
        self.address = address
        self.clients = {i.name: ProxiedClient(i, address, seen) for i in instances}
        jar: dict[str, str] = {}
        for client in self.clients.values():
            client.cookies = jar

    def on(self, name: str) -> ProxiedClient:
        return self.clients[name]

    def close(self) -> None:
        for client in self.clients.values():
            client.close()


# --- Redis ---------------------------------------------------------------------------------------

CLAIM_KEY = "assessment-tests:claimed-by"
CLAIM_SECONDS = 600


@contextlib.contextmanager
def redis_database(host: str = "127.0.0.1", port: int = 6379) -> Iterator[str]:
    """The URL of a Redis database of our own: the highest-numbered one (never 0) that is empty,
    claimed with a key so that a run beside this one takes another; flushed at the end.

    Raises ``redis.ConnectionError`` when Redis cannot be reached.
    """
    import redis

    chosen = None
    for number in range(15, 0, -1):
        client = redis.Redis(host=host, port=port, db=number, socket_timeout=5, socket_connect_timeout=5)
        try:
            if client.dbsize() == 0 and client.set(CLAIM_KEY, str(os.getpid()), nx=True, ex=CLAIM_SECONDS):
                chosen = number, client
                break
        except redis.ResponseError:  # fewer databases configured
            pass
        client.close()
    if chosen is None:
        raise RuntimeError(f"no empty Redis database among 1-15 on {host}:{port}")
    number, client = chosen
    try:
        yield f"redis://{host}:{port}/{number}"
    finally:
        client.flushdb()
        client.close()


def run_threads(targets: dict[str, Any], seconds: float) -> tuple[dict[str, str], list[str]]:
    """Run each callable in its own thread; wait at most ``seconds`` for all of them.

    Returns (name -> error, for those that raised) and the names still running at the end.
    """
    import traceback

    errors: dict[str, str] = {}

    def guarded(name: str, target: Any) -> None:
        try:
            target()
        except Exception:
            errors[name] = traceback.format_exc(limit=6)

    threads = {name: threading.Thread(target=guarded, args=(name, target), daemon=True, name=name)
               for name, target in targets.items()}
    for thread in threads.values():
        thread.start()
    deadline = time.monotonic() + seconds
    for thread in threads.values():
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    return errors, [name for name, thread in threads.items() if thread.is_alive()]
