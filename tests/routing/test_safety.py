"""Safety first in routing: a link or a call about VNeID is a scam question before a how-to,
and a resident who asks for help reaches a person (issue 16)."""

from __future__ import annotations

import pytest

from bot.routing import Router


@pytest.mark.parametrize(
    "text",
    [
        "link cài vneid này có thật không",
        "tin nhắn yêu cầu cập nhật định danh mức 2 qua đường link",
        "có người nhắn zalo gửi link cài vneid mới",
        "nó gửi cho tôi cái link bảo bấm vào để cài dịch vụ công",
    ],
)
def test_a_link_or_call_about_vneid_opens_the_scam_guide_not_the_install_guide(
    router: Router, text: str
) -> None:
    route = router.route(text)
    assert (route.kind, route.flow_id) == ("flow", "scam"), route


@pytest.mark.parametrize(
    "text",
    ["không hiểu, ai giúp tôi với", "cho tôi gặp cán bộ xã", "khong hieu, ai giup toi voi"],
)
def test_asking_for_help_reaches_a_person_never_the_shop_guide(router: Router, text: str) -> None:
    route = router.route(text)
    assert (route.kind, route.flow_id) == ("flow", "talk_to_person"), route
    assert "shop_vietqr" not in {c.flow_id for c in route.candidates}


def test_a_word_cut_from_a_title_never_opens_a_guide_alone(router: Router) -> None:
    """ "nước" in "Trả tiền điện, nước, học phí" is also a country: "nước ngoài" is no bill."""
    route = router.route("gọi điện cho con ở nước ngoài thế nào")
    assert route.kind != "flow", route


def test_calling_the_police_is_not_the_police_calling(router: Router) -> None:
    """Word order says who did what: the scam guide does not open on reversed words."""
    route = router.route("tôi muốn gọi cho công an xã")
    assert (route.kind, route.flow_id) == ("flow", "talk_to_person"), route


def test_scam_words_far_apart_do_not_make_a_scam(router: Router) -> None:
    """ "bảo ... chuyển ... tiền" spread over a shopkeeper's sentence is not "bảo chuyển tiền"."""
    route = router.route("khach bao chuyen roi ma chua thay tien vao")
    assert route.candidates[0].flow_id == "shop_vietqr", route


@pytest.mark.parametrize(
    "text",
    ["không được", "ko dc", "bị lỗi", "khong thay nut", "lỗi rồi", "sao không được", "xong rồi"],
)
def test_trouble_typed_at_a_step_never_asks_to_leave_the_flow(router: Router, text: str) -> None:
    """In a flow only a "flow" decision offers to switch; these words belong to the step."""
    assert router.route(text).kind != "flow"
