"""The web chat's one HTML page: small, no framework, no external address, both languages inside.

The words of the page itself come from the locales (``web.*``), in both languages, so the
language switch needs no reload; everything is escaped here, and the script reads them with
``JSON.parse`` from a data attribute (no inline script: the Content-Security-Policy forbids it).
"""

from __future__ import annotations

import html
import json

from bot.i18n.catalog import Catalog

__all__ = ["PAGE_TEXTS", "page_html"]

PAGE_TEXTS = (
    "title",
    "tagline",
    "placeholder",
    "send",
    "you",
    "reconnecting",
    "offline",
    "menu",
    "help",
    "language",
    "slow_down",
    "too_long",
)


def _texts(catalog: Catalog, lang: str) -> dict[str, str]:
    texts = {name: catalog.text(f"web.{name}", lang) for name in PAGE_TEXTS}
    texts["bot"] = catalog.text("console.bot", lang)
    return texts


def page_html(catalog: Catalog, lang: str) -> str:
    """The page, first shown in ``lang``."""
    texts = {code: _texts(catalog, code) for code in ("vi", "en")}
    shown = texts[lang]
    data = html.escape(json.dumps(texts, ensure_ascii=False), quote=True)

    def e(name: str) -> str:
        return html.escape(shown[name], quote=True)

    no_script = html.escape(catalog.text("web.no_script", lang))
    return f"""<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e("title")}</title>
<link rel="stylesheet" href="/static/app.css">
<script src="/static/app.js" defer></script>
</head>
<body data-lang="{lang}" data-texts="{data}">
<header class="top">
<h1>{e("title")}</h1>
<p class="tagline" id="tagline">{e("tagline")}</p>
</header>
<main id="transcript" class="transcript" role="log" aria-live="polite"
 aria-relevant="additions"></main>
<p id="status" class="status" role="status" hidden></p>
<noscript><p class="status">{no_script}</p></noscript>
<nav class="tools" aria-label="{e("help")}">
<button type="button" class="tool" data-command="/menu" id="tool-menu">{e("menu")}</button>
<button type="button" class="tool" data-command="/help" id="tool-help">{e("help")}</button>
<button type="button" class="tool" data-command="/lang" id="tool-lang">{e("language")}</button>
</nav>
<form id="composer" class="composer" autocomplete="off">
<label class="hidden" for="say">{e("placeholder")}</label>
<input id="say" name="say" type="text" maxlength="1000" enterkeyhint="send"
 placeholder="{e("placeholder")}">
<button id="send" type="submit">{e("send")}</button>
</form>
</body>
</html>
"""
