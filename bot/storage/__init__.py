"""Where sessions and finished guidance sessions are kept, behind one small protocol."""

from bot.storage.base import RunRecord, Storage

__all__ = ["RunRecord", "Storage"]
