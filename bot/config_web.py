"""The ``web:`` settings group: the web chat in a browser and, on the same server, the web
console at ``/admin`` (a module of its own, like ``bot.config_zalo``, so ``bot.config`` stays
small)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["WebSettings"]


class WebSettings(BaseModel):
    """The web chat (``trolyso web``; ``trolyso run`` serves it too when ``web:`` is set)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)  # 0: any free port (it is printed)
    # The address residents open (https://..., behind the reverse proxy): posters' QR codes.
    public_url: str = ""
    # Behind nginx: take the resident's address from X-Forwarded-For (for the rate limits only).
    trust_proxy: bool = False
    # Typed messages a second each resident may send (a short burst is allowed).
    messages_per_second: float = Field(default=2.0, gt=0)
    # Requests a second from one address (pages, connections, polls; bursts of twice that). A
    # school's or the commune office's Wi-Fi is many residents behind one address.
    address_requests_per_second: float = Field(default=30.0, gt=0)
    # The web console's simulator tries this folder of draft flows over the live ones
    # (like ``trolyso chat --flows``); empty: the live flows only.
    console_drafts: str = ""
