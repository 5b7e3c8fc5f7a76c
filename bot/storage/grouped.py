"""Calls that share one database statement: those that arrive while one is running wait for the
next, which carries all of them (the group commit of the SQLite backend, for PostgreSQL's small
statements, where each statement costs the bot process a round trip of its own).

A few statements may run at once (``lanes``), each carrying at most ``most`` items: with a
single statement at a time, residents who write in step (a morning, a benchmark) would all wait
for one big statement while the bot has nothing to do, then the server would wait for the bot;
smaller groups in several lanes keep both busy."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

__all__ = ["Grouped"]

A = TypeVar("A")
R = TypeVar("R")


class Grouped(Generic[A, R]):
    """Runs ``run(items)`` for the items of every caller that came meanwhile; each caller gets
    the results of its own items (``run`` returns one result per item, in order), or the error
    of the statement that carried them."""

    def __init__(
        self, run: Callable[[list[A]], Awaitable[Sequence[R]]], *, most: int = 50, lanes: int = 1
    ) -> None:
        self._run = run
        self._most = most
        self._lanes = lanes
        self._waiting: list[tuple[Sequence[A], asyncio.Future[list[R]]]] = []
        self._writers: set[asyncio.Task[None]] = set()

    async def __call__(self, items: Sequence[A]) -> list[R]:
        """The results of ``items``, once the statement that carried them has run."""
        future: asyncio.Future[list[R]] = asyncio.get_running_loop().create_future()
        self._waiting.append((items, future))
        # A writer that has just finished is done before its callback leaves the set.
        if sum(not writer.done() for writer in self._writers) < self._lanes:
            writer = asyncio.ensure_future(self._drain())
            self._writers.add(writer)
            writer.add_done_callback(self._writers.discard)
        return await future

    def _next_group(self) -> list[tuple[Sequence[A], asyncio.Future[list[R]]]]:
        """The callers of the next statement: the first waiting, then as many as fit."""
        count, size = 0, 0
        for each, _ in self._waiting:
            if count and size + len(each) > self._most:
                break
            count, size = count + 1, size + len(each)
        group, self._waiting = self._waiting[:count], self._waiting[count:]
        return group

    async def _drain(self) -> None:
        while self._waiting:
            group = self._next_group()
            items = [item for each, _ in group for item in each]
            try:
                results = list(await self._run(items))
            except Exception as exc:  # the database is down: every caller of the group hears it
                for _, future in group:
                    if not future.done():
                        future.set_exception(exc)
                continue
            start = 0
            for each, future in group:
                if not future.done():
                    future.set_result(results[start : start + len(each)])
                start += len(each)
