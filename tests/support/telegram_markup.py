"""How Telegram renders ``parse_mode`` text, as far as a test needs it.

The point is not pixel-perfect formatting but catching the errors that bite in production:
a stray ``<`` in HTML mode or an unescaped ``.`` in MarkdownV2 makes Telegram refuse the
whole message with "Bad Request: can't parse entities: ...". HTML is rendered into plain text
plus entities like Telegram does; MarkdownV2 is only checked for unescaped reserved characters
and has its escapes removed.
"""

from __future__ import annotations

import re
from typing import Any

from tests.support.telegram_updates import utf16_len

CANT_PARSE = "Bad Request: can't parse entities: "

_HTML_TAG = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)"
    r"((?:\s+[a-zA-Z_:-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*)\s*>"
)
_HTML_ATTR = re.compile(r"([a-zA-Z_:-]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+)))?")
# Telegram supports all numeric character references but only these named ones.
_HTML_ENTITY = re.compile(r"&(?:#(\d+)|#[xX]([0-9a-fA-F]+)|(lt|gt|amp|quot));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",  # only with class="tg-spoiler", checked below
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
# Always reserved in MarkdownV2 (the formatting characters *, _, ~, |, `, [ ] ( ) are markup).
_MD2_RESERVED = set("#+-={}.!>")


# Where plain text stops: a tag or a character entity may begin there.
_MARKUP_START = re.compile(r"[<&]")


class EntityParseError(ValueError):
    """Raised with Telegram's description when text cannot be parsed in its parse_mode."""


def render(text: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    """Return ``(plain_text, entities)`` the way Telegram stores a message sent with
    ``parse_mode``; raise :class:`EntityParseError` where Telegram would answer 400."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        return _render_html(text)
    if mode == "markdownv2":
        return _render_markdown_v2(text), []
    return text, []


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _render_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    out: list[str] = []
    pos = 0  # UTF-16 length of what is in ``out``: entity offsets are counted in it
    stack: list[tuple[str, dict[str, str], int]] = []
    entities: list[dict[str, Any]] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "<":
            match = _HTML_TAG.match(text, i)
            if match is None:
                raise EntityParseError(
                    f"{CANT_PARSE}Unsupported start tag at byte offset {_byte_offset(text, i)}"
                )
            closing, name, raw_attrs = match.group(1), match.group(2).lower(), match.group(3)
            if closing:
                if not stack or stack[-1][0] != name:
                    expected = f'"</{stack[-1][0]}>"' if stack else "nothing"
                    raise EntityParseError(
                        f"{CANT_PARSE}Unmatched end tag at byte offset "
                        f'{_byte_offset(text, i)}, expected {expected}, found "</{name}>"'
                    )
                _, attrs, start = stack.pop()
                entity = _html_entity(name, attrs, start, pos - start, stack)
                if entity is not None:
                    entities.append(entity)
            else:
                attrs = {
                    a.group(1).lower(): next((g for g in a.groups()[1:] if g is not None), "")
                    for a in _HTML_ATTR.finditer(raw_attrs)
                }
                if name not in _HTML_TAGS or (
                    name == "span" and attrs.get("class") != "tg-spoiler"
                ):
                    raise EntityParseError(
                        f'{CANT_PARSE}Unsupported start tag "{name}" at byte offset '
                        f"{_byte_offset(text, i)}"
                    )
                stack.append((name, attrs, pos))
            i = match.end()
            continue
        if char == "&" and (entity_match := _HTML_ENTITY.match(text, i)):
            dec, hexa, named = entity_match.groups()
            char = _NAMED[named] if named else chr(int(dec) if dec else int(hexa, 16))
            i = entity_match.end()
        else:
            # A run of plain text up to the next tag or entity, taken at once (most of a text).
            end = _MARKUP_START.search(text, i + 1)
            char = text[i : end.start() if end else len(text)]
            i += len(char)
        out.append(char)
        pos += utf16_len(char)
    if stack:
        raise EntityParseError(
            f'{CANT_PARSE}Can\'t find end tag corresponding to start tag "{stack[-1][0]}"'
        )
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _html_entity(
    name: str,
    attrs: dict[str, str],
    offset: int,
    length: int,
    stack: list[tuple[str, dict[str, str], int]],
) -> dict[str, Any] | None:
    """The entity for a closed tag, or None when Telegram folds it into another one."""
    if length == 0:
        return None
    kind = _HTML_TAGS[name]
    if name == "code" and stack and stack[-1][0] == "pre":
        # <pre><code class="language-x"> is one pre entity with a language.
        language = attrs.get("class", "").removeprefix("language-")
        if language:
            stack[-1][1]["language"] = language
        return None
    entity: dict[str, Any] = {"type": kind, "offset": offset, "length": length}
    if kind == "text_link":
        entity["url"] = attrs.get("href", "")
    elif kind == "pre" and attrs.get("language"):
        entity["language"] = attrs["language"]
    elif kind == "custom_emoji":
        entity["custom_emoji_id"] = attrs.get("emoji-id", "")
    elif kind == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    return entity


def _render_markdown_v2(text: str) -> str:
    out: list[str] = []
    i = 0
    in_code = False
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        if char == "(" and i > 0 and text[i - 1] == "]" and not in_code:
            # The URL of an inline link: only ")" and "\\" need escaping in it.
            end = text.find(")", i)
            i = len(text) if end == -1 else end + 1
            continue
        if char == "`":
            in_code = not in_code
        elif in_code:
            out.append(char)
        elif char == ">" and (i == 0 or text[i - 1] == "\n"):
            pass  # a quote marker at line start is markup
        elif char in _MD2_RESERVED:
            raise EntityParseError(
                f"{CANT_PARSE}Character '{char}' is reserved and must be escaped with the "
                "preceding '\\'"
            )
        elif char not in "*_~|[]()":
            out.append(char)
        i += 1
    return "".join(out)
