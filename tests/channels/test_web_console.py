"""The web console at /admin, in Debian's Chromium: login links, roles, CSRF, the numbers (against
``trolyso report --format csv`` run as a process on the same database), a flow's diagram and the
simulator, and deactivating a volunteer.

The database is the reports' seeded commune (tests/reports/seed.py): two flows, three
volunteers, visits and runs, a person waiting for the commune police.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.app.access import issue_link
from bot.channels.hosting import build_service
from bot.config import TelegramSettings, WebSettings
from tests.channels.web_harness import browser
from tests.reports import seed as seeding

ROOT = Path(__file__).resolve().parents[2]
OFFICER = 9001
SHOTS = Path("/tmp/console-shots")
# The simulator is at this step (and not waiting for an answer).
AT = "s => document.getElementById('sim').dataset.step === s && !document.getElementById('sim').dataset.busy"
PAGES = (
    "/admin",
    "/admin/numbers",
    "/admin/numbers.csv",
    "/admin/flows",
    "/admin/flows/demo_install",
    "/admin/people",
    "/admin/police",
    "/admin/tickets",
    "/admin/log",
    "/admin/households",
    "/admin/anything",
)


class Rig:
    """The web chat with its console over the seeded commune, on a free port."""

    def __init__(self, service: Any, tmp: Path) -> None:
        self.service = service
        self.tmp = tmp

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.service.web.server.port}"

    @property
    def storage(self) -> Any:
        return self.service.app.storage

    async def link(self, role: str = "officer", volunteer_id: int | None = None) -> str:
        token = await issue_link(
            self.storage,
            actor=f"test-{role}",
            role=role,
            volunteer_id=volunteer_id,
            now=time.time(),
        )
        return f"{self.base}/admin/login?t={token}"


@asynccontextmanager
async def console_rig(tmp: Path, **web: Any) -> AsyncIterator[Rig]:
    """The seeded commune served with its console (``web`` settings beside port 0)."""
    seeding.write_flows(tmp / "flows")
    await seeding.seed(tmp / "seed.sqlite3")
    settings = seeding.settings(tmp).model_copy(
        update={
            "web": WebSettings(port=0, **web),
            "welcome_flow": "",
            # The commune's officer on Telegram (logs in with /login from that chat).
            "telegram": TelegramSettings(admin_ids=[OFFICER]),
        }
    )
    service = await build_service(settings, channels=("web",), loops=False)
    await service.runner.start()
    try:
        yield Rig(service, tmp)
    finally:
        await service.close()


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    async with console_rig(tmp_path) as started:
        yield started


async def login(context: Any, link: str) -> Any:
    page = await context.new_page()
    await page.goto(link)
    await page.click("button[type=submit]")
    await page.wait_for_selector("header.topbar nav")
    return page


async def test_every_admin_page_sends_a_stranger_to_the_login(rig: Rig) -> None:
    async with browser() as chrome:
        page = await chrome.new_page()
        for path in PAGES:
            await page.goto(rig.base + path)
            assert page.url == rig.base + "/admin/login", path
            assert "/login" in await page.inner_text("main")
        answer = await page.request.post(
            rig.base + "/admin/api/try", data={"flow": "demo_install", "action": "start"}
        )
        assert answer.status == 401


async def test_a_login_link_works_once(rig: Rig) -> None:
    link = await rig.link()
    async with browser() as chrome:
        first = await chrome.new_context()
        page = await login(first, link)
        assert page.url == rig.base + "/admin/numbers"
        cookie = next(c for c in await first.cookies() if c["name"] == "trolyso_console")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["expires"] > 0
        second = await (await chrome.new_context()).new_page()
        await second.goto(link)
        await second.click("button[type=submit]")
        assert "đã được dùng hoặc đã hết hạn" in await second.inner_text("main")
        await second.goto(rig.base + "/admin/numbers")
        assert second.url == rig.base + "/admin/login"
        # Logging out ends the session: the old cookie opens nothing.
        await page.click("form.logout button")
        await page.wait_for_url(rig.base + "/admin/login")
        await page.goto(rig.base + "/admin/numbers")
        assert page.url == rig.base + "/admin/login"
    actions = [(a.action, a.allowed) for a in await rig.storage.admin_actions()]
    assert ("console.login", True) in actions and ("console.login", False) in actions
    assert ("console.logout", True) in actions


def report_csv(rig: Rig) -> list[dict[str, str]]:
    """``trolyso report --format csv`` as a process, on the rig's database."""
    config = rig.tmp / "config.yaml"
    config.write_text(
        "database: seed.sqlite3\nflows_dir: flows\ncommune:\n  name: Xã Thử\ntargets:\n"
        "  Thôn Đông:\n    demo_install: 3\n  Thôn Tây:\n    demo_install: 2\n    demo_pay: 4\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(config), "report", "--format", "csv"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=True,
    )
    return list(csv.DictReader(io.StringIO(done.stdout)))


def without_time(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [r for r in rows if r["metric"] != "generated_at"]


async def test_an_officer_reads_the_numbers_tries_a_flow_and_deactivates(rig: Rig) -> None:
    expected = await asyncio.to_thread(report_csv, rig)
    SHOTS.mkdir(exist_ok=True)
    async with browser() as chrome:
        context = await chrome.new_context(viewport={"width": 1366, "height": 768})
        page = await login(context, await rig.link())
        refused: list[str] = []  # what the Content-Security-Policy blocked (nothing, below)
        page.on("console", lambda m: refused.append(m.text) if "Security Policy" in m.text else 0)
        await page.reload()
        # The numbers: the same figures as the CLI's report.
        text = await page.inner_text("#report")
        percent = next(
            r["value"]
            for r in expected
            if r["section"] == "commune"
            and r["flow_id"] == "demo_install"
            and r["metric"] == "percent"
        )
        assert percent == "80.00" and "80,00%" in text
        helped = [r for r in expected if r["section"] == "village" and r["metric"] == "helped"]
        for row in helped:
            assert row["village"] in text
        async with page.expect_download() as waiting:
            await page.click("#csv")
        download = await waiting.value
        got = Path(await download.path()).read_text(encoding="utf-8-sig")
        assert without_time(list(csv.DictReader(io.StringIO(got)))) == without_time(expected)
        await page.screenshot(path=str(SHOTS / "report-1366.png"), full_page=False)
        phone = await context.new_page()
        await phone.set_viewport_size({"width": 390, "height": 844})
        await phone.goto(rig.base + "/admin/numbers")
        await phone.screenshot(path=str(SHOTS / "report-390.png"))
        width = await phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, "the numbers page scrolls sideways on a phone"

        # A flow's diagram, drawn by the vendored Mermaid, and the simulator beside it.
        await page.goto(rig.base + "/admin/flows")
        assert "demo_install" in await page.inner_text("table.flows")
        await page.screenshot(path=str(SHOTS / "flows-1366.png"))
        await page.click("text=demo_install")
        await page.wait_for_selector("#diagram[data-drawn] svg", timeout=30_000)
        await page.click("#sim-start")
        await page.wait_for_function(AT, arg="phone")
        # Three steps: phone -> Android -> store -> "Xong" -> scan, each outlined in turn.
        for label, step in (("Android", "store"), ("Xong", "scan")):
            await page.locator("#sim-log .choices button", has_text=label).last.click()
            await page.wait_for_function(AT, arg=step)
        highlighted = await page.eval_on_selector_all(
            "#diagram g.node.current", "els => els.map(e => e.id)"
        )
        step = await page.get_attribute("#sim", "data-step")
        assert step and any(f"flowchart-{step}-" in h for h in highlighted), (step, highlighted)
        await page.screenshot(path=str(SHOTS / "simulator-1366.png"))
        assert refused == [], refused
        await phone.goto(page.url)
        await phone.wait_for_selector("#diagram[data-drawn] svg", timeout=30_000)
        await phone.click("#sim-start")
        await phone.wait_for_function(AT, arg="phone")
        await phone.locator("#sim").scroll_into_view_if_needed()
        await phone.screenshot(path=str(SHOTS / "simulator-390.png"))

        # People: deactivate a volunteer.
        before = {v.id: v.active for v in await rig.storage.volunteers()}
        target = next(i for i, active in before.items() if active)
        await page.goto(rig.base + "/admin/people")
        await page.click(f"button[data-deactivate='{target}']")
        await page.wait_for_selector("#notice")
        assert f"#{target}" in await page.inner_text("#notice")
        after = {v.id: v.active for v in await rig.storage.volunteers()}
        assert after[target] is False
        assert {i: a for i, a in after.items() if i != target} == {
            i: a for i, a in before.items() if i != target
        }
        await page.screenshot(path=str(SHOTS / "people-1366.png"))
        await page.goto(rig.base + "/admin/log")
        assert "console.deactivate" in await page.inner_text("table.log")
        await page.goto(rig.base + "/admin/people")
        # ...and give the access back.
        await page.click(f"button[data-activate='{target}']")
        await page.wait_for_selector(f"button[data-deactivate='{target}']")
        assert {v.id: v.active for v in await rig.storage.volunteers()} == before
    logged = [(a.action, a.allowed) for a in await rig.storage.admin_actions()]
    assert ("console.deactivate", True) in logged and ("console.activate", True) in logged


async def test_a_leader_reads_numbers_but_cannot_deactivate(rig: Rig) -> None:
    before = {v.id: v.active for v in await rig.storage.volunteers()}
    target = next(i for i, active in before.items() if active)
    async with browser() as chrome:
        page = await login(await chrome.new_context(), await rig.link("leader"))
        assert page.url == rig.base + "/admin/numbers"
        csrf = await page.get_attribute("body", "data-csrf")
        answer = await page.request.post(
            f"{rig.base}/admin/volunteers/{target}/deactivate",
            form={"csrf": csrf or ""},
            headers={"Origin": rig.base},
        )
        assert answer.status == 403
        await page.goto(rig.base + "/admin/people")
        assert "không được làm việc này" in await page.inner_text("main")
    assert {v.id: v.active for v in await rig.storage.volunteers()} == before
    assert ("console.forbidden", False) in [
        (a.action, a.allowed) for a in await rig.storage.admin_actions()
    ]


async def test_a_forged_post_without_the_csrf_token_is_refused(rig: Rig) -> None:
    before = {v.id: v.active for v in await rig.storage.volunteers()}
    target = next(i for i, active in before.items() if active)
    async with browser() as chrome:
        page = await login(await chrome.new_context(), await rig.link())
        for form in ({}, {"csrf": "not-the-token"}):
            answer = await page.request.post(
                f"{rig.base}/admin/volunteers/{target}/deactivate",
                form=form,
                headers={"Origin": rig.base},
            )
            assert answer.status == 403
        # The simulator's JSON endpoint wants the token in its header.
        answer = await page.request.post(
            rig.base + "/admin/api/try",
            data={"flow": "demo_install", "lang": "vi", "action": "start"},
            headers={"Origin": rig.base},
        )
        assert answer.status == 403
        # The right token from another site is refused too.
        csrf = await page.get_attribute("body", "data-csrf")
        answer = await page.request.post(
            f"{rig.base}/admin/volunteers/{target}/deactivate",
            form={"csrf": csrf or ""},
            headers={"Origin": "https://evil.example"},
        )
        assert answer.status == 403
    assert {v.id: v.active for v in await rig.storage.volunteers()} == before
    assert ("console.csrf", False) in [
        (a.action, a.allowed) for a in await rig.storage.admin_actions()
    ]


def test_login_link_from_the_command_line(tmp_path: Path) -> None:
    """``trolyso admin login-link`` prints a link whose token the console accepts once."""
    seeding.write_flows(tmp_path / "flows")
    asyncio.run(seeding.seed(tmp_path / "seed.sqlite3"))
    config = tmp_path / "config.yaml"
    config.write_text(
        "database: seed.sqlite3\nflows_dir: flows\nweb:\n  public_url: https://xa.example.vn\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "--config",
            str(config),
            "admin",
            "login-link",
            "--role",
            "leader",
            "--name",
            "Chủ tịch",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    link = done.stdout.strip().splitlines()[-1]
    assert link.startswith("https://xa.example.vn/admin/login?t=")
    token = link.split("t=", 1)[1]

    async def redeem() -> tuple[Any, Any]:
        from bot.app.access import redeem_link
        from bot.storage import open_storage

        storage = open_storage(tmp_path / "seed.sqlite3")
        await storage.open()
        try:
            first = await redeem_link(storage, token, now=time.time())
            second = await redeem_link(storage, token, now=time.time())
            return first, second
        finally:
            await storage.close()

    first, second = asyncio.run(redeem())
    assert first is not None and first.role == "leader" and second is None
