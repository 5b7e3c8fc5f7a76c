"""One error hierarchy: every error says what is wrong and what to do about it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core.problems import Problem

__all__ = [
    "ChannelError",
    "ConfigError",
    "DependencyMissing",
    "FlowError",
    "FlowRuntimeError",
    "Rejected",
    "RetryLater",
    "StaleSession",
    "StorageError",
    "StorageUnavailable",
    "Transient",
    "TroLySoError",
    "Unreachable",
]


class TroLySoError(Exception):
    """The root of every error this package raises on purpose.

    ``code`` and ``params`` (when set) name the sentence that explains it, so the command line
    can say it in the admin's language (bot/flows/admin_messages.py); ``str()`` is English.
    """

    def __init__(
        self, message: str = "", *, code: str = "", params: dict[str, object] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.params: dict[str, object] = dict(params or {})


class ConfigError(TroLySoError):
    """The configuration file or an environment variable is wrong.

    ``line`` is set when the setting is only known by its line (the file is not valid YAML).
    """

    def __init__(
        self,
        setting: str,
        problem: str,
        *,
        source: str = "config",
        code: str = "",
        params: dict[str, object] | None = None,
        line: int = 0,
    ) -> None:
        self.setting = setting
        self.problem = problem
        self.source = source
        self.line = line
        super().__init__(f"{source}: setting '{setting}': {problem}", code=code, params=params)


class FlowError(TroLySoError):
    """Flows or locales could not be loaded; ``problems`` lists each one with its place.

    ``found`` holds the problems themselves when the loader has them, so whoever reports them
    can say them in the admin's language (``problems`` are the English lines).
    """

    def __init__(self, problems: list[str], *, found: Sequence[Problem] = ()) -> None:
        self.problems = problems
        self.found = list(found)
        count = len(problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the flows"
        super().__init__(head + ":\n" + "\n".join(problems))


class FlowRuntimeError(TroLySoError):
    """A loaded flow cannot do what a turn needs: a step or flow that is not there, a text that
    cannot be made. The engine catches it, takes the resident to the menu and tells the admins.
    """

    def __init__(
        self, code: str, *, flow_id: str, step: str = "", path: str = "", detail: str = ""
    ) -> None:
        where = f"{path or flow_id}, step {step}" if step else (path or flow_id)
        super().__init__(f"{where}: {code}{': ' + detail if detail else ''}")
        self.code = code  # "missing_step", "missing_flow", "template", "loop"
        self.flow_id = flow_id
        self.step = step
        self.path = path
        self.detail = detail


class StorageError(TroLySoError):
    """The database could not be opened, read or written."""


class StorageUnavailable(StorageError):
    """The database cannot be used right now (locked by another program, disk full, I/O error).

    Nothing of the turn was saved: the caller must not confirm the update, and tries again later.
    """


class StaleSession(StorageError):
    """Another process saved this resident's session after this turn read it: nothing was saved.

    The caller reads the session again and recomputes the turn (optimistic concurrency).
    """


class LockNeeded(StaleSession):
    """A turn run without the resident's lock wanted to write before its save: nothing was
    written, and the turn runs again under the lock (as after a save that found the session
    changed; that is not a clash, so the locked turn may still meet one and run once more)."""


class DependencyMissing(TroLySoError):
    """An optional part was asked for but its library is not installed."""

    def __init__(self, what: str, extra: str) -> None:
        self.extra = extra
        super().__init__(
            f"{what} needs extra packages that are not installed. "
            f"Install them with: pip install 'trolyso[{extra}]' (or pip install -e '.[{extra}]')",
            code="error.extra",
            params={"what": what, "extra": extra},
        )


class ChannelError(TroLySoError):
    """A channel could not carry out a request (send a message, answer a button, fetch updates).

    Every channel classifies its failures into the kinds below; the delivery (bot.app.delivery)
    reads only these kinds, never a channel's own errors.
    """


class RetryLater(ChannelError):
    """The channel asks to wait ``seconds`` and send again (Telegram's 429)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"retry after {seconds} s")


class Transient(ChannelError):
    """A network error, a timeout or a server error: worth trying again a little later."""


class Unreachable(ChannelError):
    """The resident cannot be written to (they blocked the bot, or deleted their account)."""


class Rejected(ChannelError):
    """The channel will never accept this request as it is (Telegram's 400)."""
