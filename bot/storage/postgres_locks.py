"""PostgreSQL's advisory locks, for several bot processes on one database.

A resident's turn may also run without the lock (``TurnScope.unlocked``): its reads go to the
pool, its save is one statement checked against the revision it read, and a write before the
save raises :class:`LockNeeded` (nothing written) so that the turn runs again locked.

Two kinds of lock, both released by the server itself when the process holding them dies (its
connections close with it, ``kill -9`` included), so nothing waits for a lease to run out:

- a resident's turn (:class:`TurnScope`): ``pg_advisory_xact_lock`` in the transaction that
  reads the session, runs the turn and saves it; a second process handling the same resident
  waits for the first to commit and then reads what it saved, so the turns apply one at a time,
  in the order they reached the lock. Every statement of the turn (the staff desk's too) runs in
  that transaction: a turn that fails is undone whole, and computing it again does nothing twice.
- a leadership (:class:`Leaderships`): ``pg_try_advisory_lock`` held by a connection of its own
  for as long as the process leads (polls Telegram, runs the scheduler).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import psycopg

__all__ = ["Leaderships", "TurnScope", "lock_id"]

log = logging.getLogger(__name__)
Connection = psycopg.AsyncConnection[Any]


def lock_id(name: str) -> int:
    """A stable 64-bit advisory lock number for ``name`` (a collision only serialises more)."""
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@dataclass(slots=True)
class _Held:
    conn: Connection | None  # None: the turn runs without the lock (or has ended)
    task: asyncio.Task[Any] | None


class TurnScope:
    """The connection of the turn being run by the current task, if it is inside one."""

    def __init__(self) -> None:
        self._current: ContextVar[_Held | None] = ContextVar("trolyso_turn", default=None)

    def connection(self) -> Connection | None:
        """The turn's connection, for the task that runs the turn only (a task it started
        inherits the context, not the right to use the connection)."""
        held = self._current.get()
        if held is None or held.conn is None or held.task is not asyncio.current_task():
            return None
        return held.conn

    def unlocked_turn(self) -> bool:
        """True inside a turn the current task runs without the lock."""
        held = self._current.get()
        return held is not None and held.conn is None and held.task is asyncio.current_task()

    def inside(self) -> bool:
        """True inside a turn of the current task, locked or not."""
        return self.connection() is not None or self.unlocked_turn()

    @contextlib.asynccontextmanager
    async def unlocked(self) -> AsyncIterator[None]:
        """Run the body as a turn without the lock (see the module's docstring)."""
        token = self._current.set(_Held(conn=None, task=asyncio.current_task()))
        try:
            yield
        finally:
            self._current.reset(token)

    @contextlib.asynccontextmanager
    async def hold(self, conn: Connection, name: str) -> AsyncIterator[None]:
        """Run the body in one transaction on ``conn`` holding the lock named ``name``."""
        if self.connection() is not None:
            yield  # already inside a turn (a companion's): one transaction for both
            return
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_id(name),))
            held = _Held(conn=conn, task=asyncio.current_task())
            token = self._current.set(held)
            try:
                yield
            finally:
                held.conn = None
                self._current.reset(token)


class Leaderships:
    """The leaderships this process holds, each a lock on a connection of its own."""

    def __init__(self, connect: Callable[[], Any]) -> None:
        self._connect = connect
        self._held: dict[str, Connection] = {}

    async def try_lead(self, name: str) -> bool:
        """True while this process holds ``name``; tries to take it when it does not."""
        conn = self._held.get(name)
        if conn is not None:
            try:
                await conn.execute("SELECT 1")
                return True
            except psycopg.Error:
                # The connection is gone (a server restart): so is the lock; take it again.
                log.warning("lost the database connection holding %s; taking it again", name)
                await self._drop(name)
        try:
            conn = await self._connect()
        except psycopg.Error as exc:
            log.debug("cannot try to lead %s: %s", name, exc)
            return False
        try:
            cursor = await conn.execute("SELECT pg_try_advisory_lock(%s)", (lock_id(name),))
            row = await cursor.fetchone()
        except psycopg.Error:
            await conn.close()
            return False
        if row is None or not row[0]:
            await conn.close()
            return False
        self._held[name] = conn
        return True

    async def stop_leading(self, name: str) -> None:
        """Release ``name`` (closing its connection releases the lock)."""
        await self._drop(name)

    async def _drop(self, name: str) -> None:
        conn = self._held.pop(name, None)
        if conn is not None:
            with contextlib.suppress(psycopg.Error):
                await conn.close()

    async def close(self) -> None:
        """Release every leadership."""
        for name in list(self._held):
            await self._drop(name)
