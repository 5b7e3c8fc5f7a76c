"""The OA's access token: renewed before it expires, by one process at a time, kept in the
database with the refresh token that replaces the used one.

A refresh token works once. So the pair is renewed under a lease (a row of ``channel_state``
claimed with a conditional update) and written back, with the lease released, by one statement;
a process that did not get the lease waits for the new pair instead of renewing it again. The
first refresh token comes from ``TROLYSO_ZALO_REFRESH_TOKEN``; after that the database's is the
one that works (a new one set in the environment is noticed and used once). The pair is kept
encrypted with TROLYSO_ZALO_TOKEN_KEY (bot.channels.zalo.sealed).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from bot.channels.zalo.client import TokenRefused, ZaloClient
from bot.channels.zalo.sealed import TokenSeal, WrongKey
from bot.config import ZaloSettings
from bot.core.errors import ConfigError, Transient
from bot.core.messages import describe
from bot.storage.channel_state import ChannelStateStore

__all__ = ["TOKENS", "TokenKeeper", "Tokens"]

log = logging.getLogger(__name__)
TOKENS = "oa_tokens"
CHANNEL = "zalo"  # the name the tokens are kept under in channel_state


@dataclass(frozen=True, slots=True)
class Tokens:
    """A pair Zalo gave, when the access token expires, and which first refresh token it grew
    from (a digest: a new one in the environment starts a new line)."""

    access: str
    refresh: str
    expires_at: float
    seed: str

    def dumps(self) -> str:
        """As kept in the database."""
        return json.dumps(
            {
                "access": self.access,
                "refresh": self.refresh,
                "expires_at": self.expires_at,
                "seed": self.seed,
            }
        )

    @classmethod
    def loads(cls, text: str) -> Tokens | None:
        """Read back; None for a value that is not a pair."""
        try:
            data = json.loads(text)
            return cls(
                str(data["access"]),
                str(data["refresh"]),
                float(data["expires_at"]),
                str(data["seed"]),
            )
        except (ValueError, KeyError, TypeError):
            return None


def _seed(refresh_token: str) -> str:
    return hashlib.sha256(refresh_token.encode()).hexdigest()[:16] if refresh_token else ""


class TokenKeeper:
    """Hands out a valid access token, renewing it when it is due (once, across processes)."""

    def __init__(
        self,
        settings: ZaloSettings,
        state: ChannelStateStore,
        client: ZaloClient,
        *,
        seal: TokenSeal,
        clock: Callable[[], float] = time.time,
        hide: Callable[[str], None] = lambda secret: None,
    ) -> None:
        self.settings, self.state, self.client, self.clock = settings, state, client, clock
        self.seal = seal
        self.hide = hide  # every token read or given is kept out of the log
        self.holder = uuid.uuid4().hex  # this process, as the lease knows it
        self._current: Tokens | None = None
        self._lock = asyncio.Lock()  # one renewal at a time within the process too
        self.renewals = 0
        self._refused = False  # said to the admin once, until a renewal works again

    def _fresh(self, tokens: Tokens | None, rejected: str) -> bool:
        if tokens is None or tokens.access == rejected:
            return False
        seed = _seed(self.settings.refresh_token)
        if seed and tokens.seed != seed:
            return False  # the environment has a new first token: start from it
        return tokens.expires_at - self.settings.refresh_before_seconds > self.clock()

    async def access_token(self, *, rejected: str = "") -> str:
        """A token Zalo accepts (``rejected``: the one it just refused, to be renewed)."""
        if self._fresh(self._current, rejected):
            assert self._current is not None
            return self._current.access
        async with self._lock:
            deadline = self.clock() + self.settings.lease_seconds * 2
            while True:
                stored = await self._stored()
                if self._fresh(stored, rejected):
                    assert stored is not None
                    self._current = stored
                    self.hide(stored.access)
                    return stored.access
                if await self._claim():
                    try:
                        return await self._renew(rejected)
                    finally:
                        await self.state.release_channel_lease(CHANNEL, TOKENS, self.holder)
                if self.clock() > deadline:
                    raise Transient(
                        "another process is renewing the Zalo token and has not finished"
                    )
                await asyncio.sleep(0.2)  # another process renews: its pair is read next

    async def open(self) -> None:
        """At start: the key must open the kept pair (else the admin is told what to do); a
        pair kept in clear by an older version is encrypted now."""
        found = await self.state.channel_value(CHANNEL, TOKENS)
        if found is None or not found.value:
            return
        if TokenSeal.sealed(found.value):
            try:
                self.seal.open(found.value)
            except WrongKey:
                if not self._new_seed(found.value):
                    raise ConfigError(
                        "TROLYSO_ZALO_TOKEN_KEY",
                        "does not open the Zalo tokens kept in the database",
                        source="environment",
                        code="config.zalo_token_key_wrong",
                    ) from None
            return
        if not await self._claim():
            return  # another process renews the pair now: it writes it encrypted
        try:
            found = await self.state.channel_value(CHANNEL, TOKENS)
            tokens = Tokens.loads(found.value) if found is not None else None
            if found is None or tokens is None or TokenSeal.sealed(found.value):
                return
            self.hide(tokens.access)
            self.hide(tokens.refresh)
            sealed = self.seal.seal(found.value, seed=tokens.seed)
            if await self.state.put_channel_value(
                CHANNEL, TOKENS, sealed, at=self.clock(), holder=self.holder
            ):
                log.info("the Zalo tokens kept in clear in the database are now encrypted")
        finally:
            await self.state.release_channel_lease(CHANNEL, TOKENS, self.holder)

    def _new_seed(self, stored: str) -> bool:
        """True when the environment's refresh token is not the one the kept pair grew from."""
        seed = _seed(self.settings.refresh_token)
        return bool(seed) and TokenSeal.seed_of(stored) != seed

    async def _stored(self) -> Tokens | None:
        found = await self.state.channel_value(CHANNEL, TOKENS)
        if found is None or not found.value:
            return None
        try:
            return Tokens.loads(self.seal.open(found.value))
        except WrongKey:
            if self._new_seed(found.value):
                return None  # a new first refresh token: a new pair grows from it
            # Another process, with another key, wrote them while this one runs: said once.
            if not self._refused:
                self._refused = True
                log.error(
                    "%s / %s",
                    describe("config.zalo_token_key_wrong", {}, "en"),
                    describe("config.zalo_token_key_wrong", {}, "vi"),
                )
            raise Transient("the Zalo tokens kept cannot be opened with this key") from None

    def _kept(self, tokens: Tokens) -> str:
        """The pair as kept in the database: encrypted."""
        return self.seal.seal(tokens.dumps(), seed=tokens.seed)

    async def _claim(self) -> bool:
        now = self.clock()
        return await self.state.claim_channel_lease(
            CHANNEL, TOKENS, self.holder, now=now, until=now + self.settings.lease_seconds
        )

    async def _renew(self, rejected: str) -> str:
        """With the lease held: read the pair again (another process may just have renewed it),
        else renew it and keep the new pair, releasing the lease in the same write."""
        stored = await self._stored()
        if self._fresh(stored, rejected):
            assert stored is not None
            self._current = stored
            return stored.access
        seed = _seed(self.settings.refresh_token)
        if stored is None or (seed and stored.seed != seed):
            refresh = self.settings.refresh_token
        else:
            refresh = stored.refresh
        if not refresh:
            self._say_refused("no refresh token")
            raise TokenRefused("no Zalo refresh token (TROLYSO_ZALO_REFRESH_TOKEN)")
        try:
            answer = await self.client.renew(refresh)
        except TokenRefused as exc:
            self._say_refused(str(exc))
            raise
        self._refused = False
        lifetime = float(answer.get("expires_in") or self.settings.token_lifetime_seconds)
        tokens = Tokens(
            access=str(answer["access_token"]),
            refresh=str(answer["refresh_token"]),
            expires_at=self.clock() + lifetime,
            seed=seed or (stored.seed if stored else ""),
        )
        self.renewals += 1
        self.hide(tokens.access)
        self.hide(tokens.refresh)
        kept = await self.state.put_channel_value(
            CHANNEL, TOKENS, self._kept(tokens), at=self.clock(), holder=self.holder
        )
        if not kept:
            # The lease ran out while Zalo answered: keep the pair anyway, it is the only one.
            await self.state.put_channel_value(CHANNEL, TOKENS, self._kept(tokens), at=self.clock())
            log.warning("the Zalo token was renewed after its lease ran out (zalo.lease_seconds)")
        self._current = tokens
        log.info("the Zalo access token was renewed; it is valid for %.0f hours", lifetime / 3600)
        return tokens.access

    def _say_refused(self, reason: str) -> None:
        """Tell the admin once, in both languages, what to do (the replies wait meanwhile)."""
        if self._refused:
            return
        self._refused = True
        params = {"reason": reason}
        log.error(
            "%s / %s",
            describe("zalo.token_refused", params, "en"),
            describe("zalo.token_refused", params, "vi"),
        )
