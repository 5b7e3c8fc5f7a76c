"""More of the web console in Chromium: a volunteer's own households, the simulator in English
and on drafts, lint problems with file:line and the reload status, the print layout, the
Secure cookie over https and the login's rate limit."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.channels.test_web_console import AT, Rig, console_rig, login, rig  # noqa: F401
from tests.channels.web_harness import browser


async def test_a_volunteer_sees_only_their_households(rig: Rig) -> None:  # noqa: F811
    volunteers = await rig.storage.volunteers()
    mine = volunteers[0]
    theirs = {s.household.label for s in await rig.storage.households_of(mine.id)}
    others = {
        s.household.label for v in volunteers[1:] for s in await rig.storage.households_of(v.id)
    } - theirs
    assert theirs and others
    async with browser() as chrome:
        page = await login(await chrome.new_context(), await rig.link("volunteer", mine.id))
        assert page.url == rig.base + "/admin/households"
        text = await page.inner_text("main")
        assert all(label in text for label in theirs)
        assert not any(label in text for label in others)
        await page.goto(rig.base + "/admin/numbers")
        assert "không được làm việc này" in await page.inner_text("main")
        assert await page.locator("nav.nav a").all_inner_texts() == ["Yêu cầu hỗ trợ", "Hộ của tôi"]
        # Deactivated: the session opens nothing any more.
        await rig.storage.deactivate_volunteer(mine.id, at=0.0)
        await page.goto(rig.base + "/admin/households")
        assert page.url == rig.base + "/admin/login"


async def test_the_simulator_speaks_english_and_tries_drafts(tmp_path: Path) -> None:
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    source = (tmp_path / "flows").parent  # written by console_rig below
    async with console_rig(tmp_path, console_drafts=str(drafts)) as started:
        live = (source / "flows" / "demo_install.yaml").read_text(encoding="utf-8")
        draft = live.replace('en: "Which phone?"', 'en: "What phone do you use?"')
        # ...and a reminder a day after the resident stopped at the store step.
        draft = draft.replace(
            "    help: store_help\n",
            "    help: store_help\n    follow_up: {after: 1 day, go: store_help}\n",
            1,
        )
        (drafts / "demo_install.yaml").write_text(draft, encoding="utf-8")
        async with browser() as chrome:
            page = await login(await chrome.new_context(), await started.link())
            await page.goto(started.base + "/admin/flows")
            assert str(drafts) in await page.inner_text("main")
            await page.goto(started.base + "/admin/flows/demo_install")
            await page.wait_for_selector("#diagram[data-drawn] svg", timeout=30_000)
            await page.select_option("#sim-lang", "en")
            await page.click("#sim-start")
            await page.wait_for_function(AT, arg="phone")
            assert "What phone do you use?" in await page.inner_text("#sim-log")
            await page.locator("#sim-log .choices button", has_text="Android").click()
            await page.wait_for_function(AT, arg="store")
            assert "Open the app store." in await page.inner_text("#sim-log")
            # Time passes (the tryout's clock only): the reminder comes, or quiet hours hold it.
            await page.click("#sim-wait [data-wait='1d']")
            await page.wait_for_selector("#sim-log .msg.note")
            await page.wait_for_function("() => !document.getElementById('sim').dataset.busy")
            log = await page.inner_text("#sim-log")
            assert "1d later" in log
            if "quiet hours" in log:
                await page.fill("#sim-say", "/wait 12h")
                await page.click("#sim-form button")
                await page.wait_for_function(AT, arg="store_help")
            else:
                assert await page.get_attribute("#sim", "data-step") == "store_help"
            assert "Look for the store icon." in await page.inner_text("#sim-log")
            await page.fill("#sim-say", "/wait 30d")
            await page.click("#sim-form button")
            await page.wait_for_function(
                "() => document.getElementById('sim-log').textContent.includes('7 days')"
            )


async def test_lint_problems_show_their_line_and_the_reload_is_refused(rig: Rig) -> None:  # noqa: F811
    broken = rig.tmp / "flows" / "demo_pay.yaml"
    text = broken.read_text(encoding="utf-8")
    broken.write_text(text.replace("start: ", "start: nowhere_", 1), encoding="utf-8")
    async with browser() as chrome:
        page = await login(await chrome.new_context(), await rig.link())
        await page.goto(rig.base + "/admin/flows")
        problems = await page.inner_text("#problems")
        assert "demo_pay.yaml:" in problems and "nowhere_" in problems
        assert "chưa được áp dụng" in await page.inner_text("#reload")
        row = await page.inner_text("table.flows tr:has(a[href='/admin/flows/demo_pay'])")
        assert "lỗi" in row
        # The bot still runs the last good version.
        assert "demo_pay" in rig.service.app.assistant.engine.flows
        broken.write_text(text, encoding="utf-8")
        await page.reload()
        assert "đúng bản trong các tệp" in await page.inner_text("#reload")


async def test_the_numbers_print_without_the_menus(rig: Rig) -> None:  # noqa: F811
    async with browser() as chrome:
        page = await login(await chrome.new_context(), await rig.link())
        await page.emulate_media(media="print")
        assert not await page.is_visible("header.topbar")
        assert not await page.is_visible("form.filters")
        assert await page.is_visible("#report h1")
        pdf = await page.pdf(format="A4")
        assert pdf.startswith(b"%PDF")
        # In English: the console's words and the report's.
        await page.emulate_media(media="screen")
        await page.click("a.lang")
        await page.wait_for_url(rig.base + "/admin/numbers")
        assert await page.locator("nav.nav a").first.inner_text() == "Numbers"
        assert "80.00%" in await page.inner_text("#report")


async def test_the_cookie_is_secure_over_https_and_logins_are_rate_limited(
    tmp_path: Path,
) -> None:
    async with console_rig(tmp_path, public_url="https://xa.example.vn") as started:
        link = await started.link()
        token = link.split("t=", 1)[1]
        async with aiohttp.ClientSession() as http:
            answer = await http.post(
                started.base + "/admin/login",
                data={"t": token},
                headers={"Origin": "https://xa.example.vn"},
                allow_redirects=False,
            )
            assert answer.status == 303
            cookie = answer.headers["Set-Cookie"]
            assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
            assert "Path=/admin" in cookie and "Max-Age=28800" in cookie
            statuses = []
            for _ in range(8):
                wrong = await http.post(
                    started.base + "/admin/login",
                    data={"t": "x" * 43},
                    headers={"Origin": started.base},
                    allow_redirects=False,
                )
                statuses.append(wrong.status)
            assert statuses[0] == 403 and statuses[-1] == 429


def test_trolyso_web_serves_the_console_to_a_link_from_the_command_line(tmp_path: Path) -> None:
    """The real processes: ``trolyso web`` serves /admin, ``trolyso admin login-link`` (another
    process, the same database) makes a link it accepts once."""
    import asyncio
    import os
    import re
    import subprocess
    import sys

    from tests.cli_process import trolyso
    from tests.harness import ROOT
    from tests.reports import seed as seeding

    seeding.write_flows(tmp_path / "flows")
    asyncio.run(seeding.seed(tmp_path / "seed.sqlite3"))
    config = tmp_path / "config.yaml"
    config.write_text(
        f"database: seed.sqlite3\nflows_dir: flows\nwelcome_flow: ''\nlocales_dir: {ROOT / 'locales'}\n",
        encoding="utf-8",
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(config), "web", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert server.stdout is not None
        ready = server.stdout.readline()
        found = re.search(r"(http://127\.0\.0\.1:\d+/)admin", ready)
        assert found, ready + (server.stderr.read() if server.poll() is not None else "")
        base = found.group(1).rstrip("/")
        made = trolyso("--config", str(config), "admin", "login-link", "--lang", "en")
        assert made.returncode == 0, made.stderr
        token = made.stdout.strip().splitlines()[-1].split("t=", 1)[1]

        async def use() -> list[int]:
            # unsafe: keep cookies of an IP address (127.0.0.1), as a browser does.
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
                statuses = []
                first = await http.get(base + "/admin/numbers", allow_redirects=False)
                statuses.append(first.status)
                for _ in range(2):
                    answer = await http.post(
                        base + "/admin/login",
                        data={"t": token},
                        headers={"Origin": base},
                        allow_redirects=False,
                    )
                    statuses.append(answer.status)
                page = await http.get(base + "/admin/numbers")
                statuses.append(page.status)
                assert "Thôn Đông" in await page.text()
                return statuses

        assert asyncio.run(use()) == [303, 303, 403, 200]
    finally:
        server.terminate()
        server.wait(timeout=30)


async def test_a_failure_shows_a_sentence_never_a_traceback(
    rig: Rig,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def broken() -> list[Any]:
        raise RuntimeError("disk on fire")

    async with browser() as chrome:
        page = await login(await chrome.new_context(), await rig.link())
        monkeypatch.setattr(rig.storage, "volunteers", broken)
        answer = await page.goto(rig.base + "/admin/people")
        assert answer is not None and answer.status == 500
        text = await page.inner_text("main")
        assert "ghi vào nhật ký" in text
        assert "Traceback" not in await page.content() and "disk on fire" not in text


async def test_an_officer_taken_out_of_the_admins_loses_the_console(rig: Rig) -> None:  # noqa: F811
    """An officer's /login link from a Telegram chat that is no longer in telegram.admin_ids
    (here: none are) opens nothing; a link made on the server still does."""
    from bot.app.access import issue_link

    token = await issue_link(rig.storage, actor="telegram:4242", role="officer", now=time.time())
    async with browser() as chrome:
        page = await (await chrome.new_context()).new_page()
        await page.goto(f"{rig.base}/admin/login?t={token}")
        await page.click("button[type=submit]")
        await page.wait_for_load_state()
        await page.goto(rig.base + "/admin/numbers")
        assert page.url == rig.base + "/admin/login"
        page = await login(await chrome.new_context(), await rig.link("officer"))
        await page.goto(rig.base + "/admin/numbers")
        assert page.url == rig.base + "/admin/numbers"
