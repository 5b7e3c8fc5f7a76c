"""Regression: a turn computed again after a clash with another process ran the staff desk twice
(issue 18), so what the desk wrote in the first attempt (a household member added, an outcome
recorded) was written twice. On PostgreSQL a turn is one transaction with the desk's writes: the
clash undoes them with the rest, and the second attempt writes them once."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.core.session import Session
from bot.storage.base import TurnRecord
from bot.storage.postgres import PostgresStorage
from tests.channels.test_province_processes import _as_url
from tests.channels.tg_harness import TelegramRig
from tests.staff.test_people import open_visit
from tests.staff.test_volunteers import ADMIN, join
from tests.storage.postgres_server import postgres_database, postgres_url
from tests.support.fake_bot_api import FakeBotAPI

__all__ = ["postgres_database", "postgres_url"]  # fixtures


@pytest.fixture
async def rig(fake_bot_api: FakeBotAPI, postgres_url: str) -> AsyncIterator[TelegramRig]:
    rig = TelegramRig(
        fake_bot_api,
        "aiogram",
        "webhook",
        _as_url(postgres_url),  # type: ignore[arg-type]
        extra={"admin_ids": [ADMIN]},
    )
    await rig.start()
    yield rig
    await rig.stop()


async def test_a_desk_turn_computed_again_after_a_clash_writes_once(
    rig: TelegramRig, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = PostgresStorage(_as_url(postgres_url))  # another bot process on the same database
    await other.open()
    save = rig.storage.save
    clashes: list[str] = []

    async def clashing(turn: TurnRecord) -> list[int]:
        if turn.companion is not None and not clashes:
            # Just before this turn is saved, the other process saves the household member.
            member = turn.companion.key
            clashes.append(member.user_id)
            read = await other.read(member)
            session = read.session or Session()
            await other.save(TurnRecord(key=member, session=session, revision=read.revision))
        return await save(turn)

    try:
        lan = await join(rig, 931)
        await open_visit(lan, "Hộ 21")
        await lan.press("Việc khác")
        await lan.press("Tiếp")
        await lan.press("Xong")  # the guide ends: its outcome is asked
        await lan.press("✅ Đã xong")
        monkeypatch.setattr(rig.storage, "save", clashing)
        await lan.press("Bỏ qua")  # no note: the outcome is recorded
        assert clashes, "no turn saved a household member's session"
        outcomes = await rig.storage.person_outcomes(None, None)
        assert [o.outcome for o in outcomes] == ["done"], outcomes  # once, though computed twice
        runs = [r for r in await rig.storage.runs() if r.run.flow_id == "other"]
        assert len(runs) == 1
    finally:
        await other.close()
