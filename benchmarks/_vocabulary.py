"""Words the benchmarks use to make copied flows differ, as a real flow library's would."""

from __future__ import annotations

PLACES = ["ở xã", "cho người già", "trên điện thoại", "ở phường", "tại nhà", "cho con"]
COMMUNES = [
    f"{first} {second}"
    for first in ("Lộc", "Thạch", "Hòa", "An", "Phú", "Tân", "Bình")
    for second in ("Hà", "Kim", "Sơn", "Lợi", "Thịnh")
]
TOPICS = [
    "giấy khai sinh",
    "đăng ký kết hôn",
    "giấy phép xây dựng",
    "trợ cấp người cao tuổi",
    "hộ nghèo",
    "bảo hiểm xã hội",
    "lý lịch tư pháp",
    "đất đai",
    "thuế hộ kinh doanh",
    "đăng ký xe",
    "chứng thực",
    "học bổng",
    "khám sức khỏe",
    "tiêm chủng",
    "điện nông thôn",
    "nước sạch",
    "thẻ ngân hàng",
    "ví điện tử",
    "sổ đỏ",
    "hộ chiếu",
]
TOPICS_EN = [
    "birth certificate",
    "marriage registration",
    "building permit",
    "elderly allowance",
    "poor household",
    "social insurance",
    "criminal record",
    "land",
    "household tax",
    "vehicle registration",
    "certification",
    "scholarship",
    "health check",
    "vaccination",
    "rural electricity",
    "clean water",
    "bank card",
    "e-wallet",
    "land-use certificate",
    "passport",
]
