"""The console's one JSON endpoint (the simulator's ``/admin/api/try``) never answers 500:
Hypothesis throws any JSON (and bytes that are not JSON) at it, with a real session."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.app.access import Grant, open_session
from tests.channels.test_web_console import Rig, rig  # noqa: F401  (the fixture)

_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=12,
)
# Shaped like the page's requests, with every field allowed to be wrong.
_TURN = st.fixed_dictionaries(
    {},
    optional={
        "flow": st.sampled_from(["demo_install", "demo_pay", "nope", ""]) | _SCALARS,
        "lang": st.sampled_from(["vi", "en", "fr"]) | _SCALARS,
        "action": st.sampled_from(["start", "press", "say", "x"]) | _SCALARS,
        "value": st.text(max_size=300) | _SCALARS,
        "conversation": st.text(alphabet="0123456789abcdef", min_size=16, max_size=16) | _SCALARS,
    },
)


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


async def test_the_simulator_endpoint_never_fails_with_500(rig: Rig) -> None:  # noqa: F811
    cookie, session = await open_session(
        rig.storage, Grant(actor="fuzz", role="officer"), now=time.time()
    )
    url = rig.base + "/admin/api/try"
    headers = {
        "Cookie": f"trolyso_console={cookie}",
        "X-CSRF-Token": session.csrf,
        "Origin": rig.base,
        "Content-Type": "application/json",
    }
    seen: list[int] = []

    @settings(
        max_examples=120, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    @given(data=_TURN | _JSON, raw=st.binary(max_size=64), broken=st.booleans())
    @example(data={"flow": "demo_install", "lang": "en", "action": "start"}, raw=b"", broken=False)
    def one(data: Any, raw: bytes, broken: bool) -> None:
        body = raw if broken else json.dumps(data).encode("utf-8")
        status = _post(url, body, headers)
        seen.append(status)
        assert status != 500 and status < 500, (data, raw, status)

    await asyncio.to_thread(one)
    assert 200 in seen and 400 in seen  # real turns were tried, and nonsense refused
