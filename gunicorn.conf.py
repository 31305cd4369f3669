"""gunicorn settings read from the project directory (``make serve``, ``make bench``).

The command line still chooses workers, threads, address and timeout; this file only adds
what a command line cannot say.
"""

import contextlib
import ctypes
import ctypes.util
import sys

# glibc gives each thread that meets contention a malloc arena of its own, and memory freed
# in one arena is not reused by another: a threaded worker that has rendered many pages and
# then streams an export holds far more than it uses. Two arenas keep its memory close to
# what it needs, at no measurable cost here.
MALLOC_ARENAS = 2
M_ARENA_MAX = -8  # mallopt's parameter number in glibc's malloc.h


def _limit_malloc_arenas(count: int) -> None:
    name = ctypes.util.find_library("c")
    if not name or not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to limit
        ctypes.CDLL(name).mallopt(M_ARENA_MAX, count)


def post_worker_init(worker):
    _limit_malloc_arenas(MALLOC_ARENAS)


def when_ready(server):
    # Rate limits and sign-in counters live in each process unless Redis holds them.
    from assessment.config import read_environment

    if server.cfg.workers > 1 and not read_environment().get("REDIS_URL", "").strip():
        server.log.warning(
            "%d workers and no REDIS_URL: each worker keeps its own rate-limit counters, so the "
            "sign-in, API and export limits are that many times looser. Set REDIS_URL to share them.",
            server.cfg.workers)
