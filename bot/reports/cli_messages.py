"""What ``trolyso report``, ``purge`` and ``poster`` say to an admin, in Vietnamese and English.

Every problem is one sentence saying what is wrong and what to do; never a traceback.
"""

from __future__ import annotations

import sys

__all__ = ["say", "text"]

_MESSAGES: dict[str, dict[str, str]] = {
    "vi": {
        "bad_day": (
            "Ngày '{value}' của {option} không đúng: hãy viết theo dạng NĂM-THÁNG-NGÀY, "
            "ví dụ 2026-01-31."
        ),
        "since_after_until": (
            "Ngày bắt đầu ({since}) đang sau ngày kết thúc ({until}): hãy đổi lại --since "
            "hoặc --until."
        ),
        "no_database": (
            "Chưa có cơ sở dữ liệu ở {path}: bot chưa chạy lần nào với tệp này. Kiểm tra "
            "cài đặt 'database' trong config.yaml, hoặc chỉ đúng tệp bằng --db."
        ),
        "database_problem": "Không đọc được cơ sở dữ liệu {path}: {detail}",
        "flows_with_errors": (
            "Lưu ý: một số luồng đang có lỗi (chạy 'trolyso lint' để xem); báo cáo vẫn được "
            "lập, luồng lỗi hiện bằng mã luồng."
        ),
        "unknown_village": (
            "Lưu ý: chưa thấy thôn '{village}' (có dấu hay không dấu) trong chỉ tiêu, tình "
            "nguyện viên hay hộ nào, nên báo cáo có thể trống. Các thôn đã biết: {known}."
        ),
        "cannot_write": "Không ghi được tệp {path}: {detail}. Kiểm tra thư mục và quyền ghi.",
        "written": "Đã ghi báo cáo vào {path}.",
        "bad_days": "Số ngày lưu giữ phải từ 1 trở lên (đang là {days}).",
        "purge_done": "Đã xoá các bản ghi cũ hơn {days} ngày (trước {cutoff}):",
        "purge_dry": (
            "Chạy thử — chưa xoá gì. Sẽ xoá các bản ghi cũ hơn {days} ngày (trước {cutoff}):"
        ),
        "purge_total": "Tổng cộng: {total} bản ghi.",
        "table.runs": "lượt hướng dẫn đã kết thúc",
        "table.visit_outcomes": "kết quả đến nhà (kèm ghi chú)",
        "table.visits": "lần đến thăm hộ",
        "table.household_members": "người trong hộ (kèm tên gọi)",
        "table.households": "hộ không còn gì mới (kèm tên gọi)",
        "table.staff_alerts": "thông báo cho cán bộ",
        "table.outbox": "tin nhắn đã gửi",
        "table.processed_updates": "mã tin nhắn đã xử lý",
        "table.sessions": "phiên trò chuyện bỏ lâu",
        "table.admin_actions": "dòng nhật ký quản trị (cả lệnh bị từ chối)",
        "table.handovers": "mã trao tay đã dùng hoặc hết hạn",
        "table.ticket_notes": "tin nhắn chuyển qua lại trong các yêu cầu gặp người",
        "table.tickets": "yêu cầu gặp người đã đóng",
        "no_username": (
            "Chưa có tên bot Telegram nên chưa tạo được đường link trong mã QR. Hãy ghi tên "
            "bot (không có @) vào cài đặt telegram.username trong config.yaml; tên này ở "
            "@BotFather: gửi /mybots, chọn bot, tên là phần sau @ (kết thúc bằng 'bot')."
        ),
        "no_web_url": (
            "Chưa có địa chỉ trang trò chuyện web nên chưa tạo được mã QR cho web. Hãy ghi địa "
            "chỉ mà người dân mở (https://...) vào cài đặt web.public_url trong config.yaml."
        ),
        "no_oa_id": (
            "Chưa có mã Zalo OA nên chưa tạo được mã QR cho Zalo. Hãy ghi mã OA (một dãy số, "
            "ở trang quản lý OA: oa.zalo.me, mục Thông tin OA) vào cài đặt zalo.oa_id trong "
            "config.yaml."
        ),
        "bad_oa_id": "Mã OA '{oa_id}' trong zalo.oa_id không dùng được: mã OA chỉ gồm chữ số.",
        "bad_web_url": (
            "Địa chỉ '{url}' trong web.public_url không dùng được: phải bắt đầu bằng https:// "
            "(hoặc http://) và không có dấu ? hay #."
        ),
        "bad_username": (
            "Tên bot '{username}' trong telegram.username không hợp lệ: chỉ gồm chữ cái "
            "không dấu, chữ số và dấu _, không có @ (xem lại ở @BotFather)."
        ),
        "no_flow": "Không có luồng '{flow}'. Các luồng hiện có: {known}.",
        "no_flow_suggest": (
            "Không có luồng '{flow}' — có phải '{suggestion}'? Các luồng hiện có: {known}."
        ),
        "no_volunteer": (
            "Không có tình nguyện viên nào đang hoạt động với mã '{code}'. Mã in trên thẻ "
            "của tình nguyện viên (6 ký tự, ví dụ K7M2QX); kiểm tra lại, hoặc bỏ --volunteer."
        ),
        "payload_too_long": (
            "Đường link quá dài cho Telegram: phần sau ?start= có {length} ký tự, tối đa 64. "
            "Hãy dùng mã luồng ngắn hơn."
        ),
        "payload_bad_chars": (
            "Đường link có ký tự Telegram không nhận ('{payload}'): chỉ được dùng chữ cái "
            "không dấu, chữ số, _ và -."
        ),
        "poster_written": (
            "Đã tạo áp phích:\n  {png}\n  {pdf}\nĐường link trong mã QR: {link}{typed}"
        ),
    },
    "en": {
        "bad_day": (
            "The date '{value}' given to {option} is not valid: write it as YYYY-MM-DD, "
            "e.g. 2026-01-31."
        ),
        "since_after_until": (
            "The start date ({since}) is after the end date ({until}): swap --since and --until."
        ),
        "no_database": (
            "There is no database at {path}: the bot has not run with this file yet. Check the "
            "setting 'database' in config.yaml, or point to the right file with --db."
        ),
        "database_problem": "Cannot read the database {path}: {detail}",
        "flows_with_errors": (
            "Note: some flows have errors (run 'trolyso lint' to see them); the report is made "
            "anyway and shows those flows by their id."
        ),
        "unknown_village": (
            "Note: the village '{village}' (with or without diacritics) is in no target and has "
            "no volunteer or household, so the report may be empty. Villages known: {known}."
        ),
        "cannot_write": "Cannot write {path}: {detail}. Check the folder and its permissions.",
        "written": "Report written to {path}.",
        "bad_days": "The retention period must be 1 day or more (it is {days}).",
        "purge_done": "Deleted the records older than {days} days (before {cutoff}):",
        "purge_dry": (
            "Dry run — nothing deleted. Would delete the records older than {days} days "
            "(before {cutoff}):"
        ),
        "purge_total": "Total: {total} records.",
        "table.runs": "finished guided sessions",
        "table.visit_outcomes": "visit outcomes (with their notes)",
        "table.visits": "household visits",
        "table.household_members": "people of households (with their names)",
        "table.households": "households with nothing recent (with their names)",
        "table.staff_alerts": "alerts for staff",
        "table.outbox": "sent messages",
        "table.processed_updates": "processed update keys",
        "table.sessions": "conversations idle for that long",
        "table.admin_actions": "admin log lines (refused commands too)",
        "table.handovers": "hand-over links used or expired",
        "table.ticket_notes": "messages relayed in requests for a person",
        "table.tickets": "closed requests for a person",
        "no_username": (
            "The bot's Telegram username is not set, so the QR code has no link yet. Put the "
            "username (without @) in the setting telegram.username in config.yaml; find it in "
            "@BotFather: send /mybots, pick the bot, the username is the part after @ (it ends "
            "in 'bot')."
        ),
        "no_web_url": (
            "The web chat's address is not set, so there is no link for a web QR code yet. Put "
            "the address residents open (https://...) in the setting web.public_url in "
            "config.yaml."
        ),
        "no_oa_id": (
            "The Zalo OA's id is not set, so there is no link for a Zalo QR code yet. Put the OA's "
            "id (digits, on oa.zalo.me under the OA's information) in the setting zalo.oa_id in "
            "config.yaml."
        ),
        "bad_oa_id": "The OA id '{oa_id}' in zalo.oa_id cannot be used: an OA id is digits only.",
        "bad_web_url": (
            "The address '{url}' in web.public_url cannot be used: it must start with https:// "
            "(or http://) and have no ? or #."
        ),
        "bad_username": (
            "The bot username '{username}' in telegram.username is not valid: only letters, "
            "digits and _, without @ (check it in @BotFather)."
        ),
        "no_flow": "There is no flow '{flow}'. Flows available: {known}.",
        "no_flow_suggest": (
            "There is no flow '{flow}' — did you mean '{suggestion}'? Flows available: {known}."
        ),
        "no_volunteer": (
            "No active volunteer has the code '{code}'. The code is on the volunteer's card "
            "(6 characters, e.g. K7M2QX); check it, or leave out --volunteer."
        ),
        "payload_too_long": (
            "The link is too long for Telegram: the part after ?start= has {length} characters, "
            "at most 64 are allowed. Use a shorter flow id."
        ),
        "payload_bad_chars": (
            "The link has characters Telegram does not accept ('{payload}'): only letters "
            "a-z A-Z, digits, _ and -."
        ),
        "poster_written": "Poster written:\n  {png}\n  {pdf}\nLink in the QR code: {link}{typed}",
    },
}


def text(message: str, lang: str, **params: object) -> str:
    """The text of ``message`` in ``lang`` (Vietnamese when unknown), filled with ``params``."""
    table = _MESSAGES.get(lang, _MESSAGES["vi"])
    return table[message].format(**params)


def say(message: str, lang: str, *, error: bool = False, **params: object) -> None:
    """Print ``message``; problems go to standard error."""
    print(text(message, lang, **params), file=sys.stderr if error else sys.stdout)
