"""The HTML report really renders: headless Chromium draws it at a phone's width to a PNG."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from PIL import Image

from bot.config import Settings
from bot.flows.compiled import CompiledFlow
from bot.reports import build_report, render_html
from bot.storage.sqlite import SqliteStorage

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


def screenshot(page: Path, png: Path, profile: Path) -> subprocess.CompletedProcess[str]:
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
            f"--screenshot={png}",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_html_report_renders_on_a_phone_screen(
    storage: SqliteStorage, flows: dict[str, CompiledFlow], settings: Settings, tmp_path: Path
) -> None:
    report = await build_report(storage, flows, settings)
    page = tmp_path / "report.html"
    page.write_text(render_html(report, "vi"), encoding="utf-8")
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
