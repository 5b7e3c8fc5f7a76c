"""The words and number formats of reports, in Vietnamese and English.

Vietnamese reports write numbers as Vietnamese documents do — ``57.057`` and ``90,29%`` — and
English ones as ``57,057`` and ``90.29%``. CSV files always use plain machine numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

__all__ = [
    "day",
    "duration",
    "flow_title",
    "integer",
    "percent_text",
    "period_text",
    "run_outcome",
    "village_name",
    "visit_outcome",
    "word",
]

_WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "report": "Báo cáo Trợ lý số",
        "period": "Thời gian",
        "village_filter": "Thôn",
        "generated": "Lập lúc",
        "from": "từ {day}",
        "to": "đến {day}",
        "all_time": "toàn bộ thời gian",
        "unknown_village": "(không rõ thôn)",
        "commune_total": "Toàn xã",
        "progress": "Người dân được hỗ trợ so với chỉ tiêu",
        "progress_note": (
            'Tại nhà = số người (tài khoản) được tình nguyện viên ghi "đã xong", ở từng ấy hộ; '
            "tự làm = người dân tự làm xong (quét mã QR của tình nguyện viên, hoặc tự dùng: không "
            "rõ thôn). Đã giúp = tại nhà + tự làm; mỗi người chỉ tính một lần cho mỗi dịch vụ. "
            "Toàn xã: tỉ lệ chỉ tính các thôn có chỉ tiêu cho dịch vụ đó."
        ),
        "flows": "Các luồng hướng dẫn",
        "flows_note": (
            "Chỉ tính lượt bắt đầu từ luồng đó; luồng chạy bên trong luồng khác tính cho luồng "
            "bên ngoài."
        ),
        "volunteers": "Tình nguyện viên",
        "funnel": "Người dân dừng ở đâu",
        "funnel_note": (
            'Đường chính = lối đa số người dân đi, tới khi xong; các bước khác (nhánh "không '
            'làm được", rẽ khác, kết thúc sớm) ở dưới, riêng. Đến = số lượt tới bước này; bỏ dở '
            '= số lượt bỏ đi ở bước này; "không làm được" = số lần bấm nút đó ở bước này. Bước '
            "chạy một hướng dẫn khác cho thấy bên trong người dân dừng ở đâu."
        ),
        "flow": "Dịch vụ",
        "village": "Thôn",
        "households": "Hộ",
        "people": "Tại nhà",
        "residents": "Tự làm",
        "helped": "Đã giúp",
        "target": "Chỉ tiêu",
        "percent": "Đạt",
        "started": "Bắt đầu",
        "in_progress": "Đang làm",
        "completed": "Xong",
        "rate": "Tỉ lệ xong",
        "median": "Thời gian (trung vị)",
        "subflow": "Trong luồng khác",
        "step": "Bước",
        "reached": "Đến",
        "left": "Bỏ dở",
        "help": "Không làm được",
        "left_before_start": "Bỏ dở trước bước đầu tiên (lúc chào hỏi): {count}",
        "improve": 'Nên sửa trước: bước "{step}" ({left} bỏ dở, {help} lần "không làm được")',
        "improve_all": 'Nên sửa trước: {flow} — bước "{step}"',
        "main_path": "Đường chính",
        "branches": "Ngoài đường chính",
        "inside": "bên trong",
        "guide_step": "Hướng dẫn «{title}»",
        "step_number": "Bước {number}",
        "folded_steps": "{count} bước chưa ai đến (không liệt kê).",
        "folded_flows": "{count} luồng chưa có lượt nào (không liệt kê).",
        "outside": "ngoài ra {count} ở thôn chưa có chỉ tiêu",
        "over_time": "Tiến độ theo ngày và theo tuần",
        "over_time_note": (
            'Đã giúp = hộ được ghi "đã xong" lần đầu, người dân tự làm xong; bắt đầu, xong = '
            "các lượt hướng dẫn bắt đầu hôm đó. Tuần tính từ thứ Hai; ngày không có gì được ẩn."
        ),
        "week_against_last": (
            "Tuần này (từ {day}): đã giúp {helped}, bắt đầu {started}, xong {completed}. "
            "Tuần trước: đã giúp {helped_before}, bắt đầu {started_before}, "
            "xong {completed_before}."
        ),
        "by_day": "Theo ngày",
        "by_week": "Theo tuần",
        "day": "Ngày",
        "week": "Tuần từ",
        "no_days": "Không có gì trong thời gian này.",
        "nothing_to_improve": 'Chưa thấy bước nào làm người dân bỏ dở hay bấm "không làm được".',
        "code": "Mã",
        "name": "Tên",
        "visits": "Lần đến nhà",
        "households_visited": "Hộ đã đến",
        "pending": "Hộ còn việc dở",
        "pending_services": "Việc dở",
        "qr": "Qua mã QR (xong/mở)",
        "inactive": "(đã nghỉ)",
        "no_volunteers": "Chưa có tình nguyện viên nào.",
        "idle_volunteers": "Chưa có gì trong thời gian này (không liệt kê): {codes}.",
        "no_progress": "Chưa có người dân nào được ghi nhận là đã được hỗ trợ.",
        "no_flows": "Không có lượt hướng dẫn nào trong thời gian này.",
        "volunteer_summary": (
            "{count} tình nguyện viên, {visits} lần đến nhà, {pending} hộ còn việc dở."
        ),
        "flow_summary": "{title}: {started} lượt, {completed} xong ({rate})",
        "median_summary": ", trung vị {median}",
        "more": "… (xem đầy đủ: trolyso report)",
        "saved_as": "📄 Báo cáo đầy đủ đã lưu trên máy chủ: {name}",
        "seconds": "{s} giây",
        "minutes": "{m} phút {s} giây",
        "hours": "{h} giờ {m} phút",
        "none": "—",
    },
    "en": {
        "report": "Trợ lý số report",
        "period": "Period",
        "village_filter": "Village",
        "generated": "Generated",
        "from": "from {day}",
        "to": "to {day}",
        "all_time": "all time",
        "unknown_village": "(unknown village)",
        "commune_total": "Whole commune",
        "progress": "Residents helped against targets",
        "progress_note": (
            "At home = people (accounts) a volunteer recorded as done, in that many households; "
            "on their own = residents who finished alone (from a volunteer's QR poster, or "
            "alone: unknown village). Helped = at home + on their own; each person counts once "
            "per service. Whole commune: the percentage counts only the villages with a target "
            "for that service."
        ),
        "flows": "Guides",
        "flows_note": (
            "Only runs started from the guide itself; a guide run inside another guide counts "
            "for the outer one."
        ),
        "volunteers": "Volunteers",
        "funnel": "Where residents stop",
        "funnel_note": (
            "Main path = the way most residents go, to the end; the other steps (\"it didn't "
            'work" branches, other ways, early ends) are below, apart. Reached = runs that got '
            'to this step; left = runs abandoned at this step; "it didn\'t work" = presses of '
            "that button at this step. A step that runs another guide shows where inside it "
            "residents stopped."
        ),
        "flow": "Service",
        "village": "Village",
        "households": "Households",
        "people": "At home",
        "residents": "On their own",
        "helped": "Helped",
        "target": "Target",
        "percent": "Reached",
        "started": "Started",
        "in_progress": "In progress",
        "completed": "Completed",
        "rate": "Completion",
        "median": "Median time",
        "subflow": "Inside other guides",
        "step": "Step",
        "reached": "Reached",
        "left": "Left",
        "help": "It didn't work",
        "left_before_start": "Left before the first step (during the welcome): {count}",
        "improve": 'Improve first: step "{step}" ({left} left, {help} "it didn\'t work")',
        "improve_all": 'Improve first: {flow} — step "{step}"',
        "main_path": "Main path",
        "branches": "Off the main path",
        "inside": "inside",
        "guide_step": "Guide “{title}”",
        "step_number": "Step {number}",
        "folded_steps": "{count} steps nobody reached (not listed).",
        "folded_flows": "{count} guides with no runs (not listed).",
        "outside": "plus {count} in villages without a target",
        "over_time": "Progress by day and by week",
        "over_time_note": (
            "Helped = households first recorded as done, residents who finished on their own; "
            "started, completed = guide runs that started that day. Weeks start on Monday; days "
            "with nothing are not listed."
        ),
        "week_against_last": (
            "This week (from {day}): {helped} helped, {started} started, {completed} completed. "
            "Last week: {helped_before} helped, {started_before} started, "
            "{completed_before} completed."
        ),
        "by_day": "By day",
        "by_week": "By week",
        "day": "Day",
        "week": "Week from",
        "no_days": "Nothing in this period.",
        "nothing_to_improve": 'No step has made residents leave or press "it didn\'t work" yet.',
        "code": "Code",
        "name": "Name",
        "visits": "Visits",
        "households_visited": "Households visited",
        "pending": "Households pending",
        "pending_services": "Pending services",
        "qr": "From QR (done/opened)",
        "inactive": "(left)",
        "no_volunteers": "No volunteers yet.",
        "idle_volunteers": "Nothing in this period (not listed): {codes}.",
        "no_progress": "No resident has been recorded as helped yet.",
        "no_flows": "No guided sessions in this period.",
        "volunteer_summary": (
            "{count} volunteers, {visits} home visits, {pending} households with pending services."
        ),
        "flow_summary": "{title}: {started} started, {completed} completed ({rate})",
        "median_summary": ", median {median}",
        "more": "… (full report: trolyso report)",
        "saved_as": "📄 Full report saved on the server: {name}",
        "seconds": "{s} s",
        "minutes": "{m} min {s} s",
        "hours": "{h} h {m} min",
        "none": "—",
    },
}

# How a run ends, keyed by the engine's codes (bot.flows.schema.RUN_OUTCOMES; a test checks that
# every one has words). What volunteers record is worded by the bot itself: Report.outcome_names.
_RUN_OUTCOMES: dict[str, dict[str, str]] = {
    "vi": {
        "completed": "xong",
        "referred": "chuyển nơi khác",
        "gave_up": "thôi không làm",
        "abandoned": "bỏ dở",
    },
    "en": {
        "completed": "completed",
        "referred": "referred",
        "gave_up": "gave up",
        "abandoned": "abandoned",
    },
}


def _lang(lang: str) -> str:
    return lang if lang in _WORDS else "vi"


def word(key: str, lang: str, **params: object) -> str:
    """The report text ``key`` in ``lang`` (Vietnamese when unknown), filled with ``params``."""
    text = _WORDS[_lang(lang)][key]
    return text.format(**params) if params else text


def run_outcome(code: str, lang: str) -> str:
    """How a run ended, in words (the code itself when it is a new one)."""
    return _RUN_OUTCOMES[_lang(lang)].get(code, code)


def visit_outcome(names: Mapping[str, Mapping[str, str]], code: str, lang: str) -> str:
    """What a volunteer recorded, in the words of the bot's own button (``names`` is
    :attr:`bot.reports.model.Report.outcome_names`); the code when the bot has none."""
    return names.get(_lang(lang), {}).get(code) or names.get("vi", {}).get(code) or code


def flow_title(title: dict[str, str], lang: str) -> str:
    """A flow's title in ``lang``, else its Vietnamese title."""
    return title.get(lang) or title.get("vi") or next(iter(title.values()), "?")


def village_name(village: str, lang: str) -> str:
    """A village's name, or the words for "unknown village"."""
    return village or word("unknown_village", lang)


def integer(value: int, lang: str) -> str:
    """57057 as ``57.057`` (vi) or ``57,057`` (en)."""
    text = f"{value:,}"
    return text.replace(",", ".") if _lang(lang) == "vi" else text


def percent_text(value: Decimal | None, lang: str) -> str:
    """90.29 as ``90,29%`` (vi) or ``90.29%`` (en); a dash when there is nothing to divide by."""
    if value is None:
        return word("none", lang)
    text = f"{value:.2f}%"
    return text.replace(".", ",") if _lang(lang) == "vi" else text


def duration(seconds: float | None, lang: str) -> str:
    """A duration as people say it: ``45 giây``, ``6 phút 05 giây``, ``1 giờ 02 phút``."""
    if seconds is None:
        return word("none", lang)
    total = round(seconds)
    if total < 60:
        return word("seconds", lang, s=total)
    if total < 3600:
        return word("minutes", lang, m=total // 60, s=f"{total % 60:02d}")
    return word("hours", lang, h=total // 3600, m=f"{total % 3600 // 60:02d}")


def day(value: date, lang: str) -> str:
    """A day as ``31/01/2026`` (vi) or ``2026-01-31`` (en)."""
    return value.strftime("%d/%m/%Y") if _lang(lang) == "vi" else value.isoformat()


def period_text(since: date | None, until: date | None, lang: str) -> str:
    """``từ 01/01/2026 đến 31/01/2026``, one end only, or "all time"."""
    parts = []
    if since is not None:
        parts.append(word("from", lang, day=day(since, lang)))
    if until is not None:
        parts.append(word("to", lang, day=day(until, lang)))
    return " ".join(parts) or word("all_time", lang)
