"""Leases: how a worker says "I am still on it", so that work whose worker died is taken up again.

A row that a worker carries out (a share run, an import job) holds ``lease_until``;
while the worker lives, a heartbeat thread pushes it forward. A worker killed
mid-way (SIGKILL, out of memory, a lost machine) stops the heartbeat, the lease
runs out, and the watchdog hands the work to another worker. The heartbeat uses
its own database connection: the worker's may be inside a long transaction, whose
writes nobody else sees until it commits.
"""

import contextlib
import logging
import threading
from datetime import timedelta

from django.db import connections
from django.utils import timezone

logger = logging.getLogger(__name__)


@contextlib.contextmanager
def lease_kept(queryset, *, lease: timedelta):
    """Push ``lease_until`` of the rows of ``queryset`` forward every third of ``lease``
    while the block runs; stop when it ends, however it ends."""
    stop = threading.Event()

    def beat():
        try:
            while not stop.wait(lease.total_seconds() / 3):
                queryset.update(lease_until=timezone.now() + lease)
        except Exception:  # a heartbeat that fails lets the lease run out: the watchdog decides
            logger.exception("lease heartbeat stopped for %s", queryset.model.__name__)
        finally:
            connections.close_all()  # this thread's own connection

    thread = threading.Thread(target=beat, name="lease-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=lease.total_seconds())
