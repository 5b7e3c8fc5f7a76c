"""The web chat's HTTP side without a browser: what a forged or hostile request gets."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

import pytest
from aiohttp import ClientSession, WSMsgType

from tests.channels.web_harness import web_rig
from tests.support.fake_bot_api import FakeBotAPI


def token() -> str:
    return secrets.token_urlsafe(24)


def headers(resident: str, origin: str) -> dict[str, str]:
    return {"X-Resident": resident, "Origin": origin, "Content-Type": "application/json"}


async def test_a_message_is_handled_once_however_often_it_is_sent(tmp_path: Path) -> None:
    async with web_rig(tmp_path / "web.sqlite3") as rig, ClientSession() as http:
        me = token()
        origin = rig.url.rstrip("/")
        for _ in range(3):  # the page was not sure the first one arrived
            async with http.post(
                rig.url + "api/send",
                json={"id": "m1", "start": "other"},
                headers=headers(me, origin),
            ) as response:
                assert (await response.json())["type"] == "ack"
        async with http.get(
            rig.url + "api/poll?since=0&epoch=", headers={"X-Resident": me}
        ) as response:
            replies = (await response.json())["replies"]
        assert [r["message"]["text"] for r in replies] == ["Bước một."]
        assert replies[0]["seq"] == 1


async def test_hostile_requests_are_refused_without_a_turn(tmp_path: Path) -> None:
    async with web_rig(tmp_path / "web.sqlite3") as rig, ClientSession() as http:
        me = token()
        origin = rig.url.rstrip("/")
        send = rig.url + "api/send"
        # Another site cannot make a browser send a message (no cookie is involved either).
        async with http.post(
            send, json={"id": "x1", "text": "hi"}, headers=headers(me, "https://evil.example")
        ) as response:
            assert response.status == 403
        # A guessable or missing resident id is refused.
        async with http.post(
            send, json={"id": "x2", "text": "hi"}, headers=headers("bob", origin)
        ) as response:
            assert response.status == 400
        # A forged button and an oversized text: a kind refusal, no turn.
        async with http.post(
            send, json={"id": "x3", "press": "c:" + "é" * 10}, headers=headers(me, origin)
        ) as response:
            assert (await response.json()) == {"type": "refused", "id": "x3", "code": "bad_button"}
        async with http.post(
            send, json={"id": "x4", "text": "a" * 1001}, headers=headers(me, origin)
        ) as response:
            assert (await response.json())["code"] == "too_long"
        async with http.post(
            send, data=b"x" * 20_000, headers=headers(me, origin)
        ) as response:
            assert response.status == 413
        assert not await rig.storage.runs()
        async with http.get(rig.url + "api/poll?since=0", headers={"X-Resident": me}) as r:
            assert r.status == 200


async def test_a_resident_writing_too_fast_is_asked_to_wait(tmp_path: Path) -> None:
    async with web_rig(tmp_path / "web.sqlite3") as rig, ClientSession() as http:
        me = token()
        origin = rig.url.rstrip("/")
        answers = []
        for number in range(12):
            async with http.post(
                rig.url + "api/send",
                json={"id": f"n{number}", "text": "xin chào"},
                headers=headers(me, origin),
            ) as response:
                answers.append((await response.json())["type"])
        assert answers[:5] == ["ack"] * 5
        assert "retry" in answers[5:]


async def test_websocket_hello_then_replies_in_order(tmp_path: Path) -> None:
    async with web_rig(tmp_path / "web.sqlite3") as rig, ClientSession() as http:
        me = token()
        async with http.ws_connect(rig.url + "ws") as socket:
            await socket.send_json({"type": "hello", "resident": me, "since": 0, "epoch": ""})
            welcome = await socket.receive_json()
            assert welcome["type"] == "welcome" and welcome["lang"] == "vi"
            await socket.send_json({"id": "w1", "start": "other"})
            seen: list[dict] = []  # type: ignore[type-arg]
            while len(seen) < 2:
                frame = await socket.receive(timeout=10)
                assert frame.type == WSMsgType.TEXT
                seen.append(frame.json())
            kinds = sorted(item["type"] for item in seen)
            assert kinds == ["ack", "reply"]
            reply = next(item for item in seen if item["type"] == "reply")
            assert reply["message"]["text"] == "Bước một." and reply["seq"] == 1
        # A second connection that has seen reply 1 gets nothing again.
        async with http.ws_connect(rig.url + "ws") as socket:
            await socket.send_json(
                {"type": "hello", "resident": me, "since": 1, "epoch": welcome["epoch"]}
            )
            assert (await socket.receive_json())["type"] == "welcome"
            with pytest.raises(TimeoutError):
                await socket.receive(timeout=0.5)


async def test_nothing_personal_in_the_log(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with web_rig(tmp_path / "web.sqlite3") as rig, ClientSession() as http:
        me = token()
        origin = rig.url.rstrip("/")
        async with http.post(
            rig.url + "api/send",
            json={"id": "p1", "text": "số của tôi 0912345678, tên Nguyễn Văn A"},
            headers=headers(me, origin),
        ) as response:
            assert response.status == 200
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "0912345678" not in logged and "Nguyễn Văn A" not in logged and me not in logged


async def test_trolyso_run_serves_the_web_chat_beside_telegram(
    fake_bot_api: FakeBotAPI, tmp_path: Path
) -> None:
    from bot.config import WebSettings
    from tests.channels.tg_harness import Resident, TelegramRig

    rig = TelegramRig(
        fake_bot_api, "aiogram", "polling", tmp_path / "db.sqlite3",
        config={"web": WebSettings(port=0)},
    )
    await rig.start()
    try:
        assert [c.name for c in rig.service.channels] == ["telegram", "web"]
        an = Resident(rig, 4343)
        await an.send("/start other")
        assert an.texts == ["Bước một."]
        url = f"http://127.0.0.1:{rig.service.web.server.port}/"
        async with ClientSession() as http:
            me = token()
            async with http.post(
                url + "api/send",
                json={"id": "b1", "start": "other"},
                headers=headers(me, url.rstrip("/")),
            ) as response:
                assert (await response.json())["type"] == "ack"
            async with http.get(url + "api/poll?since=0", headers={"X-Resident": me}) as r:
                assert [x["message"]["text"] for x in (await r.json())["replies"]] == ["Bước một."]
        # One process, one database: both residents are at the guide's first step.
        from bot.channels.web.protocol import resident_of
        from bot.core.types import SessionKey

        for key in (an.key, SessionKey("web", resident_of(me))):
            session = await rig.storage.load(key)
            assert session is not None and session.frame is not None
            assert session.frame.step == "first"
    finally:
        await rig.stop()


async def test_the_first_load_is_small_and_needs_nothing_from_elsewhere(tmp_path: Path) -> None:
    import re

    async with web_rig(tmp_path / "web.sqlite3") as rig, ClientSession(
        auto_decompress=False
    ) as http:
        total = 0
        gzip = {"Accept-Encoding": "gzip"}
        async with http.get(rig.url, headers=gzip) as response:
            page = await response.read()
            assert response.headers.get("Content-Encoding") == "gzip"
            total += len(page)
        async with ClientSession() as plain, plain.get(rig.url) as response:
            html = await response.text()
        # Everything the page loads is the bot's own: no http(s) address in it at all.
        assert not re.search(r"(src|href)=\"https?://", html)
        for asset in re.findall(r"(?:src|href)=\"(/static/[^\"]+)\"", html):
            async with http.get(rig.url.rstrip("/") + asset, headers=gzip) as response:
                assert response.status == 200
                total += len(await response.read())
        assert total < 60_000, total
