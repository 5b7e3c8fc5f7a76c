"""The OA's tokens at rest: encrypted with a key from the environment (TROLYSO_ZALO_TOKEN_KEY).

Fernet from the ``cryptography`` library: authenticated encryption (AES and HMAC-SHA256) with
one url-safe key, its format versioned and a tampered or foreign value refused, so nothing
here is cryptography made by hand. A kept value reads ``fernet:<seed>:<token>``: the seed (a
digest of the first refresh token the pair grew from, never the token) stays readable, so a
new refresh token set in the environment can start a new pair even when the old key is lost.
Values kept in clear by an older version are read and then encrypted (:meth:`TokenSeal.sealed`).
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

from bot.core.errors import ConfigError

__all__ = ["SEALED", "TokenSeal", "WrongKey", "new_key"]

SEALED = "fernet:"


class WrongKey(Exception):
    """The key does not open a kept value (another key encrypted it, or it was changed)."""


def new_key() -> str:
    """A new key for TROLYSO_ZALO_TOKEN_KEY (``trolyso zalo-key`` prints it)."""
    return Fernet.generate_key().decode()


class TokenSeal:
    """Encrypts and opens the kept token pair with the configured key."""

    def __init__(self, key: str) -> None:
        if not key:
            raise ConfigError(
                "TROLYSO_ZALO_TOKEN_KEY",
                "the Zalo OA needs the key that encrypts its tokens (see `trolyso zalo-key`)",
                source="environment",
                code="config.zalo_token_key",
            )
        try:
            self._fernet = Fernet(key.strip().encode())
        except ValueError:
            raise ConfigError(
                "TROLYSO_ZALO_TOKEN_KEY",
                "not a Fernet key (44 url-safe base64 characters)",
                source="environment",
                code="config.zalo_token_key_malformed",
            ) from None

    @staticmethod
    def sealed(stored: str) -> bool:
        """True for a value this class encrypted (False: kept in clear before)."""
        return stored.startswith(SEALED)

    @staticmethod
    def seed_of(stored: str) -> str:
        """The seed a kept value names (readable without the key)."""
        return stored[len(SEALED) :].partition(":")[0] if TokenSeal.sealed(stored) else ""

    def seal(self, text: str, *, seed: str) -> str:
        """``text`` encrypted, as kept."""
        return f"{SEALED}{seed}:{self._fernet.encrypt(text.encode()).decode()}"

    def open(self, stored: str) -> str:
        """The clear text of a kept value (one kept in clear is returned as it is)."""
        if not self.sealed(stored):
            return stored
        token = stored[len(SEALED) :].partition(":")[2]
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise WrongKey from None
