"""Hot reload against the running bot: good edits apply, broken edits change nothing, fixes apply."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from bot.app.reload import FlowReloader
from tests.channels.tg_harness import Resident, TelegramRig
from tests.cli_process import ChatProcess
from tests.harness import FIXTURE_FLOWS, make_settings
from tests.support.fake_bot_api import FakeBotAPI


def copy_flows(tmp_path: Path) -> Path:
    flows = tmp_path / "flows"
    shutil.copytree(FIXTURE_FLOWS, flows)
    return flows


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    # File systems with coarse timestamps: make sure the change is visible.
    later = time.time() + 2
    import os

    os.utime(path, (later, later))


async def test_edit_valid_then_broken_then_fixed_while_a_resident_is_mid_flow(
    fake_bot_api: FakeBotAPI, tmp_path: Path
) -> None:
    flows = copy_flows(tmp_path)
    rig = TelegramRig(fake_bot_api, "aiogram", "polling", tmp_path / "db.sqlite3", flows=flows,
                      extra={"admin_chat_ids": [9001]})
    await rig.start()
    try:
        reloader = FlowReloader(make_settings(flows, welcome_flow=""), rig.assistant, rig.storage,
                                on_problems=rig.notices.tell_admins)
        an = Resident(rig, 611)
        await an.send("/start other")
        assert an.texts == ["Bước một."]
        other = flows / "other.yaml"

        # 1. A valid edit applies at once, and the resident carries on from where they were.
        edit(other, "say: { vi: Bước hai., en: Step two. }", "say: { vi: Bước hai (mới)., en: Step two (new). }")
        edit(other, "version: 1", "version: 2")
        result = await reloader.check()
        assert result is not None and result.applied and result.changed == ("other",)
        await an.press("Tiếp")
        assert an.texts == ["Bước hai (mới)."]

        # 2. A broken edit is refused whole: residents see no change, admins are told where.
        edit(other, "say: { vi: Hết., en: The end. }", "say: { vi: Hết., en: The end. }\n    go: nowhere")
        result = await reloader.check()
        assert result is not None and not result.applied
        await rig.bot.delivery.drain()
        [alert] = fake_bot_api.sent_texts(9001)
        assert ("chưa được áp dụng" in alert and "other.yaml:" in alert and "nowhere" not in alert) or "go" in alert
        assert await reloader.check() is None  # nothing changed since: not reported twice
        await an.press("Xong")
        assert an.texts == ["Hết."]

        # 3. The fix takes effect without a restart.
        edit(other, "say: { vi: Hết., en: The end. }\n    go: nowhere", "say: { vi: Hết rồi!, en: All done! }")
        edit(other, "version: 2", "version: 3")
        result = await reloader.check()
        assert result is not None and result.applied
        await an.send("/start other")
        await an.press("Tiếp")
        await an.press("Xong")
        assert an.texts == ["Hết rồi!"]

        versions = [(v.flow_id, v.version) for v in await rig.storage.flow_versions() if v.flow_id == "other"]
        # The version the bot started with (as `trolyso run` records it), then each reload's.
        assert versions == [("other", 1), ("other", 2), ("other", 3)]
        runs = await rig.storage.runs()
        assert [(r.run.flow_id, r.run.flow_version, r.run.outcome) for r in runs] == [
            ("other", 2, "completed"),
            ("other", 3, "completed"),
        ]
    finally:
        await rig.stop()


async def test_a_removed_step_offers_the_nearest_step_or_a_fresh_start(fake_bot_api: FakeBotAPI, tmp_path: Path) -> None:
    flows = copy_flows(tmp_path)
    rig = TelegramRig(fake_bot_api, "ptb", "webhook", tmp_path / "db.sqlite3", flows=flows)
    await rig.start()
    try:
        reloader = FlowReloader(make_settings(flows, welcome_flow=""), rig.assistant, rig.storage)
        ba = Resident(rig, 612)
        await ba.send("/start other")
        await ba.press("Tiếp")  # now at "second"
        other = flows / "other.yaml"
        text = other.read_text(encoding="utf-8")
        start = text.index("  second:")
        end = text.index("  finish:")
        other.write_text(text[:start] + text[end:].replace("version: 1", "version: 2"), encoding="utf-8")
        edit(other, "        go: second", "        go: finish")
        edit(other, "version: 1", "version: 2")
        result = await reloader.check()
        assert result is not None and result.applied
        await ba.send("hello")
        assert "vừa được cập nhật" in ba.text
        await ba.press("🔄 Bắt đầu lại")
        assert ba.text == "Bước một."
        runs = await rig.storage.runs()
        assert [(r.run.outcome, r.run.path[-1]) for r in runs] == [("abandoned", "second")]
    finally:
        await rig.stop()


def test_terminal_chat_picks_up_an_edit_at_the_next_message(tmp_path: Path) -> None:
    flows = copy_flows(tmp_path)
    chat = ChatProcess("--flows", str(flows), "--db", str(tmp_path / "db.sqlite3"), "--user", "an")
    try:
        chat.read_until("Việc khác")
        chat.send("/start other")
        chat.read_until("Mình nên gọi bạn là gì?")  # the draft folder's welcome flow
        chat.send("Bạn")
        chat.read_until("Bước một.")
        edit(flows / "other.yaml", "Bước hai.", "Bước hai - đã sửa.")
        chat.send("Tiếp")
        chat.read_until("Bước hai - đã sửa.")
        edit(flows / "other.yaml", "go: finish", "go: nowhere")
        chat.send("Xong")
        chat.read_until("Hết.")  # the broken edit was refused; the chat goes on
        code, _output, err = chat.finish()
        assert code == 0
        assert "chưa được áp dụng" in err and "nowhere" in err
    finally:
        if chat.proc.poll() is None:
            chat.kill()
