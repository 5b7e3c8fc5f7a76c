# ruff: noqa: E501  (a catalog of sentences reads better unbroken, as in admin_messages.py)
"""What the Zalo OA channel tells an admin, in Vietnamese and English: a sibling of
``bot.core.admin_messages``, merged into the same catalog.

Every problem says what is wrong and what to do; no secret or token is ever a parameter.
"""

from __future__ import annotations

__all__ = ["ZALO_MESSAGES"]

ZALO_MESSAGES: dict[str, dict[str, str]] = {
    "config.zalo_incomplete": {
        "en": "the Zalo OA needs {missing} (see the README, 'Run on Zalo').",
        "vi": "Zalo OA còn thiếu {missing} (xem README, mục 'Run on Zalo').",
    },
    "config.zalo_token_key": {
        "en": "the Zalo OA needs the key that encrypts its tokens in the database: set the environment variable TROLYSO_ZALO_TOKEN_KEY to the key `trolyso zalo-key` prints, keep it with the other secrets, and start the bot again.",
        "vi": "Zalo OA cần khóa để mã hóa các mã truy cập lưu trong cơ sở dữ liệu: hãy đặt biến môi trường TROLYSO_ZALO_TOKEN_KEY bằng khóa do lệnh `trolyso zalo-key` in ra, cất cùng các mã bí mật khác, rồi khởi động lại bot.",
    },
    "config.zalo_token_key_malformed": {
        "en": "TROLYSO_ZALO_TOKEN_KEY is not a key this bot can use (it is 44 letters, digits, '-' and '_', ending in '='). Copy it again whole, or make a new one with `trolyso zalo-key` (a new key then needs a new TROLYSO_ZALO_REFRESH_TOKEN too).",
        "vi": "TROLYSO_ZALO_TOKEN_KEY không phải khóa bot dùng được (khóa gồm 44 chữ, số, '-' và '_', kết thúc bằng '='). Hãy chép lại cho đủ, hoặc tạo khóa mới bằng `trolyso zalo-key` (khóa mới thì cần cả TROLYSO_ZALO_REFRESH_TOKEN mới).",
    },
    "config.zalo_token_key_wrong": {
        "en": "TROLYSO_ZALO_TOKEN_KEY does not open the Zalo tokens kept in the database: it is not the key they were encrypted with. Set the key used before; if it is lost, get a new refresh token from the Zalo app's page (developers.zalo.me), set TROLYSO_ZALO_REFRESH_TOKEN to it and start again.",
        "vi": "TROLYSO_ZALO_TOKEN_KEY không mở được các mã Zalo lưu trong cơ sở dữ liệu: đây không phải khóa đã dùng để mã hóa chúng. Hãy đặt lại khóa cũ; nếu đã mất khóa, vào trang ứng dụng Zalo (developers.zalo.me) lấy mã làm mới (refresh token) mới, đặt biến TROLYSO_ZALO_REFRESH_TOKEN bằng mã đó rồi khởi động lại.",
    },
    "zalo.token_refused": {
        "en": "Zalo refused to renew the OA's access token ({reason}): nothing can be sent to Zalo residents. In the Zalo app's page (developers.zalo.me) get a new refresh token, set TROLYSO_ZALO_REFRESH_TOKEN to it and restart the bot.",
        "vi": "Zalo không cho gia hạn mã truy cập của OA ({reason}): không gửi được tin nào cho người dân trên Zalo. Vào trang ứng dụng Zalo (developers.zalo.me) lấy mã làm mới (refresh token) mới, đặt biến TROLYSO_ZALO_REFRESH_TOKEN bằng mã đó rồi khởi động lại bot.",
    },
    "zalo.key_made": {
        "en": "A new key for TROLYSO_ZALO_TOKEN_KEY (keep it secret, with the other Zalo secrets; the bot cannot read its tokens without it):",
        "vi": "Khóa mới cho TROLYSO_ZALO_TOKEN_KEY (giữ bí mật, cùng các mã Zalo khác; thiếu khóa này bot không đọc được các mã truy cập đã lưu):",
    },
}
