"""Outgoing messages as JSON, for the outbox of replies not delivered yet."""

from __future__ import annotations

import json
from typing import Any

from bot.core.session import FollowUpJob
from bot.core.types import Button, OutgoingMessage

__all__ = ["job_from_json", "job_to_json", "message_from_json", "message_to_json"]


def message_to_json(message: OutgoingMessage) -> str:
    """A compact JSON form of ``message``."""
    data: dict[str, Any] = {"text": message.text}
    if message.buttons:
        data["rows"] = [
            [{"label": b.label, "payload": b.payload, "url": b.url} for b in row]
            for row in message.buttons
        ]
    if message.image:
        data["image"] = message.image
    if message.awaits_text:
        data["awaits_text"] = True
    if message.document:
        data["document"] = message.document
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def message_from_json(text: str) -> OutgoingMessage:
    """Read a message written by :func:`message_to_json`."""
    data = json.loads(text)
    rows = tuple(
        tuple(
            Button(label=b["label"], payload=b.get("payload", ""), url=b.get("url", ""))
            for b in row
        )
        for row in data.get("rows", [])
    )
    return OutgoingMessage(
        text=data.get("text", ""),
        buttons=rows,
        image=data.get("image", ""),
        awaits_text=bool(data.get("awaits_text", False)),
        document=data.get("document", ""),
    )


def job_to_json(job: FollowUpJob) -> str:
    """A follow-up job as JSON."""
    return json.dumps(
        {name: getattr(job, name) for name in FollowUpJob.__dataclass_fields__},
        ensure_ascii=False,
        separators=(",", ":"),
    )


def job_from_json(text: str) -> FollowUpJob:
    """Read a job written by :func:`job_to_json`."""
    return FollowUpJob(**json.loads(text))
