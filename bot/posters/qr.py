"""A QR code as a picture to show on a phone screen (a volunteer's hand-over link), not a
printed page: the code alone, big modules and the white border the QR standard asks for."""

from __future__ import annotations

from pathlib import Path

import segno

__all__ = ["save_qr_png"]

# 10 px a module: a 45-character link is about 400 px wide, sharp on any phone screen and easy
# for another phone's camera to read from arm's length.
_SCALE = 10
_QUIET_ZONE = 4


def save_qr_png(link: str, path: Path) -> Path:
    """Write the QR code of ``link`` to ``path`` (PNG) and return the path.

    Error correction M, as the posters: a screen seen at an angle or with a glare still reads.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    segno.make_qr(link, error="m").save(str(path), kind="png", scale=_SCALE, border=_QUIET_ZONE)
    return path
