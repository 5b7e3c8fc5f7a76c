"""Import aiogram without building all of its pydantic validators up front.

Importing aiogram 3 builds a pydantic validator for each of its ~450 Telegram types (the loop at
the end of ``aiogram/types/__init__.py``), each carrying copies of the types it nests. That alone
takes about 150 MB and 1.5 s, more than the rest of the bot with 100,000 known residents. The bot
only ever validates a handful of them (``Update``, the answers to the methods it calls), so here
aiogram is imported with that loop skipped and each type is built by pydantic the first time it
is used, as pydantic does for any model whose build was deferred.

For that to work later, the names the loop would have resolved ("Message", "Chat"...) are put
into the namespaces of aiogram's type and method modules, where pydantic looks for them. A test
builds every aiogram type and method this way, so a new aiogram release that breaks the scheme
fails there and not in front of a resident; if aiogram was already imported by someone else,
nothing changes.

Import this module before anything imports aiogram (``aiogram_adapter`` does).
"""

from __future__ import annotations

import sys
from typing import Any, Literal, Optional, Union

from pydantic import BaseModel

__all__ = ["LEAN"]


def _import_lean() -> bool:
    """Import aiogram with its eager validator loop skipped; True if the lean import happened."""
    if "aiogram" in sys.modules:
        return False
    model_rebuild = BaseModel.model_rebuild.__func__  # type: ignore[attr-defined]

    def deferred(cls: type[BaseModel], /, **kwargs: Any) -> bool | None:
        # aiogram's loop is the only caller that passes its own names, and only for its types.
        if kwargs.get("_types_namespace") is not None and cls.__module__.startswith("aiogram."):
            return None
        kwargs["_parent_namespace_depth"] = kwargs.get("_parent_namespace_depth", 2) + 1
        result: bool | None = model_rebuild(cls, **kwargs)
        return result

    BaseModel.model_rebuild = classmethod(deferred)  # type: ignore[assignment,method-assign]
    try:
        import aiogram  # noqa: F401
    finally:
        BaseModel.model_rebuild = classmethod(model_rebuild)  # type: ignore[assignment,method-assign]
    _share_names()
    return True


def _share_names() -> None:
    """Make every aiogram type name resolvable from aiogram's own modules."""
    import aiogram.types
    from aiogram.client.default import Default

    names: dict[str, Any] = {name: getattr(aiogram.types, name) for name in aiogram.types.__all__}
    # The same extra names aiogram's loop passes.
    names.update(List=list, Optional=Optional, Union=Union, Literal=Literal, Default=Default)
    prefixes = ("aiogram.types.", "aiogram.methods.", "aiogram.client.")
    for module_name, module in list(sys.modules.items()):
        if module is None or not module_name.startswith(prefixes):
            continue
        namespace = module.__dict__
        for name, value in names.items():
            namespace.setdefault(name, value)


LEAN = _import_lean()
