"""Drawing a printable poster: A5 portrait at 300 dpi, big Vietnamese text, a large QR code.

Pillow draws the page with the bundled DejaVu fonts (every Vietnamese tone mark, on any machine)
and writes both the PNG and the PDF; segno computes the QR matrix, drawn here module by module
so every module is a whole number of pixels and prints sharp.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from io import BytesIO
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont

from bot.posters.content import PosterText

__all__ = ["DPI", "PAGE_SIZE", "QrPlacement", "draw_poster", "qr_matrix", "save_poster"]

DPI = 300
PAGE_SIZE = (1748, 2480)  # A5 (148 x 210 mm) at 300 dpi
QUIET_ZONE = 4  # modules of white around the code, as the QR standard asks
_MARGIN = 130
_BAND = 170
_INK = (20, 20, 20)
_SOFT = (70, 70, 70)
_ACCENT = (200, 16, 46)
_WHITE = (255, 255, 255)
# (title, lines) font sizes in pixels, largest first: 96 px is about 8 mm tall letters.
_SIZES = ((96, 54), (86, 50), (76, 46), (68, 42))
_MIN_QR = 760  # about 6.4 cm: scans from arm's length on a cheap phone
_MAX_QR = 1150  # about 9.7 cm: bigger only takes room from the text


@dataclass(frozen=True, slots=True)
class QrPlacement:
    """Where the QR code sits on the page: its top-left pixel and the size of one module."""

    left: int
    top: int
    module: int
    modules: int  # per side, quiet zone included


@lru_cache(maxsize=4)
def _font_bytes(name: str) -> bytes:
    return (resources.files("bot") / "assets" / "fonts" / name).read_bytes()


def _font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(BytesIO(_font_bytes(name)), size)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` pixels, at spaces where possible."""
    # Precomposed letters: Pillow's basic layout does not stack combining tone marks.
    words = unicodedata.normalize("NFC", text).split()
    lines: list[str] = []
    line = ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if font.getlength(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = word
        while font.getlength(line) > width:  # a single word wider than the page (a long link)
            cut = len(line)
            while cut > 1 and font.getlength(line[:cut]) > width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
    if line:
        lines.append(line)
    return lines


def _line_height(font: ImageFont.FreeTypeFont) -> int:
    ascent, descent = font.getmetrics()
    return int((ascent + descent) * 1.12)


def qr_matrix(link: str) -> tuple[bytearray, ...]:
    """The QR code of ``link`` as rows of 0/1 modules, without the quiet zone.

    Error correction M (at least), raised by segno when the same size allows more: a poster on a
    village notice board gets creased and faded.
    """
    return tuple(segno.make_qr(link, error="m").matrix)


def _draw_qr(draw: ImageDraw.ImageDraw, link: str, box: int, top: int) -> QrPlacement:
    matrix = qr_matrix(link)
    modules = len(matrix) + 2 * QUIET_ZONE
    module = box // modules
    size = module * modules
    left = (PAGE_SIZE[0] - size) // 2
    draw.rectangle((left, top, left + size - 1, top + size - 1), fill=_WHITE)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                x0 = left + (x + QUIET_ZONE) * module
                y0 = top + (y + QUIET_ZONE) * module
                draw.rectangle((x0, y0, x0 + module - 1, y0 + module - 1), fill=(0, 0, 0))
    return QrPlacement(left=left, top=top, module=module, modules=modules)


def draw_poster(text: PosterText, link: str) -> tuple[Image.Image, QrPlacement]:
    """The poster page, and where its QR code is (for checking it)."""
    width = PAGE_SIZE[0] - 2 * _MARGIN
    small = _font(34)
    scan_font = _font(46, bold=True)
    for title_size, line_size in _SIZES:
        title_font, line_font = _font(title_size, bold=True), _font(line_size)
        title_lines = _wrap(text.title, title_font, width)
        bullets = [_wrap(line, line_font, width - line_size) for line in text.lines]
        used = _BAND + 70 + len(title_lines) * _line_height(title_font) + 50
        used += sum(len(b) * _line_height(line_font) + 18 for b in bullets) + 50
        link_lines = _wrap(link, small, width)
        below = 30 + _line_height(scan_font) + len(link_lines) * _line_height(small) + _MARGIN
        below += _line_height(scan_font) if text.typed else 0
        room = PAGE_SIZE[1] - used - below
        qr_box = min(_MAX_QR, room)
        if qr_box >= _MIN_QR:
            break
    image = Image.new("RGB", PAGE_SIZE, _WHITE)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, PAGE_SIZE[0], _BAND), fill=_ACCENT)
    brand = _font(60, bold=True)
    draw.text(
        (_MARGIN, _BAND // 2),
        unicodedata.normalize("NFC", text.brand),
        font=brand,
        fill=_WHITE,
        anchor="lm",
    )
    y = _BAND + 70
    for line in title_lines:
        draw.text((_MARGIN, y), line, font=title_font, fill=_INK)
        y += _line_height(title_font)
    y += 50
    for lines in bullets:
        draw.text((_MARGIN, y), "•", font=line_font, fill=_ACCENT)
        for line in lines:
            draw.text((_MARGIN + line_size, y), line, font=line_font, fill=_INK)
            y += _line_height(line_font)
        y += 18
    # Whatever room is left goes half above the code, so the page does not look top-heavy.
    y += 50 + max(0, room - qr_box) // 2
    placement = _draw_qr(draw, link, max(qr_box, _MIN_QR), y)
    y += placement.module * placement.modules + 30
    draw.text(
        (PAGE_SIZE[0] // 2, y),
        unicodedata.normalize("NFC", text.scan),
        font=scan_font,
        fill=_INK,
        anchor="ma",
    )
    y += _line_height(scan_font)
    if text.typed:  # the words a Zalo resident sends, as big as the instruction above them
        draw.text((PAGE_SIZE[0] // 2, y), text.typed, font=scan_font, fill=_ACCENT, anchor="ma")
        y += _line_height(scan_font)
    for line in link_lines:
        draw.text((PAGE_SIZE[0] // 2, y), line, font=small, fill=_SOFT, anchor="ma")
        y += _line_height(small)
    return image, placement


def save_poster(image: Image.Image, png: Path, pdf: Path) -> None:
    """Write the page as a PNG and as a one-page PDF, both at 300 dpi (A5 when printed)."""
    image.save(png, "PNG", dpi=(DPI, DPI))
    image.save(pdf, "PDF", resolution=float(DPI))
