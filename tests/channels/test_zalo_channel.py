"""The Zalo OA channel's rules: signed events only, each handled once, tokens renewed once
across processes, the interaction window, residents who unfollowed, Zalo's errors."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.channels.hosting import build_service
from bot.config import ZaloSettings, load_settings
from bot.core.errors import ConfigError
from bot.core.messages import describe
from bot.core.types import SessionKey
from tests.channels.zalo_fake import APP_SECRET, FIRST_REFRESH, OA_SECRET, FakeZaloOA
from tests.channels.zalo_rig import Resident, ZaloRig, zalo_rig
from tests.harness import FIXTURE_FLOWS, Clock, make_settings


@pytest.fixture
async def rig(oa: FakeZaloOA, zalo_clock: Clock, tmp_path: Path) -> AsyncIterator[ZaloRig]:
    async with zalo_rig(oa, tmp_path / "zalo.sqlite3", zalo_clock, window_hours=12) as rig:
        yield rig


async def test_forged_unsigned_and_stale_events_are_refused_and_change_nothing(
    rig: ZaloRig, oa: FakeZaloOA, zalo_clock: Clock
) -> None:
    event = oa.text_event("111", "/start demo", "m-forged")
    assert await oa.event(rig.url, event, signature=None) == 401
    assert await oa.event(rig.url, event, secret="not-the-oa-secret") == 403
    assert await oa.event(rig.url, event, signature="mac=" + "0" * 64) == 403
    stale = oa.text_event("111", "/start demo", "m-stale")
    # Signed correctly, but later than Zalo's last retry (about 2 hours after): a replay.
    zalo_clock.advance(3 * 3600 + 1)
    assert await oa.event(rig.url, stale) == 403
    await rig.settle()
    assert oa.sent == [] and oa.renewals == 0
    assert await rig.storage.load(SessionKey("zalo", "111")) is None
    assert await rig.storage.is_processed("zalo:m-forged") is False
    assert rig.service.zalo.webhook.refused == 4


async def test_a_redelivered_event_is_handled_once(
    rig: ZaloRig, oa: FakeZaloOA, zalo_clock: Clock
) -> None:
    an = Resident(rig, "222")
    event = oa.text_event(an.user_id, "/start demo", "m-once")
    assert await an.post(event) == 200
    first = len(oa.sent)
    assert first >= 1
    assert await an.post(event) == 200  # Zalo did not get the answer: it sends the event again
    assert len(oa.sent) == first
    zalo_clock.advance(3600)  # Zalo's last retry, an hour later, with the first signature
    assert await an.post(event) == 200
    assert len(oa.sent) == first
    assert len(await rig.storage.runs()) == 0 and await rig.storage.is_processed("zalo:m-once")


async def test_a_follow_up_outside_the_window_is_not_sent(
    rig: ZaloRig, oa: FakeZaloOA, zalo_clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    an = Resident(rig, "333")
    await an.send("/start waiting")
    assert "Đã gửi hồ sơ" in an.texts[0]
    before = len(oa.sent)
    zalo_clock.advance(25 * 3600)  # the reminder falls due a day later: the 12-hour window is shut
    caplog.set_level(logging.INFO)
    rig.service.scheduler.is_quiet = lambda at: False  # type: ignore[method-assign]
    tick = await rig.service.scheduler.tick()
    await rig.settle()
    assert tick.fired == 1 and len(oa.sent) == before
    assert rig.service.zalo.window.skipped == 1
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "not sent" in logged and "phê duyệt" not in logged  # counted, never its words
    assert await rig.storage.pending_outbox(an.key) == []  # not left to go out later either

    await an.send("Chưa")  # they write again: the window opens, and they are answered
    assert an.texts


async def test_a_resident_who_unfollowed_is_not_written_to(
    rig: ZaloRig, oa: FakeZaloOA, zalo_clock: Clock
) -> None:
    an = Resident(rig, "444")
    await an.send("/start waiting")
    assert await an.post(oa.follow_event(an.user_id, "unfollow")) == 200
    assert not await rig.storage.is_reachable(an.key)
    assert await rig.storage.pending_followups(an.key) == []  # no reminder for them
    # A reply that was waiting is dropped, not sent.
    before = len(oa.sent)
    await rig.service.zalo.delivery.flush(an.key)
    assert len(oa.sent) == before


async def test_zalo_saying_not_followed_marks_the_resident_unreachable(
    rig: ZaloRig, oa: FakeZaloOA
) -> None:
    an = Resident(rig, "555")
    oa.unfollowed.add(an.user_id)  # unfollowed while the webhook was down: Zalo says -213
    await an.send("/start demo")
    assert an.replies() == []
    assert not await rig.storage.is_reachable(an.key)
    oa.unfollowed.discard(an.user_id)
    assert await an.post(oa.follow_event(an.user_id)) == 200  # back: reachable again
    assert await rig.storage.is_reachable(an.key) and an.texts


async def test_server_errors_and_rate_limits_are_retried(
    oa: FakeZaloOA, zalo_clock: Clock, tmp_path: Path
) -> None:
    async with zalo_rig(
        oa, tmp_path / "z.sqlite3", zalo_clock, rate_limit_wait_seconds=0.01
    ) as rig:
        rig.service.zalo.delivery.backoff = 0.01
        oa.fail_next(502)
        oa.fail_next(200, {"error": -32, "message": "Exceeded rate limit"})
        oa.fail_next(429)
        an = Resident(rig, "666")
        await an.send("/start demo")
        assert an.texts == ["Bạn dùng điện thoại gì?"] and oa.failures == []


async def test_a_long_vietnamese_text_is_cut_within_the_limit() -> None:
    from bot.channels.zalo.render import cut_text

    text = ("Bà con nhớ mang căn cước công dân 🪪 khi ra xã. " * 100).strip()
    parts = cut_text(text, 2000)
    assert len(parts) == 3 and all(len(p) <= 2000 for p in parts)
    assert " ".join(parts) == text  # cut at spaces: no word, letter or emoji in two


async def test_vietnamese_typed_with_separate_accents_counts_as_zalo_counts_it() -> None:
    import unicodedata

    from bot.channels.zalo.render import render_message
    from bot.core.types import Button, OutgoingMessage

    text = "Bệnh viện huyện " * 120  # 1,920 letters composed; more with separate accents
    decomposed = unicodedata.normalize("NFD", text)
    assert len(decomposed) > 2000 and decomposed != text
    label = unicodedata.normalize("NFD", "Bệnh viện")
    message = OutgoingMessage(text=decomposed, buttons=((Button(label=label, payload="x"),),))
    [request] = render_message("1", message, ZaloSettings())  # one message, not two
    assert request.message["text"] == text
    assert request.message["attachment"]["payload"]["buttons"][0]["title"] == "Bệnh viện"


async def test_a_token_due_mid_burst_is_renewed_once_by_two_bots_on_one_database(
    oa: FakeZaloOA, zalo_clock: Clock, tmp_path: Path
) -> None:
    oa.lifetime = 4000.0  # renewed an hour before it expires: due 400 s from now
    db = tmp_path / "shared.sqlite3"
    async with zalo_rig(oa, db, zalo_clock) as one, zalo_rig(oa, db, zalo_clock) as two:
        people = [Resident(rig, f"{n}{i}") for n, rig in ((7, one), (8, two)) for i in range(4)]
        await asyncio.gather(*(p.send("/start") for p in people))
        assert oa.renewals == 1
        zalo_clock.advance(500)  # both processes find the token due at once
        await asyncio.gather(*(p.press("Việc khác") for p in people))
        assert oa.renewals == 2 and oa.refused_refresh == 0
        oa.expire_all()  # and Zalo ends it early, mid-burst
        await asyncio.gather(*(p.press("Tiếp") for p in people))
        assert oa.renewals == 3 and oa.refused_refresh == 0
        assert all(p.texts for p in people)
        tokens = {s.token for s in oa.sent}
        assert tokens == {"access-1", "access-2", "access-3"}


async def test_no_secret_or_token_is_logged(
    oa: FakeZaloOA, zalo_clock: Clock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with zalo_rig(oa, tmp_path / "z.sqlite3", zalo_clock) as rig:
        await Resident(rig, "999").send("/start demo")
        logging.getLogger("test").warning("leak? %s %s", FIRST_REFRESH, "access-1")
    text = caplog.text
    for secret in (APP_SECRET, OA_SECRET, "access-1", "refresh-1"):
        assert secret not in text


async def test_a_refused_refresh_token_tells_the_admin_what_to_do_and_nothing_is_lost(
    oa: FakeZaloOA, zalo_clock: Clock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with zalo_rig(oa, tmp_path / "z.sqlite3", zalo_clock, refresh_token="used-up") as rig:
        rig.service.zalo.delivery.backoff = 0.01
        an = Resident(rig, "1010")
        assert await an.send("/start demo") == 200  # committed: Zalo gets its answer
        assert an.replies() == [] and oa.refused_refresh >= 1
        errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
        assert len(errors) == 1 and "TROLYSO_ZALO_REFRESH_TOKEN" in errors[0]
        assert "Zalo không cho gia hạn" in errors[0] and "used-up" not in caplog.text
        assert await rig.storage.pending_outbox(an.key)  # the replies wait for a new token


async def test_an_oa_without_its_secrets_says_which_variables_to_set(tmp_path: Path) -> None:
    settings = make_settings(
        FIXTURE_FLOWS, database=tmp_path / "x.sqlite3", zalo=ZaloSettings(app_id="36")
    )
    with pytest.raises(ConfigError) as caught:
        await build_service(settings, channels=("zalo",), loops=False)
    error = caught.value
    assert error.code == "config.zalo_incomplete"
    said = describe(error.code, error.params, "vi")
    assert "TROLYSO_ZALO_APP_SECRET, TROLYSO_ZALO_OA_SECRET" in said and "Run on Zalo" in said


def test_the_secrets_come_from_the_environment_and_are_never_shown(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("zalo:\n  app_id: '36'\n  window_hours: 24\n", encoding="utf-8")
    env = {"TROLYSO_ZALO_APP_SECRET": "s3cret-app", "TROLYSO_ZALO_REFRESH_TOKEN": "r3fresh"}
    zalo = load_settings(config, env=env).zalo
    assert zalo is not None and (zalo.app_secret, zalo.refresh_token) == ("s3cret-app", "r3fresh")
    assert zalo.window_hours == 24 and "s3cret" not in repr(zalo) and "r3fresh" not in repr(zalo)
    assert load_settings(tmp_path / "config.yaml", env={}).zalo is not None


def test_the_signature_with_the_oa_id_first_is_a_setting_away() -> None:
    import hashlib
    import json
    import time

    from bot.channels.zalo.events import check_signature
    from tests.channels.zalo_fake import APP_ID, OA_ID

    now = time.time()
    body = json.dumps({"event_name": "user_send_text", "timestamp": str(int(now * 1000))}).encode()
    stamp = str(int(now * 1000)).encode()

    def mac(first: str) -> str:
        return "mac=" + hashlib.sha256(first.encode() + body + stamp + OA_SECRET.encode()).hexdigest()

    documented = ZaloSettings(app_id=APP_ID, oa_id=OA_ID, oa_secret_key=OA_SECRET)
    community = documented.model_copy(update={"signature": "sha256_oa_id"})
    assert check_signature(documented, body, mac(APP_ID), now=now)[0] is not None
    assert check_signature(documented, body, mac(OA_ID), now=now)[1] == "wrong signature"
    assert check_signature(community, body, mac(OA_ID), now=now)[0] is not None
    assert check_signature(community, body, mac(APP_ID), now=now)[1] == "wrong signature"
