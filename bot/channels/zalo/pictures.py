"""A flow's own pictures (local files) on Zalo: uploaded once through the OA's upload API, then
sent by the ``attachment_id`` Zalo gave them.

The id is kept in the file cache under the digest of the file's bytes, so a picture is uploaded
once whatever its path and however many processes send it, and a changed file is uploaded anew.
Zalo keeps an upload 7 days: the id is used for ``zalo.upload_keep_days`` and the picture is
uploaded again after that, or at once if Zalo says it no longer knows the id.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from pathlib import Path

from bot.channels.zalo.client import ZaloClient
from bot.config import ZaloSettings
from bot.core.errors import Rejected
from bot.storage.base import Storage

__all__ = ["Pictures"]

log = logging.getLogger(__name__)
_KINDS = (".jpg", ".jpeg", ".png")  # what Zalo's image upload takes


class Pictures:
    """Which local pictures Zalo can show, and their attachment ids."""

    def __init__(
        self,
        settings: ZaloSettings,
        storage: Storage,
        client: ZaloClient,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings, self.storage, self.client, self.clock = settings, storage, client, clock
        self.uploads = 0
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
        ref = "zalo-picture:" + digest
        cached = await self.storage.cached_file(ref)
        if cached:
            attachment, _, at = cached.partition("@")
            fresh = self.clock() - float(at or 0) < self.settings.upload_keep_days * 86400
            if attachment != stale and fresh:
                return attachment
        attachment = await self.client.upload_image(content, Path(path).name, access_token)
        self.uploads += 1
        await self.storage.cache_file(ref, f"{attachment}@{self.clock()!r}")
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
