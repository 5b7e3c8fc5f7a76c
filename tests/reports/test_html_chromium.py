"""The HTML report really renders: headless Chromium draws it at a phone's width to a PNG, and
what it lays out there is read back: no sideways scrolling, and no step id in the text."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from bot.config import Settings
from bot.flows.compiled import CompiledFlow
from bot.reports import build_report, render_html
from bot.storage.sqlite import SqliteStorage
from tests.reports.seed import at
from tests.reports.test_render import STEP_IDS

CHROMIUM = "/usr/bin/chromium"
PHONE = (412, 2000)  # a common Android phone's CSS width
INSTALL_HINT = (
    "Chromium is needed to check that the HTML report renders. Install it with "
    "'apt-get install -y chromium' (Debian/Ubuntu; .ci/run does this), then run the tests again."
)


def chromium() -> str:
    path = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    assert path, INSTALL_HINT  # not a skip: a silent skip would hide a broken report
    return path


# Added to a copy of the page (the report itself has no script): the page laid out as wide as
# the phone (headless Chromium's window is never narrower than 500 px, so the page is held to
# the phone's width instead), then how far right anything reaches, and the text as drawn
# (innerText leaves out what CSS hides).
_MEASURE = (
    f"<script>document.documentElement.style.width = '{PHONE[0]}px'; var right = 0;"
    "document.querySelectorAll('body *').forEach(function (e) {"
    " right = Math.max(right, e.getBoundingClientRect().right); });"
    "document.body.dataset.width = Math.ceil(right);"
    "var drawn = document.createElement('pre'); drawn.id = 'drawn';"
    "drawn.textContent = document.body.innerText; document.body.appendChild(drawn);</script>"
)


def drawn(page: Path, profile: Path) -> tuple[int, str]:
    """How far right the page reaches on a phone's width, and its text as Chromium laid it out."""
    measured = page.with_name("measured.html")
    measured.write_text(page.read_text(encoding="utf-8").replace("</body>", _MEASURE + "</body>"))
    result = run_chromium(measured, profile, "--dump-dom", "--virtual-time-budget=5000")
    assert result.returncode == 0, result.stderr[-2000:]
    width = re.search(r'data-width="(\d+)"', result.stdout)
    text = re.search(r'<pre id="drawn">(.*?)</pre>', result.stdout, re.DOTALL)
    assert width and text, result.stdout[-2000:]
    return int(width.group(1)), html.unescape(text.group(1))


def screenshot(page: Path, png: Path, profile: Path) -> subprocess.CompletedProcess[str]:
    return run_chromium(page, profile, f"--screenshot={png}")


def run_chromium(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            f"--window-size={PHONE[0]},{PHONE[1]}",
            *args,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
async def page(
    storage: SqliteStorage, flows: dict[str, CompiledFlow], settings: Settings, tmp_path: Path
) -> Path:
    """The seeded report as an HTML file, made at noon on 11 February 2026."""
    report = await build_report(storage, flows, settings, now=at(2, 11, 12))
    page = tmp_path / "report.html"
    page.write_text(render_html(report, "vi"), encoding="utf-8")
    return page


async def test_html_report_renders_on_a_phone_screen(page: Path, tmp_path: Path) -> None:
    png = tmp_path / "report.png"
    profile = tmp_path / "profile"  # a fresh profile: nothing from another run leaks in
    result = screenshot(page, png, profile)
    assert result.returncode == 0, result.stderr[-2000:]
    assert png.is_file() and png.stat().st_size > 20_000, "the screenshot is missing or tiny"
    with Image.open(png) as shot:
        assert shot.size == PHONE
        pixels = shot.convert("RGB")
        colours = pixels.getcolors(maxcolors=1 << 20) or []
    total = PHONE[0] * PHONE[1]
    not_white = sum(count for count, rgb in colours if rgb != (255, 255, 255))
    assert not_white > total * 0.2, "the page looks blank"
    assert len(colours) > 50, "only a few colours: text did not render"
    # The bars really show: the green of a target reached (80.00% in the commune) and the
    # amber of one under way (66.67% in Thôn Đông) are both on screen.
    by_colour = {rgb: count for count, rgb in colours}
    assert by_colour.get((30, 123, 60), 0) > 1000
    assert by_colour.get((181, 129, 5), 0) > 1000


async def test_the_report_drawn_on_a_phone_reads_without_step_ids(
    page: Path, tmp_path: Path
) -> None:
    width, text = drawn(page, tmp_path / "profile")
    assert width <= PHONE[0], f"the page is {width}px wide on a {PHONE[0]}px phone"
    words = set(re.findall(r"[a-z_]+", text))
    assert sorted(words & set(STEP_IDS)) == []  # "bước store" means nothing to a leader
    # Steps by their words, the main path first and the nested guide's steps inside it.
    assert "Đường chính" in text and "Ngoài đường chính" in text
    assert 'Nên sửa trước: Cài ứng dụng thử — bước "Mở cửa hàng ứng dụng."' in text
    assert "Hướng dẫn «Cài ứng dụng thử»" in text and "↳ bên trong" in text
    # Vietnamese numbers, and the commune over its villages with a target only.
    assert "4 / 5 · 80,00%" in text and "ngoài ra 3 ở thôn chưa có chỉ tiêu" in text
    assert "Tuần này (từ 09/02/2026): đã giúp 0, bắt đầu 1, xong 0" in text
    assert "Qua mã QR (xong/mở)" in text and "1/2" in text  # Minh: u1 done, s3 still going
