"""A flow's own pictures (local files) on Zalo: uploaded once through the OA's upload API, then
sent by the ``attachment_id`` Zalo gave them.

The id is kept in ``channel_state`` under the digest of the file's bytes, so a picture is
uploaded once whatever its path, and a changed file is uploaded anew. The upload is made under
that row's lease and its id written with the lease released, by one statement: two processes
sending a new picture at once upload it once, the other reads the id. Zalo keeps an upload 7
days: the id is used for ``zalo.upload_keep_days`` and the picture is uploaded again after
that, or at once if Zalo says it no longer knows the id.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from bot.channels.zalo.client import ZaloClient
from bot.config import ZaloSettings
from bot.core.errors import Rejected, Transient
from bot.storage.channel_state import ChannelStateStore

__all__ = ["Pictures"]

log = logging.getLogger(__name__)
_KINDS = (".jpg", ".jpeg", ".png")  # what Zalo's image upload takes
CHANNEL = "zalo"  # the name the pictures' ids are kept under in channel_state


class Pictures:
    """Which local pictures Zalo can show, and their attachment ids."""

    def __init__(
        self,
        settings: ZaloSettings,
        state: ChannelStateStore,
        client: ZaloClient,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings, self.state, self.client, self.clock = settings, state, client, clock
        self.holder = uuid.uuid4().hex  # this process, as the lease knows it
        self.uploads = 0
        # One upload at a time within the process too (the lease is the process's, not a task's).
        self._locks: dict[str, asyncio.Lock] = {}
        self._digests: dict[tuple[str, int, int], str] = {}  # (path, size, mtime) -> digest
        self._warned: set[str] = set()

    def usable(self, path: str) -> bool:
        """True when ``path`` is a picture Zalo takes; else warns the admin once and False."""
        file = Path(path)
        why = ""
        if file.suffix.lower() not in _KINDS:
            why = "Zalo takes only jpg and png pictures"
        else:
            try:
                size = file.stat().st_size
            except OSError:
                why = "the file is missing"
            else:
                if size > self.settings.image_limit_bytes:
                    why = f"it is larger than {self.settings.image_limit_bytes} bytes"
        if why and path not in self._warned:
            self._warned.add(path)
            log.warning("the picture %s is not sent on Zalo, only its words: %s", file.name, why)
        return not why

    async def attachment(self, path: str, access_token: str, *, stale: str = "") -> str:
        """The attachment id of the picture at ``path``, uploading it if Zalo has none (or only
        ``stale``, the one it just refused)."""
        try:
            content, digest = self._read(path)
        except OSError:
            raise Rejected(f"the picture {Path(path).name} can no longer be read") from None
        name = "picture:" + digest
        kept = await self._kept(name, stale)
        if kept:
            return kept
        async with self._locks.setdefault(name, asyncio.Lock()):
            return await self._under_lease(name, stale, content, Path(path).name, access_token)

    async def _under_lease(
        self, name: str, stale: str, content: bytes, filename: str, access_token: str
    ) -> str:
        """The id, uploading under the lease of ``name`` or waiting for the process that is."""
        deadline = time.monotonic() + self.settings.lease_seconds * 2
        while True:
            kept = await self._kept(name, stale)
            if kept:
                return kept
            now = self.clock()
            until = now + self.settings.lease_seconds
            if await self.state.claim_channel_lease(
                CHANNEL, name, self.holder, now=now, until=until
            ):
                try:
                    return await self._upload(name, stale, content, filename, access_token)
                finally:
                    await self.state.release_channel_lease(CHANNEL, name, self.holder)
            if time.monotonic() > deadline:
                raise Transient("another process is uploading a picture and has not finished")
            await asyncio.sleep(0.2)  # another process uploads it: its id is read next

    async def _kept(self, name: str, stale: str) -> str:
        """The kept id of a picture, while Zalo still has it (not ``stale``); else ""."""
        found = await self.state.channel_value(CHANNEL, name)
        attachment, _, at = (found.value if found is not None else "").partition("@")
        fresh = self.clock() - float(at or 0) < self.settings.upload_keep_days * 86400
        return attachment if attachment and attachment != stale and fresh else ""

    async def _upload(
        self, name: str, stale: str, content: bytes, filename: str, access_token: str
    ) -> str:
        """With the lease held: upload unless another process just did, and keep the id (the
        lease released by the same write)."""
        kept = await self._kept(name, stale)
        if kept:
            return kept
        attachment = await self.client.upload_image(content, filename, access_token)
        self.uploads += 1
        value, now = f"{attachment}@{self.clock()!r}", self.clock()
        if not await self.state.put_channel_value(CHANNEL, name, value, at=now, holder=self.holder):
            await self.state.put_channel_value(CHANNEL, name, value, at=now)  # lease ran out
        return attachment

    def _read(self, path: str) -> tuple[bytes, str]:
        file = Path(path)
        stat = file.stat()
        content = file.read_bytes()
        mark = (str(file.resolve()), stat.st_size, stat.st_mtime_ns)
        digest = self._digests.get(mark)
        if digest is None:
            digest = self._digests[mark] = hashlib.sha256(content).hexdigest()[:32]
        return content, digest
