"""Words that say little about what a resident wants, and everyday words that are not typos.

Folded spelling (no diacritics). Without diacritics Vietnamese syllables collide ("the" is both
"thẻ", a card, and "thế", in "thế nào"), so these lists stay small and only hold words that are
filler whatever their diacritics were.
"""

from __future__ import annotations

__all__ = ["COMMON", "STOPWORDS"]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Little words of questions, politeness and address. They still match inside a phrase, but weigh
# little, so "cho tôi hỏi" does not make two texts look alike.
STOPWORDS: frozenset[str] = _words(
    """
    a ah ak ha he nhe nha nhi hen oi u uh um vay ay day nao gi sao dau o thi la ma cua cho toi
    tui minh em anh chi bac co chu ong ba me bo con chau ban cac nhung mot nay do kia roi voi va
    hay hoac de den vao ra tu trong tren duoi khi neu nhu nhieu it qua lam phai duoc khong chua da
    dang se cung van moi muon giup xin ai gio luc ho no xem dung huong dan the ba vui long nhe
    i me my mine you your we our he she they them it its is are am was were be been do does did
    how what where when why which who can could would should will please to an the of in on at
    for from with and or this that these those there here just about want need help not no yes
    have has had some any mom dad mother father mum
    """
)

# Everyday syllables and English words: known as they are, so never "corrected" to a flow's word
# ("thoi tiet" is the weather, not a misspelt "thoai").
COMMON: frozenset[str] = _words(
    """
    khong nguoi duoc nhung trong thoi tiet nhieu thuong chung truoc cung nhau minh chua dang muon
    biet hieu thay thich nghe noi nhin xong ngay thang tuan buoi sang chieu toi dem hom nay mai
    qua phut tien vang xang gao lua thit rau banh canh nuoc dien thoai duong pho lang phuong huyen
    tinh thanh viet trung quoc benh vien thuoc khoe chan mat nhap xuat hang chuyen khoan ngan gui
    nhan kiem suat bong choi phim nhac buon vui dep xau manh yeu cach viec hoc truong giao sinh
    chong tre lon cao thap rong nhanh cham ngoai giua lanh nong mua nang ket xuan cuoi dong tuoi
    song chet khac giong phong khach tinh yeu nguoi ta chiec chao bieu dinh hoat kich kinh tang
    giam nhieu lich honda yamaha samsung oppo iphone xiaomi zalo facebook youtube tiktok google
    weather today price gold sell buy car motorbike lottery football news music movie sad happy
    time what where which when thank thanks hello loai mien bac nam tot xau gia re dat ngon
    """
)
