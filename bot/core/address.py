"""How the bot speaks to a resident: the form of address they chose and the words that pair with it.

Vietnamese has no neutral "I" and "you". A volunteer calls an elder "bác" and himself "cháu", an
older sibling "anh" and himself "em", a younger person or a peer "em"/"bạn" and himself "mình",
and adds the polite "ạ" only when speaking up to someone. Flow and interface texts get these words
as template names (``{{ toi }}``, ``{{ a }}``) made here from ``xung_ho``, so no text copies them
and a resident is never greeted "Dạ, chào em!" by a bot that calls itself "mình".
"""

from __future__ import annotations

__all__ = ["ADDRESS_NAMES", "DEFAULT_ADDRESS", "address_words"]

# The names every template may use for the address (see "Templates" in docs/flows.md).
ADDRESS_NAMES = frozenset({"xung_ho", "toi", "a"})

# Until the welcome flow has asked, the bot speaks as to a peer: polite without guessing an age.
DEFAULT_ADDRESS = {"vi": "bạn", "en": "you"}

# To the generation of one's parents or grandparents the bot is a grandchild ("cháu"); to "anh"
# and "chị" a younger sibling ("em"). The kin words admins may add to a welcome flow are here too.
_ELDERS = frozenset({"ông", "bà", "bác", "cô", "chú", "dì", "cậu", "mợ", "thím"})
_OLDER_SIBLINGS = frozenset({"anh", "chị"})
# To "em", "bạn" and any word not listed the bot is a friend: "mình", which never sounds wrong.
_PEER_PRONOUN = "mình"


def address_words(xung_ho: str | None, lang: str) -> dict[str, str]:
    """The template names for a resident called ``xung_ho`` (empty: not chosen yet) in ``lang``.

    ``xung_ho`` is the form of address, ``toi`` how the bot calls itself ("cháu", "em", "mình";
    "I" for an English resident who chose nothing) and ``a`` the polite " ạ" with its space,
    written right after a word ("Được{{ a }}," shows "Được ạ," to bác and "Được," to em).
    """
    chosen = (xung_ho or "").strip()
    if not chosen:
        chosen = DEFAULT_ADDRESS.get(lang, DEFAULT_ADDRESS["vi"])
    if chosen == DEFAULT_ADDRESS["en"]:
        return {"xung_ho": chosen, "toi": "I", "a": ""}
    word = chosen.lower()
    toi = "cháu" if word in _ELDERS else "em" if word in _OLDER_SIBLINGS else _PEER_PRONOUN
    return {"xung_ho": chosen, "toi": toi, "a": "" if toi == _PEER_PRONOUN else " ạ"}
