"""What the admin commands (``trolyso test``, ``graph``, ``schema``) say, in Vietnamese and English,
and what is wrong with a button's ``means:`` or with ``locales/intents.yaml``.

A sibling of ``bot.core.messages``, merged into its catalog, so ``describe`` and
``Problem.render`` find these codes too. Every message says what is wrong and what to do.
"""

from __future__ import annotations

from bot.core.migrate_messages import MIGRATE_MESSAGES
from bot.core.zalo_messages import ZALO_MESSAGES

__all__ = ["ADMIN_MESSAGES"]

ADMIN_MESSAGES: dict[str, dict[str, str]] = {
    # Problems in a conversation test file (reported like lint, with file:line:column)
    "convtest.not_mapping": {
        "en": "a conversation test file starts with 'flow:' and 'tests:'. Copy a file from flows/tests/ as a starting point.",
        "vi": "tệp kiểm tra hội thoại bắt đầu bằng 'flow:' và 'tests:'. Hãy sao chép một tệp trong flows/tests/ để bắt đầu.",
    },
    "convtest.missing": {
        "en": "'{field}' is missing here. Add it (see 'Conversation tests' in docs/flows.md).",
        "vi": "thiếu mục '{field}' ở đây. Hãy thêm vào (xem 'Kiểm tra hội thoại' trong docs/flows.md).",
    },
    "convtest.unknown_field": {
        "en": "'{field}' is not part of a conversation test.{hint} Allowed here: {allowed}.",
        "vi": "'{field}' không phải là mục của bài kiểm tra hội thoại.{hint} Được dùng ở đây: {allowed}.",
    },
    "convtest.not_list": {
        "en": "'{field}' must be a list with at least one item (lines starting with '- ').",
        "vi": "'{field}' phải là danh sách có ít nhất một mục (các dòng bắt đầu bằng '- ').",
    },
    "convtest.not_a_test": {
        "en": "each test is a group of fields: 'name:', 'steps:' and optionally 'lang:', 'xung_ho:', 'welcome:', 'outcome:'.",
        "vi": "mỗi bài kiểm tra là một nhóm mục: 'name:', 'steps:' và có thể thêm 'lang:', 'xung_ho:', 'welcome:', 'outcome:'.",
    },
    "convtest.bad_step": {
        "en": "each line of a conversation does one thing: one of {allowed}, for example '- press: Android'.",
        "vi": "mỗi dòng hội thoại làm một việc: một trong {allowed}, ví dụ '- press: Android'.",
    },
    "convtest.two_actions": {
        "en": "this line does several things ({actions}). Put each on its own line starting with '- '.",
        "vi": "dòng này làm nhiều việc ({actions}). Hãy viết mỗi việc trên một dòng riêng bắt đầu bằng '- '.",
    },
    "convtest.empty": {
        "en": "'{field}' is empty. Write what it should be.",
        "vi": "'{field}' đang trống. Hãy viết nội dung.",
    },
    "convtest.wrong_type": {
        "en": "'{field}' should be {expected}.",
        "vi": "'{field}' phải là {expected}.",
    },
    "convtest.choice_value": {
        "en": "'{field}' must be one of: {allowed}.",
        "vi": "'{field}' phải là một trong: {allowed}.",
    },
    "convtest.expect_first": {
        "en": "'expect' checks what the bot has just said, but nothing has happened yet. Begin with '- start: {flow}'.",
        "vi": "'expect' kiểm tra điều bot vừa nói, nhưng chưa có gì xảy ra. Hãy bắt đầu bằng '- start: {flow}'.",
    },
    "convtest.unknown_step": {
        "en": "no flow has a step '{target}'.{hint}",
        "vi": "không luồng nào có bước '{target}'.{hint}",
    },
    "wait.bad_duration": {
        "en": "'{value}' is not a length of time. Write a number and a unit, for example 3 days, 1d, 2h, 30m or 90 minutes (also 3 ngày, 2 giờ, 30 phút).",
        "vi": "'{value}' không phải là một khoảng thời gian. Hãy viết một số và một đơn vị, ví dụ 3 ngày, 2 giờ, 30 phút (hoặc 3 days, 1d, 2h, 30m, 90 minutes).",
    },
    # A test that did not go as written
    "convtest.at_move": {
        "en": "[conversation line {index}, {action}]",
        "vi": "[dòng hội thoại {index}, {action}]",
    },
    "convtest.at_outcome": {"en": "[outcome]", "vi": "[kết quả]"},
    "convtest.fail.says": {
        "en": 'the bot did not say "{expected}".',
        "vi": 'bot không nói "{expected}".',
    },
    "convtest.fail.said": {
        "en": 'the bot said "{unwanted}", which this test says it must not.',
        "vi": 'bot nói "{unwanted}", điều bài kiểm tra yêu cầu không được nói.',
    },
    "convtest.fail.buttons": {
        "en": "the buttons are not the expected {expected} (Back and Menu are not counted).",
        "vi": "các nút không đúng như mong đợi {expected} (không tính nút Quay lại và Menu).",
    },
    "convtest.fail.button_missing": {
        "en": 'there is no button "{label}".',
        "vi": 'không có nút "{label}".',
    },
    "convtest.fail.no_button": {
        "en": 'there is no button "{label}" to press. Write the label exactly as shown below.',
        "vi": 'không có nút "{label}" để bấm. Hãy viết đúng chữ trên nút như bên dưới.',
    },
    "convtest.fail.link_button": {
        "en": "\"{label}\" opens a web page; a test cannot press it. Check it with 'buttons_include' instead.",
        "vi": "\"{label}\" mở một trang web; bài kiểm tra không bấm được. Hãy kiểm tra bằng 'buttons_include'.",
    },
    "convtest.fail.at": {
        "en": "the conversation is at step '{actual}' of {flow}, not at '{expected}'.",
        "vi": "hội thoại đang ở bước '{actual}' của {flow}, không phải '{expected}'.",
    },
    "convtest.fail.not_in_flow": {
        "en": "the conversation is not in a flow ({screen}), so it is not at step '{expected}'.",
        "vi": "hội thoại không ở trong luồng nào ({screen}), nên không ở bước '{expected}'.",
    },
    "convtest.screen.new": {"en": "nothing started yet", "vi": "chưa bắt đầu"},
    "convtest.screen.menu": {"en": "at the main menu", "vi": "đang ở menu chính"},
    "convtest.screen.lang": {"en": "choosing a language", "vi": "đang chọn ngôn ngữ"},
    "convtest.screen.ended": {"en": "the flow has ended", "vi": "luồng đã kết thúc"},
    "convtest.screen.flow": {"en": "in a flow", "vi": "trong luồng"},
    "convtest.fail.outcome": {
        "en": "the flow {flow} ended as '{actual}', not '{expected}'.",
        "vi": "luồng {flow} kết thúc là '{actual}', không phải '{expected}'.",
    },
    "convtest.fail.not_ended": {
        "en": "the flow {flow} has not ended (it waits at step '{step}'), so it is not '{expected}' yet.",
        "vi": "luồng {flow} chưa kết thúc (đang chờ ở bước '{step}'), nên chưa phải '{expected}'.",
    },
    "convtest.fail.not_started": {
        "en": "the flow {flow} never ran in this test, so it cannot end as '{expected}'.",
        "vi": "luồng {flow} chưa chạy lần nào trong bài này, nên không thể kết thúc là '{expected}'.",
    },
    "convtest.fail.internal": {
        "en": "the bot had an internal problem here: {detail}. Check this step of the flow (run 'trolyso lint').",
        "vi": "bot gặp trục trặc ở đây: {detail}. Hãy kiểm tra bước này của luồng (chạy 'trolyso lint').",
    },
    "convtest.bot_said": {"en": "the bot said: «{text}»", "vi": "bot nói: «{text}»"},
    "convtest.offered": {"en": "buttons: {buttons}", "vi": "các nút: {buttons}"},
    "convtest.summary": {
        "en": "{total} test{s}: {passed} passed, {failed} failed.",
        "vi": "{total} bài kiểm tra: {passed} đạt, {failed} không đạt.",
    },
    "convtest.summary_problems": {
        "en": "{count} problem{s} in the test files (tests with problems did not run).",
        "vi": "{count} lỗi trong các tệp kiểm tra (bài có lỗi không được chạy).",
    },
    # Coverage
    "coverage.title": {
        "en": "Coverage (steps entered and choices taken by the tests, all languages):",
        "vi": "Độ phủ (các bước và lựa chọn mà bài kiểm tra đã đi qua, mọi ngôn ngữ):",
    },
    "coverage.flow": {
        "en": "{flow}: {steps_hit}/{steps} steps, {choices_hit}/{choices} choices",
        "vi": "{flow}: {steps_hit}/{steps} bước, {choices_hit}/{choices} lựa chọn",
    },
    "coverage.missing_steps": {
        "en": "no test reaches the steps: {steps}",
        "vi": "chưa bài nào tới các bước: {steps}",
    },
    "coverage.missing_choice": {
        "en": "no test takes, at step {step}: {labels}",
        "vi": "chưa bài nào chọn, ở bước {step}: {labels}",
    },
    "coverage.untested": {
        "en": "flows with no test: {flows}",
        "vi": "các luồng chưa có bài kiểm tra: {flows}",
    },
    # The commands themselves
    "cli.web_ready": {
        "en": "The web chat is at {url} — open it in a browser (a phone on the same network can use this machine's address). Ctrl-C stops it; conversations are kept in {database}.",
        "vi": "Trò chuyện trên web ở {url} — mở bằng trình duyệt (điện thoại cùng mạng dùng địa chỉ của máy này). Bấm Ctrl-C để dừng; các cuộc trò chuyện được lưu trong {database}.",
    },
    "cli.no_test_files": {
        "en": "there are no conversation test files (*.yaml) in {where}. Write one (see 'Conversation tests' in docs/flows.md).",
        "vi": "không có tệp kiểm tra hội thoại (*.yaml) nào trong {where}. Hãy viết một tệp (xem 'Kiểm tra hội thoại' trong docs/flows.md).",
    },
    "cli.no_such_path": {
        "en": "{where} does not exist. Check the path.",
        "vi": "{where} không tồn tại. Hãy kiểm tra đường dẫn.",
    },
    "cli.flows_broken": {
        "en": "the flows in {where} have errors, so nothing can run. Fix these first:",
        "vi": "các luồng trong {where} có lỗi nên chưa chạy được. Hãy sửa những lỗi này trước:",
    },
    # Errors that stop a command (bot/errors.py): configuration, database, missing extras
    "error.config": {
        "en": "{source}: setting '{setting}': {problem}",
        "vi": "{source}: thiết lập '{setting}': {problem}",
    },
    "error.config_line": {"en": "line {line}", "vi": "dòng {line}"},
    "error.defaults": {"en": "(built-in defaults)", "vi": "(mặc định có sẵn)"},
    "error.extra": {
        "en": "{what} needs extra packages that are not installed. Install them with: pip install 'trolyso[{extra}]' (or pip install -e '.[{extra}]')",
        "vi": "{what} cần thêm các gói chưa được cài. Hãy cài bằng: pip install 'trolyso[{extra}]' (hoặc pip install -e '.[{extra}]')",
    },
    "config.no_file": {"en": "the file {path} does not exist", "vi": "không có tệp {path}"},
    "config.not_settings": {
        "en": "the file must be a list of settings such as 'database: ...'",
        "vi": "tệp phải là danh sách các thiết lập, ví dụ 'database: ...'",
    },
    "config.unknown_setting": {
        "en": "is not a known setting (check the spelling against config.example.yaml)",
        "vi": "không phải thiết lập bot biết (hãy so chính tả với config.example.yaml)",
    },
    "config.group": {
        "en": "must be a group of settings (indented lines under it)",
        "vi": "phải là một nhóm thiết lập (các dòng thụt vào bên dưới nó)",
    },
    "config.whole_number": {
        "en": "must be a whole number (got {value})",
        "vi": "phải là một số nguyên (đang ghi {value})",
    },
    "config.number": {
        "en": "must be a number (got {value})",
        "vi": "phải là một số (đang ghi {value})",
    },
    "config.yes_no": {
        "en": "must be true or false (got {value})",
        "vi": "phải là true hoặc false (đang ghi {value})",
    },
    "config.text": {
        "en": "must be a text (got {value})",
        "vi": "phải là một đoạn chữ (đang ghi {value})",
    },
    "config.one_of": {
        "en": "must be one of {expected} (got {value})",
        "vi": "phải là một trong {expected} (đang ghi {value})",
    },
    "config.invalid": {
        "en": "{detail} (got {value})",
        "vi": "giá trị {value} không dùng được ở đây ({detail})",
    },
    "config.no_token": {
        "en": "no bot token. Set the environment variable TROLYSO_BOT_TOKEN to the token @BotFather gave you (see the README, 'Run on Telegram').",
        "vi": "chưa có mã bot (token). Hãy đặt biến môi trường TROLYSO_BOT_TOKEN bằng mã @BotFather đã cấp (xem README, mục 'Run on Telegram').",
    },
    "config.webhook_incomplete": {
        "en": "webhook mode needs 'public_url' (the https address Telegram calls) and a secret token (environment variable TROLYSO_WEBHOOK_SECRET).",
        "vi": "chế độ webhook cần 'public_url' (địa chỉ https mà Telegram gọi tới) và một mã bí mật (biến môi trường TROLYSO_WEBHOOK_SECRET).",
    },
    "config.port_taken": {
        "en": "two servers of the bot both want port {port}. Give one of them another port ({first} or {second}).",
        "vi": "hai máy chủ của bot cùng muốn dùng cổng {port}. Hãy cho một trong hai cổng khác ({first} hoặc {second}).",
    },
    "config.token_refused": {
        "en": "Telegram refused to start the bot ({reason}). Check the token.",
        "vi": "Telegram không cho bot chạy ({reason}). Hãy kiểm tra lại mã bot (token).",
    },
    "config.database_scheme": {
        "en": "'{scheme}://' is not a storage this bot has (it knows: a file path, {known})",
        "vi": "bot không có kiểu lưu trữ '{scheme}://' (bot biết: một đường dẫn tệp, {known})",
    },
    "storage.not_open": {
        "en": "the database is not open yet",
        "vi": "cơ sở dữ liệu chưa được mở",
    },
    "storage.read_only": {
        "en": "cannot write the database file {path}: {detail}. The bot may read it but not change it: let the user the bot runs as write the file and its folder (chown or chmod). Do not delete it: it holds the residents' places.",
        "vi": "không ghi được tệp cơ sở dữ liệu {path}: {detail}. Bot đọc được nhưng không sửa được tệp: hãy cho tài khoản chạy bot quyền ghi tệp và thư mục chứa nó (chown hoặc chmod). Đừng xóa tệp: nó giữ chỗ đang làm của người dân.",
    },
    "storage.cannot_use": {
        "en": "cannot use the database file {path}: {detail}. Check the path in the setting 'database', and that the file is a Trợ lý số database (or delete it to start afresh).",
        "vi": "không dùng được tệp cơ sở dữ liệu {path}: {detail}. Hãy kiểm tra đường dẫn ở thiết lập 'database', và tệp đó có đúng là cơ sở dữ liệu của Trợ lý số (hoặc xóa tệp để bắt đầu lại từ đầu).",
    },
    "storage.newer": {
        "en": "the database {path} was written by a newer Trợ lý số (schema {schema}, this version knows {known}). Upgrade the bot before using this file.",
        "vi": "cơ sở dữ liệu {path} do một phiên bản Trợ lý số mới hơn ghi (lược đồ {schema}, bản này chỉ biết tới {known}). Hãy nâng cấp bot trước khi dùng tệp này.",
    },
    "config.database_not_file": {
        "en": "names a PostgreSQL server, not a file: this needs a SQLite file (a path)",
        "vi": "chỉ tới một máy chủ PostgreSQL, không phải một tệp: việc này cần một tệp SQLite (một đường dẫn)",
    },
    "storage.pg_unreachable": {
        "en": "cannot reach the PostgreSQL server of {url}: {detail}. Check that PostgreSQL runs on that machine (sudo systemctl start postgresql; to install it: sudo apt-get install postgresql) and that the host and port in the setting 'database' are right.",
        "vi": "không kết nối được máy chủ PostgreSQL của {url}: {detail}. Hãy kiểm tra PostgreSQL đang chạy trên máy đó (sudo systemctl start postgresql; để cài: sudo apt-get install postgresql) và tên máy, cổng trong thiết lập 'database' là đúng.",
    },
    "storage.pg_no_database": {
        "en": "the PostgreSQL server of {url} has no database '{database}': {detail}. Create it (sudo -u postgres createdb -O {user} {database}) or correct its name in the setting 'database'.",
        "vi": "máy chủ PostgreSQL của {url} không có cơ sở dữ liệu '{database}': {detail}. Hãy tạo nó (sudo -u postgres createdb -O {user} {database}) hoặc sửa lại tên trong thiết lập 'database'.",
    },
    "storage.pg_refused": {
        "en": "the PostgreSQL server of {url} did not let the user '{user}' in: {detail}. Check the user and password in the setting 'database' (to create the user: sudo -u postgres createuser --pwprompt {user}).",
        "vi": "máy chủ PostgreSQL của {url} không cho người dùng '{user}' vào: {detail}. Hãy kiểm tra tên người dùng và mật khẩu trong thiết lập 'database' (để tạo người dùng: sudo -u postgres createuser --pwprompt {user}).",
    },
    "storage.pg_cannot_use": {
        "en": "cannot set up or use the PostgreSQL database {url}: {detail}. The user in the setting 'database' must own that database (sudo -u postgres createdb -O <user> <database>, or ALTER DATABASE <database> OWNER TO <user>), and it must be a Trợ lý số database or an empty one.",
        "vi": "không chuẩn bị hoặc dùng được cơ sở dữ liệu PostgreSQL {url}: {detail}. Người dùng trong thiết lập 'database' phải là chủ của cơ sở dữ liệu đó (sudo -u postgres createdb -O <user> <database>, hoặc ALTER DATABASE <database> OWNER TO <user>), và đó phải là cơ sở dữ liệu của Trợ lý số hoặc một cơ sở dữ liệu trống.",
    },
    "storage.pg_newer": {
        "en": "the PostgreSQL database {url} was set up by a newer Trợ lý số (schema {schema}, this version knows {known}). Upgrade the bot before using this database; an older bot never writes to it.",
        "vi": "cơ sở dữ liệu PostgreSQL {url} do một phiên bản Trợ lý số mới hơn tạo (lược đồ {schema}, bản này chỉ biết tới {known}). Hãy nâng cấp bot trước khi dùng cơ sở dữ liệu này; bot cũ không bao giờ ghi vào đó.",
    },
    "cli.edit_refused": {
        "en": "the edit of the flows was not applied (the previous version is still in use):",
        "vi": "bản sửa luồng chưa được áp dụng (vẫn dùng bản cũ):",
    },
    "cli.cannot_start": {
        "en": "The bot cannot start because the flows have problems:",
        "vi": "Bot chưa khởi động được vì các luồng có lỗi:",
    },
    "cli.fix_and_start_again": {
        "en": "Fix them (run 'trolyso lint' to check) and start again.",
        "vi": "Hãy sửa các lỗi này (chạy 'trolyso lint' để kiểm tra) rồi khởi động lại.",
    },
    "cli.unexpected": {
        "en": "trolyso: unexpected problem: {detail}. Run again with TROLYSO_DEBUG=1 and report what it prints.",
        "vi": "trolyso: gặp trục trặc không lường trước: {detail}. Hãy chạy lại với TROLYSO_DEBUG=1 và gửi báo cáo kèm những gì hiện ra.",
    },
    "cli.no_flow": {
        "en": "there is no flow '{flow}' in {where}.{hint} Flows there: {known}. If its file has errors, run 'trolyso lint'.",
        "vi": "không có luồng '{flow}' trong {where}.{hint} Các luồng ở đó: {known}. Nếu tệp của nó có lỗi, hãy chạy 'trolyso lint'.",
    },
    "cli.drafts": {
        "en": "Trying the drafts in {drafts} on top of the live flows in {live} (a draft with a live flow's id replaces it, for this run only): {flows}.",
        "vi": "Đang thử bản nháp trong {drafts} cùng với các luồng đang chạy trong {live} (bản nháp trùng id với luồng đang chạy sẽ thay luồng đó, chỉ trong lần chạy này): {flows}.",
    },
    # Trying flows in the terminal chat (trolyso chat --try, or with a draft folder)
    "try.intro": {
        "en": "Trying mode (not a resident's conversation): /wait 1d lets a day pass, so reminders due by then are sent (also /wait 2h, /wait 30m).",
        "vi": "Chế độ thử (không phải hội thoại của người dân): /wait 1d cho một ngày trôi qua, các nhắc nhở đến hạn trong lúc đó sẽ được gửi (cũng có /wait 2h, /wait 30m).",
    },
    "try.wait_usage": {
        "en": "Write how long to wait, for example /wait 1d, /wait 2h or /wait 30m (also /wait 1 ngày).",
        "vi": "Hãy viết chờ bao lâu, ví dụ /wait 1d, /wait 2h hoặc /wait 30m (cũng được: /wait 1 ngày).",
    },
    "try.waited": {
        "en": "⏩ {duration} later: it is now {now} (Vietnam time).",
        "vi": "⏩ Sau {duration}: bây giờ là {now} (giờ Việt Nam).",
    },
    "try.sent_at": {
        "en": "⏰ At {at} the bot sent a reminder:",
        "vi": "⏰ Lúc {at} bot gửi nhắc nhở:",
    },
    "try.nothing_due": {
        "en": "No reminder fell due meanwhile.",
        "vi": "Trong lúc đó không có nhắc nhở nào đến hạn.",
    },
    "try.expired": {
        "en": "The flow was left idle longer than its expire_after, so it ended as abandoned. Write anything to be offered to carry on.",
        "vi": "Luồng bị bỏ dở lâu hơn expire_after nên đã kết thúc (abandoned). Gõ một tin bất kỳ để được hỏi có làm tiếp không.",
    },
    "try.held": {
        "en": "A reminder is due, but it is quiet hours ({quiet}): it will be sent at {at}. Type /wait {more} to see it.",
        "vi": "Có một nhắc nhở đến hạn nhưng đang giờ yên lặng ({quiet}): nó sẽ được gửi lúc {at}. Gõ /wait {more} để xem.",
    },
    "cli.schema_written": {
        "en": "Wrote the flow format's JSON Schema to {path}.",
        "vi": "Đã ghi JSON Schema của định dạng luồng vào {path}.",
    },
    "cli.cannot_write": {
        "en": "cannot write {path} ({detail}). Check the folder exists and you may write there.",
        "vi": "không ghi được {path} ({detail}). Kiểm tra thư mục có tồn tại và có quyền ghi.",
    },
    # A button's meaning (means:) and the phrases of each meaning (locales/intents.yaml)
    "schema.bad_meaning": {
        "en": "'{value}' is not a meaning the bot knows.{hint} Use one of: {allowed} (their phrases are in locales/intents.yaml).",
        "vi": "'{value}' không phải một ý nghĩa bot biết.{hint} Dùng một trong: {allowed} (các cụm từ của chúng ở locales/intents.yaml).",
    },
    "intents.missing_file": {
        "en": "there is no {where}: typed words will press a button only when they are its exact words. Copy the file from the bot's own locales/ folder.",
        "vi": "không có tệp {where}: lời gõ chỉ bấm được nút khi gõ đúng chữ trên nút. Hãy chép tệp này từ thư mục locales/ gốc của bot.",
    },
    "intents.not_mapping": {
        "en": "this file lists phrases under each meaning (trouble:, done:, yes:...) and filler:. Copy the shipped locales/intents.yaml as a starting point.",
        "vi": "tệp này liệt kê cụm từ theo từng ý nghĩa (trouble:, done:, yes:...) và filler:. Hãy chép tệp locales/intents.yaml có sẵn để bắt đầu.",
    },
    "intents.unknown_meaning": {
        "en": "'{meaning}' is not a meaning the bot knows.{hint} Use one of: {allowed}, or filler.",
        "vi": "'{meaning}' không phải một ý nghĩa bot biết.{hint} Dùng một trong: {allowed}, hoặc filler.",
    },
    "intents.section": {
        "en": "'{meaning}:' must list phrases per language, like vi: [không được, bị lỗi] and en: [it didn't work].",
        "vi": "'{meaning}:' phải liệt kê cụm từ theo từng ngôn ngữ, ví dụ vi: [không được, bị lỗi] và en: [it didn't work].",
    },
    "intents.empty_phrase": {
        "en": "this phrase has no words (only signs or '...'). Write the words, or remove it.",
        "vi": "cụm từ này không có chữ nào (chỉ có dấu hoặc '...'). Hãy viết chữ vào, hoặc xóa đi.",
    },
    "intents.gap": {
        "en": "'...' stands for one or two words between two others, like 'không ... được'. Put words on both sides of it.",
        "vi": "'...' thay cho một hoặc hai chữ nằm giữa hai chữ khác, ví dụ 'không ... được'. Hãy viết chữ ở cả hai bên.",
    },
    "intents.twice": {
        "en": "'{phrase}' is already under '{first}' (line {first_line}); typed words must mean one thing. Keep it under one of them.",
        "vi": "'{phrase}' đã có ở mục '{first}' (dòng {first_line}); một lời gõ chỉ được mang một ý nghĩa. Hãy giữ nó ở một mục thôi.",
    },
    "intents.no_phrases": {
        "en": "'{meaning}' has no phrases, so typed words never mean it. Add some (see the shipped locales/intents.yaml).",
        "vi": "'{meaning}' chưa có cụm từ nào, nên lời gõ không bao giờ mang ý này. Hãy thêm vào (xem tệp locales/intents.yaml có sẵn).",
    },
}
# trolyso migrate and the Zalo OA keep their sentences beside these (this file would grow past
# 400 lines).
ADMIN_MESSAGES.update(MIGRATE_MESSAGES)
ADMIN_MESSAGES.update(ZALO_MESSAGES)
