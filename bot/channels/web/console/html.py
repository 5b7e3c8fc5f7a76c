"""The console's pages as HTML: one frame (navigation by role, log out), escaped everywhere.

No inline script or style: the Content-Security-Policy allows only the console's own files.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from aiohttp import web

from bot.core.console_messages import console_text

__all__ = ["CSP", "DIAGRAM_CSP", "e", "layout", "message_page", "page", "table"]

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# Mermaid writes the diagram's look into a <style> inside the SVG it draws and sets style
# attributes on it: the diagram page alone also allows inline styles. Scripts stay 'self' only,
# so an injected style cannot run anything.
DIAGRAM_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
_NAV = (
    ("numbers", "/admin/numbers", {"officer", "leader"}),
    ("flows", "/admin/flows", {"officer"}),
    ("people", "/admin/people", {"officer"}),
    ("police", "/admin/police", {"officer"}),
    ("tickets", "/admin/tickets", {"officer", "volunteer"}),
    ("log", "/admin/log", {"officer"}),
    ("households", "/admin/households", {"volunteer"}),
)


def e(text: object) -> str:
    """``text`` safe inside HTML, attributes included."""
    return escape(str(text), quote=True)


def page(html: str, *, status: int = 200, csp: str = CSP) -> web.Response:
    """An HTML answer under the console's Content-Security-Policy."""
    response = web.Response(text=html, status=status, content_type="text/html", charset="utf-8")
    response.headers["Content-Security-Policy"] = csp
    # "no-referrer" (the web chat's) makes a browser send "Origin: null" with a form, and the
    # console checks every form's origin: within the site the address may go, never outside.
    response.headers["Referrer-Policy"] = "same-origin"
    response.enable_compression()
    return response


def _head(title: str, lang: str, scripts: Sequence[str]) -> str:
    tags = "".join(f'<script src="/admin/static/{e(s)}" defer></script>' for s in scripts)
    return (
        f'<!doctype html>\n<html lang="{e(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(title)} · {e(console_text('title', lang))}</title>\n"
        '<link rel="stylesheet" href="/admin/static/report.css">\n'
        '<link rel="stylesheet" href="/admin/static/console.css">\n'
        f'<script src="/admin/static/console.js" defer></script>{tags}\n</head>\n'
    )


def layout(
    title: str,
    body: str,
    *,
    lang: str,
    role: str,
    csrf: str,
    wide: bool = False,
    scripts: Sequence[str] = (),
) -> str:
    """A console page: the navigation this role may use, the page, and the log-out button."""
    links = "".join(
        f'<a href="{href}">{e(console_text("nav." + name, lang))}</a>'
        for name, href, roles in _NAV
        if role in roles
    )
    other = "en" if lang == "vi" else "vi"
    return (
        _head(title, lang, scripts)
        + f'<body class="console" data-csrf="{e(csrf)}" data-lang="{e(lang)}">\n'
        + '<header class="topbar"><span class="brand">Trợ lý số</span>'
        + f'<nav class="nav">{links}</nav>'
        + f'<span class="who">{e(console_text("role." + role, lang))}</span>'
        + f'<a class="lang" href="/admin/lang/{other}">{other.upper()}</a>'
        + '<form method="post" action="/admin/logout" class="logout">'
        + f'<input type="hidden" name="csrf" value="{e(csrf)}">'
        + f'<button type="submit">{e(console_text("logout", lang))}</button></form></header>\n'
        + f'<main class="{"wide" if wide else "narrow"}">\n{body}\n</main>\n</body>\n</html>\n'
    )


def message_page(title: str, text: str, lang: str, *, raw: bool = False) -> str:
    """A page without a session (login): a title and one message (``raw``: already HTML)."""
    shown = text if raw else f"<p>{e(text)}</p>"
    return (
        _head(title, lang, ())
        + '<body class="console">\n<header class="topbar"><span class="brand">Trợ lý số</span>'
        + "</header>\n"
        + f'<main class="narrow"><section class="card login"><h1>{e(title)}</h1>{shown}'
        + "</section></main>\n</body>\n</html>\n"
    )


def table(head: Sequence[str], rows: Iterable[Sequence[str]], *, css: str = "") -> str:
    """A table whose cells are already HTML (each labelled for the phone layout)."""
    header = "".join(f"<th>{e(h)}</th>" for h in head)
    lines = "".join(
        "<tr>"
        + "".join(
            f'<td data-label="{e(h)}">{cell}</td>' for h, cell in zip(head, row, strict=False)
        )
        + "</tr>"
        for row in rows
    )
    return (
        f'<table class="grid {css}"><thead><tr>{header}</tr></thead><tbody>{lines}</tbody></table>'
    )
