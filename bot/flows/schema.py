"""The flow format as data: what a flow file may contain (see docs/flows.md).

Pure pydantic models: no YAML, no files. Errors raised here carry a code from
``bot.core.messages`` so the loader can explain them to an admin with the line they are on.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from bot.flows.durations import checked_duration, parse_duration

__all__ = [
    "ABANDONED",
    "END_OUTCOMES",
    "LANGUAGES",
    "MEANINGS",
    "RUN_OUTCOMES",
    "Ask",
    "Choice",
    "Condition",
    "Flow",
    "FollowUp",
    "Given",
    "Help",
    "Link",
    "LocalText",
    "Meaning",
    "Step",
    "StepKind",
    "parse_duration",
    "valid_id",
]

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
# How an ``end:`` step may end a flow; a run left before its end is recorded as ABANDONED.
END_OUTCOMES = ("completed", "referred", "gave_up")
ABANDONED = "abandoned"
# Every way a run is recorded (runs.outcome), in the order reports list them.
RUN_OUTCOMES = (*END_OUTCOMES, ABANDONED)
_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def valid_id(value: str) -> bool:
    """True for an id admins may use: a-z first, then a-z, 0-9 and _, at most 40 characters."""
    return bool(_ID.match(value))


def _check_id(value: str, what: str) -> str:
    if not valid_id(value):
        raise PydanticCustomError(
            "schema.bad_id", "bad id", {"value": value, "what_code": f"id_kind.{what}"}
        )
    return value


def _local_text(value: Any) -> dict[str, str]:
    """Accept ``{vi: ..., en: ...}`` or a bare text (which counts as Vietnamese)."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        value = {DEFAULT_LANGUAGE: str(value)}
    if not isinstance(value, dict):
        raise PydanticCustomError("schema.not_text", "not a text", {})
    out: dict[str, str] = {}
    for lang, text in value.items():
        if lang not in LANGUAGES:
            raise PydanticCustomError(
                "schema.bad_language",
                "bad language",
                {"value": lang, "allowed": ", ".join(LANGUAGES)},
            )
        if text is None or isinstance(text, bool | dict | list):
            raise PydanticCustomError("schema.not_text", "not a text", {})
        text = str(text).strip()
        if text:
            out[lang] = text
    if DEFAULT_LANGUAGE not in out:
        raise PydanticCustomError("schema.no_vietnamese", "no vi", {})
    return out


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


class LocalText(_Model):
    """A text in each language; Vietnamese is always there."""

    texts: dict[str, str]

    @model_validator(mode="before")
    @classmethod
    def _wrap(cls, value: Any) -> Any:
        if isinstance(value, LocalText):
            return value
        return {"texts": _local_text(value)}

    def get(self, lang: str) -> str:
        """The text in ``lang``, or the Vietnamese text when that translation is missing."""
        return self.texts.get(lang) or self.texts[DEFAULT_LANGUAGE]


StepId = Annotated[str, Field(min_length=1)]

# What a button means, so that typed words meaning the same press it ("ko dc" presses the button
# that means "trouble"). The phrases of each meaning live in locales/intents.yaml; the meanings
# themselves are fixed here, because the engine knows what each one leads to.
Meaning = Literal["trouble", "cannot", "not_found", "help", "done", "yes", "no", "later"]
MEANINGS: tuple[Meaning, ...] = get_args(Meaning)


class Choice(_Model):
    """A button: its words, where it leads, what it remembers, and what it means."""

    label: LocalText
    go: StepId
    # Said by the flow's author when the label's words do not show it ("Thử cách khác").
    means: Meaning | None = None
    set: dict[str, str | int | float | bool | None] = Field(default_factory=dict)
    remember: dict[str, str | int | float | bool | None] = Field(default_factory=dict)

    @field_validator("set", "remember")
    @classmethod
    def _names(cls, value: dict[str, Any]) -> dict[str, Any]:
        for name in value:
            _check_id(name, "variable")
        return value

    @field_validator("means", mode="before")
    @classmethod
    def _meaning(cls, value: Any) -> Any:
        # Said here rather than by pydantic, to name the meanings and the file that holds them.
        if value is not None and value not in MEANINGS:
            close = difflib.get_close_matches(str(value), MEANINGS, n=1)
            raise PydanticCustomError(
                "schema.bad_meaning",
                "bad meaning",
                {
                    "value": str(value),
                    "allowed": ", ".join(MEANINGS),
                    "suggestion": close[0] if close else "",
                },
            )
        return value


class Help(_Model):
    """The "it didn't work" button of a step."""

    go: StepId
    label: LocalText | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return {"go": value} if isinstance(value, str) else value


class Link(_Model):
    """A web address shown as a button."""

    url: str
    label: LocalText

    @field_validator("url")
    @classmethod
    def _https(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+\.[^\s]+$", value):
            raise PydanticCustomError("schema.bad_url", "bad url", {"value": value})
        return value


AskType = Literal["text", "yes_no", "number", "date", "pattern"]


class Ask(_Model):
    """A question answered by typing."""

    save_as: str
    type: AskType = "text"
    min: int | None = None
    max: int | None = None
    pattern: str | None = None
    max_length: int = Field(default=200, ge=1, le=2000)
    retry: LocalText | None = None
    sensitive: bool = False

    @field_validator("save_as")
    @classmethod
    def _name(cls, value: str) -> str:
        return _check_id(value, "variable")

    @model_validator(mode="after")
    def _options_fit_type(self) -> Ask:
        if (self.min is not None or self.max is not None) and self.type != "number":
            raise PydanticCustomError(
                "schema.option_needs_type", "", {"option": "min/max", "type": "number"}
            )
        if self.type == "pattern" and not self.pattern:
            raise PydanticCustomError("schema.pattern_missing", "", {})
        if self.pattern and self.type != "pattern":
            raise PydanticCustomError(
                "schema.option_needs_type", "", {"option": "pattern", "type": "pattern"}
            )
        if self.min is not None and self.max is not None and self.min > self.max:
            raise PydanticCustomError("schema.min_over_max", "", {"min": self.min, "max": self.max})
        return self


class FollowUp(_Model):
    """Come back to a resident who has not moved on: after a delay, send a step of the flow."""

    model_config = ConfigDict(populate_by_name=True)

    after: str
    go: StepId
    repeat: int = Field(default=1, ge=1, le=10)
    while_: Literal["at_step", "in_flow"] = Field(default="at_step", alias="while")

    @field_validator("after")
    @classmethod
    def _after(cls, value: str) -> str:
        return checked_duration(value)

    @property
    def seconds(self) -> float:
        """The delay in seconds."""
        return parse_duration(self.after) or 0.0


class Condition(_Model):
    """One branch of a ``when``: an expression and where to go when it is true."""

    model_config = ConfigDict(populate_by_name=True)

    if_: str = Field(alias="if", min_length=1)
    go: StepId


StepKind = Literal["choices", "ask", "say", "end", "when", "flow"]
_KIND_FIELDS: tuple[StepKind, ...] = ("choices", "ask", "end", "when", "flow")


# A value a flow step gives its sub-flow: a word or number as written, or a template.
Given = str | int | float | bool | None


class Step(_Model):
    """One step of a flow; exactly one of choices / ask / end / when / flow, or just say + go."""

    model_config = ConfigDict(populate_by_name=True)

    say: LocalText | None = None
    image: str | None = None
    link: Link | None = None
    choices: list[Choice] | None = None
    ask: Ask | None = None
    go: StepId | None = None
    end: Literal["completed", "referred", "gave_up"] | None = None
    when: list[Condition] | None = None
    flow: str | None = None
    help: Help | None = None
    notify: LocalText | None = None
    follow_up: FollowUp | None = None
    # On a ``flow`` step: answers the sub-flow need not ask again, by its variable names.
    with_: dict[str, Given] = Field(default_factory=dict, alias="with")
    # On a question: skip it when the calling flow gave its answer (``with``), see docs/flows.md.
    skip_if_known: bool = False

    @field_validator("with_")
    @classmethod
    def _given_names(cls, value: dict[str, Any]) -> dict[str, Any]:
        for name in value:
            _check_id(name, "variable")
        return value

    @property
    def kind(self) -> StepKind:
        """What the step does."""
        for name in _KIND_FIELDS:
            if getattr(self, name) is not None:
                return name
        return "say"

    @property
    def waits(self) -> bool:
        """True when the step stops and waits for the resident."""
        return self.kind in ("choices", "ask")

    @model_validator(mode="after")
    def _one_job(self) -> Step:
        jobs = [name for name in _KIND_FIELDS if getattr(self, name) is not None]
        if len(jobs) > 1:
            raise PydanticCustomError("schema.two_jobs", "", {"jobs": ", ".join(jobs)})
        kind = self.kind
        if kind == "choices" and not self.choices:
            raise PydanticCustomError("schema.empty_choices", "", {})
        if kind == "when" and not self.when:
            raise PydanticCustomError("schema.empty_when", "", {})
        if kind in ("choices", "ask") and self.say is None:
            raise PydanticCustomError("schema.say_required", "", {"kind": kind})
        if kind in ("choices", "end") and self.go is not None:
            raise PydanticCustomError("schema.go_not_allowed", "", {"kind": kind})
        if kind in ("ask", "when", "flow", "say") and self.go is None:
            if kind == "say" and self.say is None:
                raise PydanticCustomError("schema.no_job", "", {})
            raise PydanticCustomError("schema.go_required", "", {"kind": kind})
        if kind in ("when", "flow") and (self.say or self.image or self.link):
            raise PydanticCustomError("schema.say_not_allowed", "", {"kind": kind})
        if self.follow_up is not None and not self.waits:
            raise PydanticCustomError("schema.follow_up_needs_wait", "", {})
        if self.help is not None and not self.waits:
            raise PydanticCustomError("schema.help_needs_wait", "", {})
        if self.with_ and kind != "flow":
            raise PydanticCustomError("schema.with_needs_flow", "", {})
        if self.skip_if_known and not self.waits:
            raise PydanticCustomError("schema.skip_needs_question", "", {})
        if self.skip_if_known and self.ask is not None and self.ask.sensitive:
            raise PydanticCustomError("schema.skip_sensitive", "", {"name": self.ask.save_as})
        if (self.image or self.link or self.notify) and self.say is None:
            raise PydanticCustomError("schema.say_required", "", {"kind": "image/link"})
        if self.flow is not None:
            _check_id(self.flow, "flow")
        return self


class Flow(_Model):
    """A whole flow file."""

    id: str
    version: int = Field(ge=1)
    title: LocalText
    description: LocalText
    triggers: dict[str, list[str]]
    sources: list[str] = Field(min_length=1)
    checked: dt.date
    start: StepId
    order: int = 100
    menu: bool = True
    # When a typed message matches several flows, one with a higher priority wins (the scam flow:
    # "someone called saying they are the police" must reach it whatever else the text mentions).
    priority: int = 0
    # A session idle this long ends as "abandoned" at its step (the funnel shows where).
    expire_after: str = "14 days"
    steps: dict[str, Step] = Field(min_length=1)

    @field_validator("expire_after")
    @classmethod
    def _expiry(cls, value: str) -> str:
        return checked_duration(value)

    @property
    def expire_seconds(self) -> float:
        """``expire_after`` in seconds."""
        return parse_duration(self.expire_after) or 14 * 86400.0

    @field_validator("id")
    @classmethod
    def _flow_id(cls, value: str) -> str:
        return _check_id(value, "flow")

    @field_validator("triggers")
    @classmethod
    def _trigger_languages(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for lang, phrases in value.items():
            if lang not in LANGUAGES:
                raise PydanticCustomError(
                    "schema.bad_language", "", {"value": lang, "allowed": ", ".join(LANGUAGES)}
                )
            if not all(str(phrase).strip() for phrase in phrases):
                raise PydanticCustomError("schema.empty_trigger", "", {})
        if DEFAULT_LANGUAGE not in value or not value[DEFAULT_LANGUAGE]:
            raise PydanticCustomError("schema.no_vietnamese", "", {})
        return value
