"""The web console at ``/admin`` for officers, leaders and volunteers, served with the web chat.

``app`` (login, sessions, roles, CSRF, the admin log), ``html`` (the frame and the CSP),
``numbers`` (the leaders' report, live, and its CSV), ``library`` (the flows as they run, their
diagrams), ``simulator`` (chatting with a flow, drafts included), ``people`` (volunteers, the
commune police's list, a volunteer's households), ``static/`` (style, scripts, the vendored
Mermaid 12.3.0 with its licence).
"""

from bot.channels.web.console.app import Console

__all__ = ["Console"]
