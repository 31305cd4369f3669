"""gunicorn settings read from the project directory (``make serve``, ``make bench``).

The command line still chooses workers, threads, address and timeout; this file only adds
what a command line cannot say.
"""

import sys

# A worker's threads share one interpreter lock. A request that holds the SQLite write lock
# gives the interpreter up at every statement and, by default, may wait up to 5 ms to get it
# back while another thread renders a page; every writer behind it waits too. A shorter
# switch interval keeps those hand-overs short.
SWITCH_INTERVAL_SECONDS = 0.0005


def post_worker_init(worker):
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
