"""The only config reader: ``config.yaml`` plus environment variables -> typed, frozen settings.

Every setting has a default, so ``trolyso chat`` runs with no config file at all. Secrets (the bot
token) come from the environment so they never sit in a file that gets copied around.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.config_web import WebSettings
from bot.config_zalo import ENV_ZALO, ZaloSettings
from bot.core.errors import ConfigError
from bot.core.located_yaml import LocatedError, read_yaml

__all__ = [
    "DEFAULT_TIMEZONE",
    "CampaignSettings",
    "CommuneSettings",
    "ReportSettings",
    "Settings",
    "TelegramSettings",
    "TicketSettings",
    "WebSettings",
    "WebhookSettings",
    "ZaloSettings",
    "load_settings",
]

ENV_CONFIG = "TROLYSO_CONFIG"
# Where the first communes are; ``reminders.timezone`` changes it for every date a person sees.
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
ENV_TOKEN = "TROLYSO_BOT_TOKEN"
ENV_DATABASE = "TROLYSO_DATABASE"
ENV_WEBHOOK_SECRET = "TROLYSO_WEBHOOK_SECRET"
# 'database:' naming a database server rather than a file: scheme://... (sqlite:// names a file).
_SERVER_URL = re.compile(r"^(?!sqlite:)[a-z][a-z0-9+.-]+://", re.IGNORECASE)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CommuneSettings(_Section):
    """The commune's own contacts, shown by flows as ``{{ commune.police_phone }}`` and so on."""

    name: str = ""
    police_phone: str = ""
    police_address: str = ""
    service_centre_phone: str = ""
    service_centre_address: str = ""
    youth_union_contact: str = ""
    # The commune office's phone, told to a resident who asks for a person (the public-service
    # centre's when empty).
    office_phone: str = ""


class WebhookSettings(_Section):
    """Where the webhook server listens and the address Telegram is told to call."""

    listen: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    path: str = "/telegram/webhook"
    public_url: str = ""
    secret_token: str = Field(default="", repr=False)


class TelegramSettings(_Section):
    """How ``trolyso run`` reaches Telegram."""

    framework: Literal["aiogram", "ptb"] = "aiogram"
    mode: Literal["polling", "webhook"] = "polling"
    token: str = Field(default="", repr=False)
    api_base: str = "https://api.telegram.org"
    poll_timeout: int = Field(default=25, ge=0, le=50)
    # After a getUpdates that failed: wait this long, doubled at each failure in a row (to 30 s).
    poll_backoff: float = Field(default=0.5, gt=0, le=30)
    request_timeout: float = Field(default=30.0, gt=0)
    webhook: WebhookSettings = WebhookSettings()
    # The bot's @username (without @), for deep links and QR posters.
    username: str = ""
    # Telegram user ids of the commune's admins (private chats only).
    admin_ids: list[int] = Field(default_factory=list)
    # Where alerts for staff go; the admins' own chats when empty.
    admin_chat_ids: list[int] = Field(default_factory=list)
    messages_per_second: float = Field(default=30.0, gt=0)
    chat_messages_per_second: float = Field(default=1.0, gt=0)
    chat_burst: int = Field(default=3, ge=1)


class ReminderSettings(_Section):
    """When the bot may write first: follow-ups, and volunteers' morning lists.

    ``timezone`` is the commune's time zone for everything, not only reminders: revisit dates,
    report periods and file names too (:attr:`Settings.zone`).
    """

    timezone: str = DEFAULT_TIMEZONE
    # Nothing is sent between these times (local); what falls due waits for the morning.
    quiet_start: str = Field(default="21:00", pattern=r"^\d{1,2}:\d{2}$")
    quiet_end: str = Field(default="07:00", pattern=r"^\d{1,2}:\d{2}$")
    # A follow-up missed while the bot was down is still sent if it is at most this late.
    grace_hours: float = Field(default=6.0, ge=0)
    # When each volunteer gets the households to go back to that day.
    morning_list_at: str = Field(default="07:30", pattern=r"^\d{1,2}:\d{2}$")
    # After how many days an outcome puts a household on the revisit list.
    revisit_after_days: dict[str, float] = Field(
        # The approval SMS usually comes within a working day or two (facts.md: VERIFY).
        default_factory=lambda: {"later": 1.0, "police": 3.0, "waiting_sms": 2.0}
    )
    # How often the scheduler looks for work, in seconds.
    tick_seconds: float = Field(default=30.0, gt=0)
    # Reminders released at most this many a second (a morning's backlog spread out), under the
    # channel's own limit (telegram.messages_per_second); replies to residents always go first.
    per_second: float = Field(default=25.0, gt=0)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (for example Asia/Ho_Chi_Minh)"
            ) from None
        return value


CampaignColumn = Literal["village", "applications", "accounts", "target", "percent"]


def _campaign_columns() -> dict[CampaignColumn, str]:
    return {
        "village": "Thôn, tổ dân phố",
        "applications": "Số hồ sơ đã tiếp nhận",
        "accounts": "Số tài khoản đã kích hoạt",
        "target": "Chỉ tiêu",
        "percent": "Tỉ lệ đạt (%)",
    }


class CampaignSettings(_Section):
    """The Đề án 06 tally (``trolyso report --format campaign``): one row per village.

    The official template is the district's, so which guides count and the columns (their
    order and headers) are settings; docs/reports.md explains each column.
    """

    # Residents helped with this guide are the "received applications" (level-1 registration).
    applications_flow: str = "vneid_install"
    # ...and with this one the "activated accounts".
    accounts_flow: str = "vneid_activate"
    # The target and the percentage are those of the accounts (or of the applications).
    target_of: Literal["accounts", "applications"] = "accounts"
    # Column -> its header, in the order written; a column left out is not in the file.
    columns: dict[CampaignColumn, str] = Field(default_factory=_campaign_columns, min_length=1)


class ReportSettings(_Section):
    """Leaders' reports beyond the built-in ones."""

    campaign: CampaignSettings = CampaignSettings()


class TicketSettings(_Section):
    """Residents' requests for a person (tickets): who is told, and when it is escalated.

    A new request goes to the on-duty volunteers of the resident's village (the commune's
    officers, the admins, when the village has none); one nobody took within
    ``escalate_after_minutes`` is sent again to them and to the officers, outside the quiet
    hours of ``reminders:`` (a request made at night is escalated in the morning).
    """

    escalate_after_minutes: float = Field(default=30.0, gt=0)
    # How often the bot looks for requests to tell staff about, in seconds.
    check_seconds: float = Field(default=5.0, gt=0)


class PrivacySettings(_Section):
    """How long personal records are kept (Law 91/2025/QH15: only as long as needed)."""

    retention_days: int = Field(default=365, ge=1)
    # How long a volunteer's hand-over link (a QR code for the resident's own phone) works.
    handover_hours: float = Field(default=24.0, gt=0, le=24 * 30)


class ProcessSettings(_Section):
    """Several ``trolyso run`` processes on one PostgreSQL database (a province)."""

    # A reply claimed by a process that died is sent by another after this many seconds.
    outbox_lease_seconds: float = Field(default=30.0, gt=0, le=3600)


class Settings(_Section):
    """All settings, with paths already resolved against the config file's folder."""

    language: Literal["vi", "en"] = "vi"
    flows_dir: Path = Path("flows")
    locales_dir: Path = Path("locales")
    # A SQLite file (a path, relative to the config file's folder), or a database server's URL
    # (postgresql://user@host/db), which stays text: bot.storage.open_storage reads either.
    database: Path | str = Path("data/trolyso.sqlite3")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    welcome_flow: str = "welcome"
    # Sessions kept in memory by SQLite (most turns then need no database read). PostgreSQL keeps
    # none by design: several processes share it, and none may work from a stale copy.
    session_cache: int = Field(default=10_000, ge=0)
    commune: CommuneSettings = CommuneSettings()
    telegram: TelegramSettings = TelegramSettings()
    # None: no web chat in ``trolyso run`` (``trolyso web`` serves one with the defaults).
    web: WebSettings | None = None
    # None: no Zalo OA (bot.config_zalo; secrets from TROLYSO_ZALO_* variables).
    zalo: ZaloSettings | None = None
    privacy: PrivacySettings = PrivacySettings()
    processes: ProcessSettings = ProcessSettings()
    reminders: ReminderSettings = ReminderSettings()
    tickets: TicketSettings = TicketSettings()
    # Leaders' targets: village -> flow id -> how many residents should be helped.
    targets: dict[str, dict[str, int]] = Field(default_factory=dict)
    reports: ReportSettings = ReportSettings()
    source: str = "(built-in defaults)"

    @field_validator("database", mode="before")
    @classmethod
    def _database(cls, value: Any) -> Any:
        """A server's URL stays a URL (a path would fold its '//'); anything else is a path."""
        if isinstance(value, str) and not _SERVER_URL.match(value):
            return Path(value)
        return value

    @property
    def zone(self) -> ZoneInfo:
        """The commune's time zone (``reminders.timezone``), for every date a person sees."""
        return ZoneInfo(self.reminders.timezone)

    def template_context(self) -> dict[str, Any]:
        """What flows can read from the settings (``commune`` only: never the token)."""
        return {"commune": self.commune.model_dump()}


def load_settings(path: Path | None = None, *, env: Mapping[str, str] | None = None) -> Settings:
    """Read settings from ``path`` (or ``$TROLYSO_CONFIG``, or ``./config.yaml`` if present)."""
    env = os.environ if env is None else env
    if path is None and env.get(ENV_CONFIG):
        path = Path(env[ENV_CONFIG])
    if path is None and Path("config.yaml").is_file():
        path = Path("config.yaml")
    data: dict[str, Any] = {}
    base = Path.cwd()
    source = "(built-in defaults)"
    if path is not None:
        if not path.is_file():
            raise ConfigError(
                "--config",
                f"the file {path} does not exist",
                source=str(path),
                code="config.no_file",
                params={"path": path},
            )
        try:
            doc = read_yaml(path)
        except LocatedError as exc:
            problem = exc.problem
            raise ConfigError(
                f"line {problem.line}",
                problem.render("en").split(": ", 2)[-1],
                source=str(path),
                code=problem.code,
                params=problem.params,
                line=problem.line,
            ) from None
        if not isinstance(doc.data, dict):
            raise ConfigError(
                "(top)",
                "the file must be a list of settings such as 'database: ...'",
                source=str(path),
                code="config.not_settings",
            )
        data = doc.data
        base = path.resolve().parent
        source = str(path)
    data = {**data, "source": source}
    telegram = dict(_group(data.get("telegram"), "telegram", source))
    if env.get(ENV_TOKEN):
        telegram["token"] = env[ENV_TOKEN]
    if env.get(ENV_WEBHOOK_SECRET):
        telegram["webhook"] = {
            **_group(telegram.get("webhook"), "telegram.webhook", source),
            "secret_token": env[ENV_WEBHOOK_SECRET],
        }
    if telegram:
        data["telegram"] = telegram
    if "web" in data:  # a blank ``web:`` means the web chat with its defaults
        data["web"] = dict(_group(data.get("web"), "web", source))
    if "zalo" in data or any(env.get(name) for name in ENV_ZALO):
        zalo = dict(_group(data.get("zalo"), "zalo", source))
        zalo.update({field: env[name] for name, field in ENV_ZALO.items() if env.get(name)})
        data["zalo"] = zalo
    if env.get(ENV_DATABASE):
        data["database"] = env[ENV_DATABASE]
    database = data.get("database")
    if isinstance(database, str) and database.lower().startswith("sqlite:///"):
        # sqlite:///data/x.sqlite3 is relative to this file's folder, sqlite:////srv/x absolute
        # (as SQLAlchemy writes them): the file it names, before it becomes a path.
        data["database"] = database[len("sqlite:///") :]
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        setting = ".".join(str(part) for part in first["loc"]) or "(top)"
        code, params = _code(first)
        raise ConfigError(
            setting, _explain(first), source=source, code=code, params=params
        ) from None
    return settings.model_copy(
        update={
            "flows_dir": _resolve(base, settings.flows_dir),
            "locales_dir": _resolve(base, settings.locales_dir),
            "database": (
                _resolve(base, settings.database)
                if isinstance(settings.database, Path)
                else settings.database
            ),
        }
    )


def _group(value: Any, setting: str, source: str) -> Mapping[str, Any]:
    """A group of settings the environment adds to (``telegram:``), empty when left blank."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(
            setting, _explain({"type": "dict_type"}), source=source, code="config.group"
        )
    return value


def _resolve(base: Path, path: Path) -> Path:
    path = path.expanduser()
    return path if path.is_absolute() else base / path


def _code(error: Mapping[str, Any]) -> tuple[str, dict[str, object]]:
    """The sentence (code and params) that explains a validation error, in any language."""
    kind = error["type"]
    value = repr(error.get("input"))
    simple = {
        "extra_forbidden": "config.unknown_setting",
        "model_type": "config.group",
        "dict_type": "config.group",
        "int_parsing": "config.whole_number",
        "int_type": "config.whole_number",
        "float_parsing": "config.number",
        "float_type": "config.number",
        "bool_parsing": "config.yes_no",
        "bool_type": "config.yes_no",
        "string_type": "config.text",
    }
    if kind in simple:
        return simple[kind], {"value": value}
    if kind == "literal_error":
        return "config.one_of", {
            "expected": error.get("ctx", {}).get("expected", ""),
            "value": value,
        }
    return "config.invalid", {"value": value, "detail": error.get("msg", kind)}


def _explain(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "is not a known setting (check the spelling against config.example.yaml)"
    if kind == "literal_error":
        return f"must be one of {error.get('ctx', {}).get('expected', '')}"
    if kind in ("model_type", "dict_type"):
        return "must be a group of settings (indented lines under it)"
    return f"{error.get('msg', kind)} (got {error.get('input')!r})"
