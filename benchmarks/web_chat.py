"""The web chat under load: time per turn and turns per second, against a bare WebSocket echo.

    .venv/bin/python benchmarks/web_chat.py [--quick] [--users 1000] [--turns 10]

1,000 simulated web residents connect over WebSocket at once (aiohttp's client, in a process of
its own, as phones are) to the real web chat (``build_service`` with the web channel: the
shipped flows, a SQLite file on disk, the outbox delivery into the residents' mailboxes). Each
says hello, opens ``vneid_install`` as a poster's deep link would, then presses the first button
of each reply, one turn after another. A turn's time runs from sending the message until the
bot acknowledged it (committed) and its first reply arrived.

Two runs, as benchmarks/latency.py does for Telegram: residents who read each answer (2-6 s)
before the next tap (the p99 goal, 20 ms, applies here), and saturation, everyone sending the
moment they are answered (turns per second). The same residents then talk to a bare aiohttp
WebSocket server that answers every message with
an acknowledgement and one reply (no engine, no database): the web chat's turns per second are
compared with that (goal at least 0.5x), and its p99 per turn with 20 ms.

This prints figures next to the goals; it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bench import ROOT, machine, percentile

GOAL_P99_MS = 20.0
GOAL_RATIO = 0.5


class Resident:
    """One browser's worth of web chat: a token, a socket, the replies seen so far."""

    def __init__(self, session: Any, url: str) -> None:
        self.session = session
        self.url = url
        self.token = secrets.token_urlsafe(24)
        self.socket: Any = None
        self.replies: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.acks: asyncio.Queue[str] = asyncio.Queue()
        self.reader: asyncio.Task[None] | None = None
        self.numbers = 0

    async def connect(self) -> None:
        self.socket = await self.session.ws_connect(self.url, max_msg_size=1 << 20)
        await self.socket.send_json({"type": "hello", "resident": self.token, "since": 0})
        welcome = await self.socket.receive_json()
        assert welcome["type"] == "welcome", welcome
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        async for frame in self.socket:
            data = json.loads(frame.data)
            if data["type"] == "reply":
                await self.replies.put(data["message"])
            elif data["type"] == "ack":
                await self.acks.put(data["id"])
            else:
                raise RuntimeError(f"the bot refused a message: {data}")

    async def turn(self, message: dict[str, Any]) -> tuple[float, dict[str, Any]]:
        """Send one message; its time and the newest reply once it was answered."""
        self.numbers += 1
        message = {**message, "id": f"m{self.numbers}"}
        started = time.perf_counter()
        await self.socket.send_json(message)
        await self.acks.get()
        reply = await self.replies.get()
        took = time.perf_counter() - started
        while not self.replies.empty():  # a step's second message, a picture's caption...
            reply = self.replies.get_nowait()
        return took, reply

    async def close(self) -> None:
        await self.socket.close()
        if self.reader is not None:
            self.reader.cancel()


def next_message(reply: dict[str, Any], number: int) -> dict[str, Any]:
    """Press the reply's first button (a question typed otherwise), as a resident would."""
    buttons = [b for row in reply.get("buttons", []) for b in row if "payload" in b]
    if buttons and not reply.get("awaits_text"):
        return {"press": buttons[0]["payload"]}
    return {"text": "android" if number % 2 else "xong"}


async def walk(
    resident: Resident, turns: int, times: list[float], think: tuple[float, float] | None
) -> None:
    rng = random.Random(resident.token)
    if think:
        await asyncio.sleep(rng.uniform(0, think[1]))  # people do not all start at once
    took, reply = await resident.turn({"start": "vneid_install"})
    times.append(took)
    for number in range(1, turns):
        if think:
            await asyncio.sleep(rng.uniform(*think))  # reading the answer before tapping
        took, reply = await resident.turn(next_message(reply, number))
        times.append(took)


async def crowd(
    url: str, users: int, turns: int, think: tuple[float, float] | None = None
) -> tuple[float, list[float]]:
    """All residents at once; (seconds for all turns, every turn's time)."""
    from aiohttp import ClientSession, TCPConnector

    async with ClientSession(connector=TCPConnector(limit=0)) as session:
        residents = [Resident(session, url) for _ in range(users)]
        for batch in range(0, users, 100):  # connecting is not what is measured
            await asyncio.gather(*(r.connect() for r in residents[batch : batch + 100]))
        times: list[float] = []
        started = time.perf_counter()
        await asyncio.gather(*(walk(r, turns, times, think) for r in residents))
        elapsed = time.perf_counter() - started
        await asyncio.gather(*(r.close() for r in residents))
    return elapsed, times


async def crowd_elsewhere(
    url: str, users: int, turns: int, think: tuple[float, float] | None = None
) -> tuple[float, list[float]]:
    """:func:`crowd` in a process of its own: the residents' phones are not the bot's CPU."""
    command = [sys.executable, __file__, "--crowd", url, str(users), str(turns)]
    if think:
        command += [str(think[0]), str(think[1])]
    process = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE)
    out, _ = await process.communicate()
    if process.returncode:
        raise RuntimeError("the simulated residents failed")
    result = json.loads(out)
    return float(result["elapsed"]), [float(t) for t in result["times"]]


async def echo_server() -> tuple[Any, str]:
    """A bare aiohttp WebSocket server: an acknowledgement and one reply per message."""
    from aiohttp import web

    async def socket(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.receive_json()
        await ws.send_json({"type": "welcome", "epoch": "x", "lang": "vi"})
        seq = 0
        async for frame in ws:
            message = json.loads(frame.data)
            seq += 1
            reply = {"text": "Bước tiếp.", "buttons": [[{"label": "Tiếp", "payload": "c:x:0"}]]}
            await ws.send_json({"type": "ack", "id": message["id"]})
            await ws.send_json({"type": "reply", "seq": seq, "message": reply})
        return ws

    app = web.Application()
    app.router.add_get("/ws", socket)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}/ws"


async def web_chat(database: Path) -> tuple[Any, str]:
    """The real web chat, as ``trolyso web`` builds it, on a free port."""
    from bot.channels.hosting import build_service
    from bot.config import Settings, WebSettings

    settings = Settings(
        flows_dir=ROOT / "flows",
        locales_dir=ROOT / "locales",
        database=database,
        log_level="WARNING",
        # The limits on what residents send are lifted: each simulated resident sends as fast
        # as it is answered, and all of them come from 127.0.0.1.
        web=WebSettings(port=0, messages_per_second=1e9, address_requests_per_second=1e9),
    )
    service = await build_service(settings, channels=("web",), loops=False)
    await service.runner.start()
    return service, f"http://127.0.0.1:{service.web.server.port}/ws"


def describe(name: str, elapsed: float, times: list[float]) -> str:
    rate = len(times) / elapsed
    ms = [t * 1000 for t in times]
    return (
        f"{name:38} {rate:9,.0f} turns/s   p50 {percentile(ms, 0.5):6.1f} ms   "
        f"p95 {percentile(ms, 0.95):6.1f} ms   p99 {percentile(ms, 0.99):6.1f} ms"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000, help="residents at once")
    parser.add_argument("--turns", type=int, default=10, help="turns per resident")
    parser.add_argument("--quick", action="store_true", help="200 residents")
    args = parser.parse_args()
    users = 200 if args.quick else args.users
    print(f"machine: {machine()}")
    print(f"{users} web residents at once over WebSocket, {args.turns} turns each\n")
    with tempfile.TemporaryDirectory(prefix="trolyso-web-bench-") as folder:
        service, url = await web_chat(Path(folder) / "web.sqlite3")
        try:
            await crowd_elsewhere(url, min(users, 50), 3)  # warm-up: templates, caches
            paced_elapsed, paced = await crowd_elsewhere(url, users, args.turns, (2.0, 6.0))
            ours_elapsed, ours = await crowd_elsewhere(url, users, args.turns)
        finally:
            await service.close()
    runner, echo_url = await echo_server()
    try:
        echo_elapsed, echo = await crowd_elsewhere(echo_url, users, args.turns)
    finally:
        await runner.cleanup()
    print("residents reading each answer (2-6 s) before the next tap:")
    print(describe("  Trợ lý số web chat + SQLite", paced_elapsed, paced))
    print("saturation (the next message the moment the previous one is answered):")
    print(describe("  Trợ lý số web chat + SQLite", ours_elapsed, ours))
    print(describe("  bare aiohttp WebSocket echo", echo_elapsed, echo))
    ratio = (len(ours) / ours_elapsed) / (len(echo) / echo_elapsed)
    p99 = percentile([t * 1000 for t in paced], 0.99)
    print()
    verdict = "met" if ratio >= GOAL_RATIO else "NOT met"
    print(f"turns/s, web chat / echo = {ratio:.2f}   goal >= {GOAL_RATIO}  -> {verdict}")
    verdict = "met" if p99 <= GOAL_P99_MS else "NOT met"
    print(
        f"p99 per turn, residents reading: {p99:.1f} ms  goal <= {GOAL_P99_MS:.0f} ms  -> {verdict}"
    )


async def crowd_main(argv: list[str]) -> None:
    """``--crowd URL USERS TURNS [THINK_MIN THINK_MAX]``: run the residents, print JSON."""
    url, users, turns = argv[0], int(argv[1]), int(argv[2])
    think = (float(argv[3]), float(argv[4])) if len(argv) > 3 else None
    elapsed, times = await crowd(url, users, turns, think)
    print(json.dumps({"elapsed": elapsed, "times": times}))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--crowd":
        asyncio.run(crowd_main(sys.argv[2:]))
    else:
        asyncio.run(main())
