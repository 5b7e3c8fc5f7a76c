"""Printable QR posters that open a flow in the bot, credited to the volunteer who hands them out.

``trolyso poster --flow vneid_install --volunteer K7M2QX`` writes an A5 PNG and PDF; see
docs/reports.md. :func:`make_poster` is the same thing for code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.flows.schema import Flow
from bot.posters.content import PosterText, poster_text, steps_to_complete
from bot.posters.draw import PAGE_SIZE, QrPlacement, draw_poster, qr_matrix, save_poster
from bot.posters.link import (
    PosterError,
    bot_username,
    deep_link,
    start_payload,
    web_link,
    zalo_link,
)

__all__ = [
    "PAGE_SIZE",
    "Poster",
    "PosterError",
    "PosterText",
    "QrPlacement",
    "bot_username",
    "deep_link",
    "make_poster",
    "poster_text",
    "qr_matrix",
    "start_payload",
    "steps_to_complete",
    "web_link",
    "zalo_link",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Poster:
    """The files written for one poster, the link in its QR code, and where the code is."""

    png: Path
    pdf: Path
    link: str
    qr: QrPlacement
    typed: str = ""  # what a Zalo resident sends after scanning


def make_poster(
    flow: Flow,
    *,
    username: str,
    output: Path,
    volunteer_code: str | None = None,
    lang: str = "vi",
    commune: str = "",
    web_url: str | None = None,
    zalo: tuple[str, str] | None = None,
) -> Poster:
    """Write ``poster-<flow>[-v<CODE>].png`` and ``.pdf`` into ``output`` (created if needed).

    With ``web_url`` (``web.public_url``) the code opens the web chat instead of Telegram; with
    ``zalo`` (``zalo.oa_id`` and ``zalo.start_word``) the Zalo OA, and the poster says what to
    send there (``BATDAU <payload>``). The volunteer's credit works the same on all three.
    Raises :class:`PosterError` for a missing or bad username, address or OA id, or a link
    Telegram would refuse.
    """
    payload = start_payload(flow.id, volunteer_code)
    typed = ""
    if zalo is not None:
        link, typed = zalo_link(zalo[0]), f"{zalo[1]} {payload}"
    elif web_url is not None:
        link = web_link(web_url, payload)
    else:
        link = deep_link(bot_username(username), payload)
    text = poster_text(flow, lang, commune=commune, typed=typed)
    image, placement = draw_poster(text, link)
    output.mkdir(parents=True, exist_ok=True)
    png, pdf = output / f"poster-{payload}.png", output / f"poster-{payload}.pdf"
    save_poster(image, png, pdf)
    return Poster(png=png, pdf=pdf, link=link, qr=placement, typed=typed)
