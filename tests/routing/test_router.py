"""The router's decisions: priority, small talk, odd input."""

from __future__ import annotations

import time

import pytest

from bot.flows.compiled import CompiledFlow
from bot.routing import HIGH, MEDIUM, Router, SmallTalk


@pytest.mark.parametrize(
    "text",
    [
        "co nguoi goi xung cong an bao cai app vneid",
        "Có người gọi xưng công an bảo cài app VNeID",
        "cong an goi bao len muc 2 qua dien thoai",
        "họ gửi link cài vneid mới",
        "nguoi la hoi ma otp de kich hoat vneid",
        "they asked me to pay a fee to update my address on vneid",
        "ho bat chuyen tien de thanh toan tien dien",
    ],
)
def test_scam_words_win_whatever_else_the_message_mentions(router: Router, text: str) -> None:
    route = router.route(text)
    assert route.kind == "flow", route
    assert route.flow_id == "scam"


def test_priority_is_generic_not_about_scams(
    shipped_flows: dict[str, CompiledFlow], smalltalk: SmallTalk
) -> None:
    flows = dict(shipped_flows)
    install = flows["vneid_install"]
    flows["vneid_install"] = CompiledFlow(
        flow=install.flow.model_copy(update={"priority": 99}), path=install.path, digest="x"
    )
    route = Router.from_flows(flows.values(), smalltalk).route(
        "co nguoi goi xung cong an bao cai app vneid"
    )
    assert route.candidates[0].flow_id == "vneid_install"


def test_otp_that_does_not_arrive_is_not_a_scam(router: Router) -> None:
    for text in ("khong nhan duoc ma otp", "otp ko ve", "quen mat khau vneid"):
        route = router.route(text)
        assert (route.kind, route.flow_id) == ("flow", "vneid_activate"), (text, route)


def test_accents_tell_words_apart_when_typed(router: Router) -> None:
    assert router.route("giá lúa hôm nay").kind == "menu"  # rice, not "lừa" (to cheat)
    assert router.route("bị lừa rồi").flow_id == "scam"
    assert router.route("bi lua roi").flow_id == "scam"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("xin chào", "greeting"),
        ("chao ban", "greeting"),
        ("alo", "greeting"),
        ("hello", "greeting"),
        ("hi", "greeting"),
        ("chào bác ạ", "greeting"),
        ("cam on", "thanks"),
        ("cảm ơn nhiều", "thanks"),
        ("thanks", "thanks"),
        ("thank you", "thanks"),
        ("ok cam on", "thanks"),
        ("tks", "thanks"),
    ],
)
def test_greetings_and_thanks_are_answered_not_routed(router: Router, text: str, kind: str) -> None:
    route = router.route(text)
    assert route.kind == kind
    assert route.confidence == 1.0


@pytest.mark.parametrize(
    ("text", "flow"),
    [
        ("chao em, cai vneid the nao", "vneid_install"),
        ("hello, how do I check my health insurance", "bhyt_check"),
        ("cảm ơn, giờ chỉ cách trả tiền điện", "pay_bill"),
    ],
)
def test_a_greeting_that_also_asks_opens_the_guide(router: Router, text: str, flow: str) -> None:
    assert router.route(text).flow_id == flow


def test_mixed_vietnamese_and_english(router: Router) -> None:
    assert router.route("cach install vneid tren dt").flow_id == "vneid_install"
    assert router.route("check bhyt con han ko").flow_id == "bhyt_check"


def test_typos_are_forgiven(router: Router) -> None:
    assert router.route("cai vnied").flow_id == "vneid_install"
    assert router.route("kich hoat tai khaon").flow_id == "vneid_activate"


def test_a_hidden_flow_is_never_routed_to(router: Router) -> None:
    for text in ("xưng hô", "doi cach xung ho", "welcome"):
        assert all(c.flow_id != "welcome" for c in router.route(text).candidates)


def test_choose_offers_two_or_three_flows_best_first(router: Router) -> None:
    route = router.route("muc 2 khac muc 1 the nao")
    assert route.kind == "choose"
    assert 2 <= len(route.offer) <= 3
    assert {c.flow_id for c in route.offer} >= {"vneid_install", "vneid_level2"}
    assert [c.score for c in route.offer] == sorted((c.score for c in route.offer), reverse=True)


def test_off_topic_shows_the_menu(router: Router) -> None:
    for text in ("thời tiết hôm nay", "giá vàng", "bán xe máy"):
        route = router.route(text)
        assert route.kind == "menu", (text, route)
        assert route.flow_id is None and route.offer == ()


def test_scores_and_confidence_are_in_range(router: Router) -> None:
    route = router.route("cai vneid")
    assert route.kind == "flow" and route.candidates[0].score >= HIGH
    assert all(0 <= c.score <= 100 for c in route.candidates)
    assert 0.0 <= route.confidence <= 1.0
    assert MEDIUM < HIGH


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "😀",
        "👍👍👍",
        "...",
        "\n\t",
        "\x00",
        "ạ",
        "{{ 7*7 }}",
        "a" * 10_000,
        "cai vneid " * 1_000,
        "🙏" * 10_000,
        "đ" * 10_000,
        "x y z " * 3_000,
        "\u0300" * 500,
    ],
)
def test_odd_input_never_crashes_and_stays_fast(router: Router, text: str) -> None:
    start = time.perf_counter()
    route = router.route(text)
    assert time.perf_counter() - start < 0.05
    assert route.kind in ("flow", "choose", "menu", "greeting", "thanks")


def test_empty_and_emoji_only_show_the_menu(router: Router) -> None:
    for text in ("", "😀", "!!!"):
        route = router.route(text)
        assert (route.kind, route.candidates, route.confidence) == ("menu", (), 0.0)
