"""Writers that take turns: a transaction that reads what it is about to write starts only
once no other holder of the same turn is inside its own.

Two editors confirming imports of the same rows at the same instant both read the rows
before either had written, both found them "unchanged since the check", and the second
silently overwrote the first. In turns, the second reads what the first committed, and is
refused as changed since its check.
"""

import contextlib
from collections.abc import Iterator

from django.db import connection, transaction


@contextlib.contextmanager
def write_turn(name: str, *, wait: str | None = None) -> Iterator[None]:
    """A transaction, begun once no other transaction holding ``name`` is open.

    PostgreSQL: a transaction-scoped advisory lock on ``name`` (released at commit or
    rollback, even if the process dies), waited for at most ``wait`` ("10min") if given. SQLite: ``BEGIN IMMEDIATE``, the database's one
    write lock taken first, waiting for it as long as the busy timeout, rather than a read
    under a shared lock that fails, "database is locked", at its first write. Inside an
    outer transaction (the tests), SQLite's turn is that transaction's.
    """
    with contextlib.ExitStack() as stack:
        if connection.vendor == "sqlite" and not connection.in_atomic_block:
            connection.ensure_connection()
            mode = connection.transaction_mode  # type: ignore[attr-defined] # SQLite's own
            connection.transaction_mode = "IMMEDIATE"  # type: ignore[attr-defined]
            try:
                stack.enter_context(transaction.atomic())
            finally:
                connection.transaction_mode = mode  # type: ignore[attr-defined]
        else:
            stack.enter_context(transaction.atomic())
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    if wait:
                        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [wait])
                    cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])
        yield
