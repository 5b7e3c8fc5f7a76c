"""What a poster says: the flow's title and three short lines on what to expect.

The lines come from the flow itself, so a new flow gets a sensible poster with nothing to write:
its description; roughly how many steps it takes (the fewest buttons or answers from the start
to an ``end: completed``); and the promise every flow keeps (free, never asks for a password).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from bot.flows.schema import Flow

__all__ = ["PosterText", "poster_text", "steps_to_complete"]

_WORDS = {
    "vi": {
        "steps": "Khoảng {n} bước, mỗi bước chỉ cần đọc và bấm nút.",
        "no_count": "Từng bước một, chỉ cần đọc và bấm nút.",
        "promise": "Miễn phí. Không bao giờ hỏi mật khẩu hay mã OTP.",
        "scan": "Quét mã bằng camera điện thoại để mở Telegram",
        "scan_zalo": "Quét mã để mở Zalo của xã, rồi nhắn:",
        "brand": "Trợ lý số",
    },
    "en": {
        "steps": "About {n} steps; at each one, just read and tap a button.",
        "no_count": "One step at a time; just read and tap a button.",
        "promise": "Free. It never asks for a password or an OTP code.",
        "scan": "Scan with your phone camera to open Telegram",
        "scan_zalo": "Scan to open the commune's Zalo, then send:",
        "brand": "Trợ lý số",
    },
}


@dataclass(frozen=True, slots=True, kw_only=True)
class PosterText:
    """Every text on a poster, in one language."""

    brand: str
    title: str
    lines: tuple[str, str, str]
    scan: str
    # What to type after scanning (Zalo: its links carry no start payload), under the scan line.
    typed: str = ""


def steps_to_complete(flow: Flow) -> int | None:
    """The fewest steps a resident answers (buttons or typing) to complete the flow.

    Steps that only say something or decide count 0, so this is what the resident feels as
    "steps". None when no path reaches ``end: completed``.
    """
    best: dict[str, int] = {flow.start: 0}
    queue = deque([flow.start])
    # 0-1 breadth-first search: entering a step that waits costs 1, any other step 0.
    while queue:
        step_id = queue.popleft()
        step = flow.steps.get(step_id)
        if step is None:
            continue
        cost = best[step_id] + (1 if step.waits else 0)
        if step.end == "completed":
            continue
        targets = [c.go for c in step.choices or []] + [w.go for w in step.when or []]
        targets += [step.go] if step.go else []
        for target in targets:
            if target in flow.steps and cost < best.get(target, cost + 1):
                best[target] = cost
                queue.append(target)
    ends = [best[s] for s, step in flow.steps.items() if step.end == "completed" and s in best]
    return min(ends) if ends else None


def poster_text(flow: Flow, lang: str, *, commune: str = "", typed: str = "") -> PosterText:
    """The poster's texts for ``flow`` in ``lang`` (Vietnamese when unknown); ``typed`` is what a
    Zalo resident sends after scanning."""
    words = _WORDS.get(lang, _WORDS["vi"])
    count = steps_to_complete(flow)
    how = words["steps"].format(n=count) if count else words["no_count"]
    brand = words["brand"] + (f" · {commune}" if commune else "")
    return PosterText(
        brand=brand,
        title=flow.title.get(lang),
        lines=(flow.description.get(lang), how, words["promise"]),
        scan=words["scan_zalo"] if typed else words["scan"],
        typed=typed,
    )
