"""The typing shortcuts residents use, and one spelling for words that have several.

Both what residents type and the flows' own phrases go through these tables, so a shortcut only
has to be listed once and works everywhere: "ko dc" in a message meets "không được" in a trigger.
Everything here is already folded (lower case, no diacritics, no punctuation).
"""

from __future__ import annotations

__all__ = ["PHRASES", "WORDS"]

# One typed word -> the words it stands for. Only shortcuts with a single common meaning: "bn"
# (bạn? bao nhiêu?) and "hd" (hướng dẫn? hóa đơn?) are left alone on purpose.
WORDS: dict[str, str] = {
    # không
    "ko": "khong",
    "k": "khong",
    "kh": "khong",
    "khg": "khong",
    "kg": "khong",
    "hok": "khong",
    "hong": "khong",
    "hk": "khong",
    "hem": "khong",
    "khum": "khong",
    # được
    "dc": "duoc",
    "dx": "duoc",
    # gì, thế nào, vậy, muốn, quên, bây giờ, qua (teencode, and the South's "dzậy")
    "j": "gi",
    "ntn": "the nao",
    "z": "vay",
    "dzay": "vay",
    "mun": "muon",
    "wen": "quen",
    "bj": "bay gio",
    "bjo": "bay gio",
    "qa": "qua",
    "wa": "qua",
    "ak": "a",
    # people and things
    "ng": "nguoi",
    "sdt": "so dien thoai",
    "stk": "so tai khoan",
    "tk": "tai khoan",
    "mk": "mat khau",
    "pass": "mat khau",
    "pw": "mat khau",
    "dvc": "dich vu cong",
    "ck": "chuyen khoan",
    "cty": "cong ty",
    "mn": "moi nguoi",
    # small words
    "r": "roi",
    "vs": "voi",
    "bt": "biet",
    "bit": "biet",
    "lm": "lam",
    "ms": "moi",
    "cx": "cung",
    "trc": "truoc",
    "hnay": "hom nay",
    "ki": "ky",
    "dky": "dang ky",
    "dki": "dang ky",
    "lv": "level",
    # the same word, spelt several ways
    "oke": "ok",
    "okie": "ok",
    "oki": "ok",
    "okay": "ok",
    "okela": "ok",
    "tks": "thanks",
    "thks": "thanks",
    "thx": "thanks",
    "tnx": "thanks",
    "camon": "cam on",
    "cmon": "cam on",
    "allo": "alo",
    "yte": "y te",
    "vnid": "vneid",
}

# Several words -> one spelling. Longer keys win, so context can pick the meaning of an
# ambiguous shortcut: "ko dk" is "không được", but "dk vneid" is "đăng ký VNeID".
PHRASES: dict[str, str] = {
    # đk: đăng ký, except after a negation where it means "được"
    "khong dk": "khong duoc",
    "chua dk": "chua duoc",
    "dk": "dang ky",
    # đt: điện thoại, except in "định danh điện tử"
    "dinh danh dt": "dinh danh dien tu",
    "dt": "dien thoai",
    # the apps and cards, however they are split or spelt out
    "vn eid": "vneid",
    "v neid": "vneid",
    "vn e id": "vneid",
    "v n eid": "vneid",
    "vss id": "vssid",
    "bao hiem y te": "bhyt",
    "bh yt": "bhyt",
    "bao hiem xa hoi": "bhxh",
    "can cuoc cong dan": "cccd",
    "viet qr": "vietqr",
    "ma otp": "otp",
    "o t p": "otp",
    "ma qr": "qr",
    "ung dung": "app",
    "truc tuyen": "online",
    "nhu the nao": "the nao",
    # levels of the VNeID account
    "muc mot": "muc 1",
    "muc hai": "muc 2",
    "level one": "level 1",
    "level two": "level 2",
    # the Centre's "mần răng" / "ra răng" (làm sao, thế nào)
    "man rang": "lam sao",
    "ra rang": "the nao",
    # greetings typed as they sound
    "he lo": "hello",
    "a lo": "alo",
    "cam onn": "cam on",
    "thank u": "thank you",
}
