"""Conversation tests: scripted chats with the bot, read from ``flows/tests/*.yaml``.

A test file names the flow it is about and lists tests; each test is what a resident does
(start a flow, press a button, type, use a command) and what the bot must answer. This module only
reads and checks the files (every problem with its line, like lint); ``convtest_run`` runs them.
See the "Conversation tests" section of docs/flows.md for the format.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from bot.core.located_yaml import Document, LocatedError, Location, read_yaml
from bot.core.problems import Problem
from bot.flows.compiled import CompiledFlow
from bot.flows.schema import LANGUAGES, RUN_OUTCOMES, parse_duration

__all__ = [
    "ACTIONS",
    "TEST_OUTCOMES",
    "ConvStep",
    "ConversationFile",
    "ConversationTest",
    "Expect",
    "find_test_files",
    "read_test_file",
]

Action = Literal["start", "open", "press", "send", "command", "wait", "expect"]
ACTIONS: tuple[Action, ...] = ("start", "open", "press", "send", "command", "wait", "expect")
# A flow left unfinished is recorded as "abandoned" (see docs/flows.md, "The end").
TEST_OUTCOMES = RUN_OUTCOMES
_FILE_FIELDS = ("flow", "tests")
_TEST_FIELDS = ("name", "lang", "xung_ho", "welcome", "steps", "outcome")
_EXPECT_FIELDS = ("says", "not_says", "buttons", "buttons_include", "at")
_WELCOME = ("skip", "run")


@dataclass(frozen=True, slots=True, kw_only=True)
class Expect:
    """What the bot's last reply must contain; an empty field is not checked."""

    says: tuple[str, ...] = ()
    not_says: tuple[str, ...] = ()
    buttons: tuple[str, ...] | None = None
    buttons_include: tuple[str, ...] = ()
    at: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ConvStep:
    """One line of a scripted conversation: something the resident does, or an ``expect``."""

    action: Action
    value: str = ""
    seconds: float = 0.0  # how long a ``wait`` lets pass
    expect: Expect | None = None
    line: int = 1
    column: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class ConversationTest:
    """One scripted conversation, from a resident nobody has talked to yet."""

    name: str
    path: str
    line: int
    flow: str
    lang: str = "vi"
    xung_ho: str = ""
    welcome: Literal["skip", "run"] = "skip"
    steps: tuple[ConvStep, ...] = ()
    outcome: str = ""
    outcome_at: tuple[int, int] = (1, 1)


@dataclass(frozen=True, slots=True, kw_only=True)
class ConversationFile:
    """A test file: its flow, the tests that could be read, and the problems found in it."""

    path: str
    flow: str = ""
    tests: tuple[ConversationTest, ...] = ()
    problems: tuple[Problem, ...] = ()
    flow_line: int = 1


def find_test_files(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """Expand folders into their ``*.yaml`` files; also return the paths that do not exist."""
    files: list[Path] = []
    missing: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.iterdir()
                    if p.suffix in (".yaml", ".yml") and p.is_file() and not p.name.startswith(".")
                )
            )
        elif path.is_file():
            files.append(path)
        else:
            missing.append(path)
    return files, missing


def read_test_file(
    path: Path, *, flows: Mapping[str, CompiledFlow] | None = None
) -> ConversationFile:
    """Read one test file; with ``flows`` (id -> compiled flow), also check the ids it names."""
    try:
        doc = read_yaml(path)
    except LocatedError as exc:
        return ConversationFile(path=str(path), problems=(exc.problem,))
    return _Reader(doc, flows).file()


class _Reader:
    """Turns a parsed document into tests, collecting every problem instead of stopping."""

    def __init__(self, doc: Document, flows: Mapping[str, CompiledFlow] | None) -> None:
        self.doc = doc
        self.flows = flows
        self.problems: list[Problem] = []

    def add(self, loc: Location, code: str, *, key: bool = False, **params: Any) -> None:
        self.problems.append(self.doc.problem(loc, code, on_key=key, **params))

    def file(self) -> ConversationFile:
        data = self.doc.data
        if not isinstance(data, dict):
            self.add((), "convtest.not_mapping")
            return self._done("", ())
        self._known_fields(data, (), _FILE_FIELDS)
        flow = self._text(data, ("flow",), required=True)
        if flow and not self._flow_exists(("flow",), flow):
            flow = ""
        raw_tests = data.get("tests")
        if raw_tests is None:
            self.add((), "convtest.missing", field="tests")
            return self._done(flow, ())
        if not isinstance(raw_tests, list) or not raw_tests:
            self.add(("tests",), "convtest.not_list", field="tests")
            return self._done(flow, ())
        tests = []
        for index, raw in enumerate(raw_tests):
            before = len(self.problems)
            test = self._test(raw, ("tests", index), flow)
            if test is not None and len(self.problems) == before and flow:
                tests.append(test)
        return self._done(flow, tuple(tests))

    def _done(self, flow: str, tests: tuple[ConversationTest, ...]) -> ConversationFile:
        return ConversationFile(
            path=self.doc.path,
            flow=flow,
            tests=tests,
            problems=tuple(sorted(self.problems, key=lambda p: (p.line, p.column))),
            flow_line=self.doc.where(("flow",))[0],
        )

    # --- one test ------------------------------------------------------------------------------

    def _test(self, raw: Any, loc: Location, flow: str) -> ConversationTest | None:
        if not isinstance(raw, dict):
            self.add(loc, "convtest.not_a_test")
            return None
        self._known_fields(raw, loc, _TEST_FIELDS)
        name = self._text(raw, (*loc, "name"), required=True)
        lang = self._one_of(raw, (*loc, "lang"), LANGUAGES) or "vi"
        welcome = self._one_of(raw, (*loc, "welcome"), _WELCOME) or "skip"
        outcome = self._one_of(raw, (*loc, "outcome"), TEST_OUTCOMES)
        xung_ho = self._text(raw, (*loc, "xung_ho"))
        raw_steps = raw.get("steps")
        if raw_steps is None:
            self.add(loc, "convtest.missing", field="steps")
            return None
        if not isinstance(raw_steps, list) or not raw_steps:
            self.add((*loc, "steps"), "convtest.not_list", field="steps")
            return None
        steps = [self._step(item, (*loc, "steps", i), flow) for i, item in enumerate(raw_steps)]
        kept = tuple(step for step in steps if step is not None)
        first = raw_steps[0]
        if isinstance(first, dict) and list(first) == ["expect"]:
            self.add((*loc, "steps", 0), "convtest.expect_first", flow=flow or "...")
        return ConversationTest(
            name=name,
            path=self.doc.path,
            line=self.doc.where(loc)[0],
            flow=flow,
            lang=lang,
            xung_ho=xung_ho,
            welcome="run" if welcome == "run" else "skip",
            steps=kept,
            outcome=outcome,
            outcome_at=self.doc.where((*loc, "outcome")),
        )

    def _step(self, raw: Any, loc: Location, flow: str) -> ConvStep | None:
        line, column = self.doc.where(loc)
        if isinstance(raw, str) and raw.strip() in ("start", "open"):
            raw = {raw.strip(): None}  # "- start" alone starts the file's flow
        if not isinstance(raw, dict):
            self.add(loc, "convtest.bad_step", allowed=", ".join(ACTIONS))
            return None
        actions = [key for key in raw if key in ACTIONS]
        for key in raw:
            if key not in ACTIONS:
                self._unknown((*loc, key), key, ACTIONS)
        if len(actions) != 1:
            if len(actions) > 1:
                self.add(loc, "convtest.two_actions", actions=", ".join(actions))
            elif not any(key not in ACTIONS for key in raw):
                self.add(loc, "convtest.bad_step", allowed=", ".join(ACTIONS))
            return None
        action: Action = actions[0]
        value_loc = (*loc, action)
        if action == "expect":
            expect = self._expect(raw[action], value_loc)
            if expect is None:
                return None
            return ConvStep(action="expect", expect=expect, line=line, column=column)
        if action == "open":
            return ConvStep(action="open", line=line, column=column)
        value = self._scalar(raw[action], value_loc, action, required=action != "start")
        if action == "start":
            value = value or flow
            if value and not self._flow_exists(value_loc, value):
                return None
        if action == "command":
            value = value.lstrip("/")
        seconds = 0.0
        if action == "wait" and value:
            seconds = parse_duration(value) or 0.0
            if seconds <= 0:
                self.add(value_loc, "wait.bad_duration", value=value)
                return None
        return ConvStep(action=action, value=value, seconds=seconds, line=line, column=column)

    def _expect(self, raw: Any, loc: Location) -> Expect | None:
        if not isinstance(raw, dict) or not raw:
            self.add(loc, "convtest.wrong_type", field="expect", expected_code="type.mapping")
            return None
        self._known_fields(raw, loc, _EXPECT_FIELDS)
        buttons = self._texts(raw, (*loc, "buttons")) if "buttons" in raw else None
        at = self._text(raw, (*loc, "at"))
        if at and not self._step_exists((*loc, "at"), at):
            at = ""
        return Expect(
            says=self._texts(raw, (*loc, "says")),
            not_says=self._texts(raw, (*loc, "not_says")),
            buttons=buttons,
            buttons_include=self._texts(raw, (*loc, "buttons_include")),
            at=at,
        )

    # --- values --------------------------------------------------------------------------------

    def _known_fields(self, raw: dict[str, Any], loc: Location, allowed: tuple[str, ...]) -> None:
        for key in raw:
            if key not in allowed:
                self._unknown((*loc, key), key, allowed)

    def _unknown(self, loc: Location, name: str, allowed: tuple[str, ...]) -> None:
        close = difflib.get_close_matches(name, allowed, n=1)
        self.add(
            loc,
            "convtest.unknown_field",
            key=True,
            field=name,
            allowed=", ".join(allowed),
            suggestion=close[0] if close else "",
        )

    def _scalar(self, value: Any, loc: Location, name: str, *, required: bool) -> str:
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(loc, "convtest.empty", field=name)
            return ""
        if isinstance(value, bool | dict | list):
            self.add(loc, "convtest.wrong_type", field=name, expected_code="type.text")
            return ""
        return str(value).strip()

    def _text(self, raw: dict[str, Any], loc: Location, *, required: bool = False) -> str:
        name = str(loc[-1])
        if name not in raw:
            if required:
                self.add(loc[:-1], "convtest.missing", field=name)
            return ""
        return self._scalar(raw[name], loc, name, required=True)

    def _texts(self, raw: dict[str, Any], loc: Location) -> tuple[str, ...]:
        """A text or a list of texts (``says: "a"`` and ``says: [a, b]`` both work)."""
        name = str(loc[-1])
        value = raw.get(name)
        if value is None:
            return ()
        if not isinstance(value, list):
            text = self._scalar(value, loc, name, required=True)
            return (text,) if text else ()
        texts = [self._scalar(item, (*loc, i), name, required=True) for i, item in enumerate(value)]
        return tuple(text for text in texts if text)

    def _one_of(self, raw: dict[str, Any], loc: Location, allowed: Iterable[str]) -> str:
        value = self._text(raw, loc)
        allowed = tuple(allowed)
        if value and value not in allowed:
            self.add(loc, "convtest.choice_value", field=str(loc[-1]), allowed=", ".join(allowed))
            return ""
        return value

    def _flow_exists(self, loc: Location, flow_id: str) -> bool:
        if self.flows is None or flow_id in self.flows:
            return True
        close = difflib.get_close_matches(flow_id, list(self.flows), n=1)
        self.add(loc, "flow.unknown_flow", target=flow_id, suggestion=close[0] if close else "")
        return False

    def _step_exists(self, loc: Location, step_id: str) -> bool:
        if self.flows is None:
            return True
        steps = {s for flow in self.flows.values() for s in flow.flow.steps}
        if step_id in steps:
            return True
        close = difflib.get_close_matches(step_id, sorted(steps), n=1)
        self.add(loc, "convtest.unknown_step", target=step_id, suggestion=close[0] if close else "")
        return False
