"""What the web console (``/admin``) says to officers, leaders and volunteers, in Vietnamese and
English. Every refusal says what happened and what to do next."""

from __future__ import annotations

__all__ = ["CONSOLE_MESSAGES", "console_text"]

CONSOLE_MESSAGES: dict[str, dict[str, str]] = {
    "title": {"vi": "Trợ lý số — Quản trị", "en": "Trợ lý số — Console"},
    "nav.numbers": {"vi": "Số liệu", "en": "Numbers"},
    "nav.flows": {"vi": "Hướng dẫn", "en": "Guides"},
    "nav.people": {"vi": "Tình nguyện viên", "en": "Volunteers"},
    "nav.police": {"vi": "Cần công an xã", "en": "Commune police"},
    "nav.households": {"vi": "Hộ của tôi", "en": "My households"},
    "nav.log": {"vi": "Nhật ký", "en": "Log"},
    "nav.tickets": {"vi": "Yêu cầu hỗ trợ", "en": "Tickets"},
    "logout": {"vi": "Đăng xuất", "en": "Log out"},
    "role.officer": {"vi": "cán bộ", "en": "officer"},
    "role.leader": {"vi": "lãnh đạo", "en": "leader"},
    "role.volunteer": {"vi": "tình nguyện viên", "en": "volunteer"},
    "login.title": {"vi": "Đăng nhập", "en": "Log in"},
    "login.how": {
        "vi": "Gõ /login trong cuộc trò chuyện riêng với bot trên Telegram (hoặc chạy "
        "'trolyso admin login-link' trên máy chủ) để nhận đường dẫn đăng nhập dùng một lần.",
        "en": "Type /login in a private Telegram chat with the bot (or run "
        "'trolyso admin login-link' on the server) to get a one-time login link.",
    },
    "login.button": {"vi": "Đăng nhập", "en": "Log in"},
    "login.press": {
        "vi": "Bấm nút để vào trang quản trị. Đường dẫn chỉ dùng được một lần.",
        "en": "Press the button to open the console. The link works only once.",
    },
    "login.failed": {
        "vi": "Đường dẫn này đã được dùng hoặc đã hết hạn (10 phút). Hãy xin đường dẫn mới "
        "bằng /login.",
        "en": "This link was already used or has expired (10 minutes). Ask for a new one "
        "with /login.",
    },
    "login.slow_down": {
        "vi": "Thử quá nhiều lần. Hãy đợi một phút rồi thử lại.",
        "en": "Too many tries. Please wait a minute and try again.",
    },
    "forbidden": {
        "vi": "Tài khoản của bạn không được làm việc này. Hỏi cán bộ xã nếu bạn cần.",
        "en": "Your account may not do this. Ask the commune officer if you need it.",
    },
    "csrf": {
        "vi": "Biểu mẫu đã cũ hoặc không đến từ trang này. Hãy tải lại trang rồi làm lại.",
        "en": "This form is old or did not come from this page. Reload the page and try again.",
    },
    "server_error": {
        "vi": "Có lỗi khi mở trang này. Thông tin chi tiết đã được ghi vào nhật ký của bot; "
        "hãy thử lại sau ít phút.",
        "en": "Something went wrong opening this page. The details are in the bot's log; "
        "please try again in a few minutes.",
    },
    "not_found": {"vi": "Không có trang này.", "en": "There is no such page."},
    "back": {"vi": "Về trang chính", "en": "Back to the console"},
    "numbers.since": {"vi": "Từ ngày", "en": "From"},
    "numbers.until": {"vi": "Đến ngày", "en": "Until"},
    "numbers.village": {"vi": "Thôn", "en": "Village"},
    "numbers.all": {"vi": "Cả xã", "en": "Whole commune"},
    "numbers.show": {"vi": "Xem", "en": "Show"},
    "numbers.csv": {"vi": "Tải CSV", "en": "Download CSV"},
    "numbers.print": {"vi": "In", "en": "Print"},
    "numbers.bad_day": {
        "vi": "Ngày '{value}' không đúng: hãy chọn ngày trong lịch (NĂM-THÁNG-NGÀY).",
        "en": "The date '{value}' is not right: pick a day in the calendar (YEAR-MONTH-DAY).",
    },
    "numbers.order": {
        "vi": "Ngày bắt đầu đang sau ngày kết thúc: hãy đổi lại.",
        "en": "The first day is after the last day: please swap them.",
    },
    "numbers.unknown_village": {
        "vi": "Không có thôn '{village}' trong số liệu. Các thôn: {known}.",
        "en": "There is no village '{village}' in the records. Villages: {known}.",
    },
    "flows.heading": {"vi": "Thư viện hướng dẫn đang chạy", "en": "The guides running now"},
    "flows.id": {"vi": "Mã", "en": "Id"},
    "flows.name": {"vi": "Tên", "en": "Title"},
    "flows.version": {"vi": "Phiên bản", "en": "Version"},
    "flows.digest": {"vi": "Mã nội dung", "en": "Digest"},
    "flows.checked": {"vi": "Kiểm tra lần cuối", "en": "Last checked"},
    "flows.loaded": {"vi": "Nạp lúc", "en": "Loaded"},
    "flows.sources": {"vi": "Nguồn", "en": "Sources"},
    "flows.lint": {"vi": "Kiểm tra lỗi", "en": "Lint"},
    "flows.ok": {"vi": "không lỗi", "en": "no problems"},
    "flows.problems": {
        "vi": "{errors} lỗi, {warnings} cảnh báo",
        "en": "{errors} errors, {warnings} warnings",
    },
    "flows.all_problems": {"vi": "Lỗi và cảnh báo trong các tệp", "en": "Problems in the files"},
    "flows.no_problems": {
        "vi": "Các tệp hướng dẫn không có lỗi nào.",
        "en": "The flow files have no problems.",
    },
    "reload.same": {
        "vi": "Bot đang chạy đúng bản trong các tệp.",
        "en": "The bot runs exactly what the files say.",
    },
    "reload.pending": {
        "vi": "Các tệp đã sửa: bot sẽ nạp bản mới trong vài giây.",
        "en": "The files were edited: the bot loads them within a few seconds.",
    },
    "reload.refused": {
        "vi": "Bản sửa có lỗi nên chưa được áp dụng: bot vẫn chạy bản cũ. Sửa các lỗi dưới đây.",
        "en": "The edit has errors and was not applied: the bot keeps the previous version. "
        "Fix the problems below.",
    },
    "flows.drafts": {"vi": "Bản nháp đang thử: {folder}", "en": "Drafts being tried: {folder}"},
    "flows.diagram": {"vi": "Sơ đồ", "en": "Diagram"},
    "sim.heading": {"vi": "Thử trò chuyện", "en": "Try the conversation"},
    "sim.note": {
        "vi": "Chỉ để thử: không tính vào số liệu, người dân không thấy.",
        "en": "For trying only: not counted in the numbers, residents never see it.",
    },
    "sim.start": {"vi": "Bắt đầu", "en": "Start"},
    "sim.say": {"vi": "Gõ câu trả lời", "en": "Type an answer"},
    "sim.send": {"vi": "Gửi", "en": "Send"},
    "sim.lang": {"vi": "Ngôn ngữ", "en": "Language"},
    "sim.at": {"vi": "Đang ở bước: {step}", "en": "At step: {step}"},
    "sim.error": {
        "vi": "Không thử được lúc này. Tải lại trang rồi thử lại.",
        "en": "Could not try it just now. Reload the page and try again.",
    },
    "sim.wait": {"vi": "Cho thời gian trôi:", "en": "Let time pass:"},
    "sim.wait_1h": {"vi": "1 giờ", "en": "1 hour"},
    "sim.wait_1d": {"vi": "1 ngày", "en": "1 day"},
    "sim.wait_3d": {"vi": "3 ngày", "en": "3 days"},
    "sim.wait_max": {
        "vi": "Trong trang này chỉ cho thời gian trôi tối đa 7 ngày một lần (ví dụ /wait 3d).",
        "en": "Here time can pass at most 7 days at a time (for example /wait 3d).",
    },
    "sim.broken": {
        "vi": "Bản nháp đang có lỗi nên chưa thử được: xem danh sách lỗi ở trang Hướng dẫn.",
        "en": "The drafts have errors and cannot be tried: see the problems on the Guides page.",
    },
    "people.heading": {"vi": "Tình nguyện viên", "en": "Volunteers"},
    "people.code": {"vi": "Mã", "en": "Code"},
    "people.name": {"vi": "Tên", "en": "Name"},
    "people.village": {"vi": "Thôn", "en": "Village"},
    "people.state": {"vi": "Trạng thái", "en": "State"},
    "people.active": {"vi": "đang hoạt động", "en": "active"},
    "people.inactive": {"vi": "đã ngừng", "en": "deactivated"},
    "people.deactivate": {"vi": "Ngừng quyền", "en": "Deactivate"},
    "people.activate": {"vi": "Cho hoạt động lại", "en": "Activate"},
    "people.none": {"vi": "Chưa có tình nguyện viên nào.", "en": "No volunteers yet."},
    "people.invite": {"vi": "Tạo mã mời", "en": "Make an invite code"},
    "people.commune": {"vi": "Xã (không bắt buộc)", "en": "Commune (optional)"},
    "people.invite_ok": {
        "vi": "Mã mời cho {village}: {code} (dùng một lần, trong {days} ngày). Người được mời "
        "gõ /join {code} cho bot.",
        "en": "Invite code for {village}: {code} (works once, for {days} days). The new "
        "volunteer types /join {code} to the bot.",
    },
    "people.invite_village": {
        "vi": "Hãy gõ tên thôn cho mã mời.",
        "en": "Please type the village for the invite code.",
    },
    "people.deactivated": {
        "vi": "Đã ngừng quyền của tình nguyện viên #{id}.",
        "en": "Volunteer #{id} no longer has access.",
    },
    "people.activated": {
        "vi": "Tình nguyện viên #{id} đã được hoạt động lại (vẫn mã cũ, các hộ cũ).",
        "en": "Volunteer #{id} has access again (same code, same households).",
    },
    "people.unchanged": {
        "vi": "Không có thay đổi: tình nguyện viên #{id} không ở trạng thái đó.",
        "en": "Nothing changed: volunteer #{id} is not in that state.",
    },
    "police.heading": {
        "vi": "Người cần công an xã hỗ trợ",
        "en": "People needing the commune police",
    },
    "police.none": {"vi": "Hiện không có ai.", "en": "Nobody just now."},
    "police.household": {"vi": "Hộ", "en": "Household"},
    "police.person": {"vi": "Người", "en": "Person"},
    "police.service": {"vi": "Việc", "en": "Service"},
    "police.since": {"vi": "Từ ngày", "en": "Since"},
    "police.volunteer": {"vi": "Tình nguyện viên", "en": "Volunteer"},
    "police.note": {"vi": "Ghi chú", "en": "Note"},
    "households.heading": {"vi": "Các hộ tôi đã thăm", "en": "The households I visited"},
    "households.none": {
        "vi": "Bạn chưa thăm hộ nào.",
        "en": "You have not visited a household yet.",
    },
    "log.heading": {"vi": "Nhật ký quản trị", "en": "Admin log"},
    "log.at": {"vi": "Lúc", "en": "When"},
    "log.who": {"vi": "Ai", "en": "Who"},
    "log.what": {"vi": "Việc", "en": "Action"},
    "log.detail": {"vi": "Chi tiết", "en": "Detail"},
    "log.result": {"vi": "Kết quả", "en": "Result"},
    "log.allowed": {"vi": "đã làm", "en": "done"},
    "log.refused": {"vi": "bị từ chối", "en": "refused"},
    "tickets.heading": {"vi": "Yêu cầu hỗ trợ", "en": "Tickets"},
    "tickets.none": {
        "vi": "Không có yêu cầu nào đang chờ.",
        "en": "No request is waiting.",
    },
    "tickets.no_chat": {
        "vi": "Để nhận và trả lời yêu cầu, hãy đăng nhập bằng /login từ Telegram: câu trả lời "
        "của người dân sẽ đến cuộc trò chuyện đó.",
        "en": "To take and answer requests, log in with /login from Telegram: the resident's "
        "replies come to that chat.",
    },
    "tickets.take": {"vi": "Nhận", "en": "Take"},
    "tickets.answer": {"vi": "Trả lời", "en": "Answer"},
    "tickets.close": {"vi": "Đóng", "en": "Close"},
    "tickets.note": {"vi": "Ghi chú (không bắt buộc)", "en": "Note (optional)"},
    "tickets.outcome_done": {"vi": "đã giải quyết", "en": "done"},
    "tickets.outcome_referred": {"vi": "chuyển nơi khác", "en": "referred"},
    "tickets.outcome_no_answer": {"vi": "không liên lạc được", "en": "no answer"},
    "tickets.sent": {"vi": "Đã gửi cho người dân.", "en": "Sent to the resident."},
    "tickets.again": {
        "vi": "Cùng lúc đó bạn vừa làm việc khác trong cuộc trò chuyện: hãy làm lại.",
        "en": "You did something else in your chat at that moment: please do it again.",
    },
}


def console_text(key: str, lang: str, **params: object) -> str:
    """The text of ``key`` in ``lang`` (Vietnamese when unknown), filled with ``params``."""
    texts = CONSOLE_MESSAGES[key]
    text = texts.get(lang) or texts["vi"]
    return text.format(**params) if params else text
