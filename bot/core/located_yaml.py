"""The only place that reads YAML: safe loading that keeps the line of every value.

Flows are written by hand by people who are not programmers, so this reader is strict about what
can hurt (aliases, Python tags, huge or non-UTF-8 files) and forgiving about what YAML 1.1 gets
wrong for them: ``en: Yes`` stays the text "Yes", and ``0912`` stays text, not a number.
"""

from __future__ import annotations

import errno
import hashlib
import importlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import Node, ScalarNode

from bot.core.problems import Problem, Severity, shown_path
from bot.core.yaml_nodes import Builder as _Builder
from bot.core.yaml_nodes import Location
from bot.core.yaml_nodes import Stop as _Stop

__all__ = ["MAX_FILE_BYTES", "Document", "LocatedError", "Location", "read_yaml"]

MAX_FILE_BYTES = 1_000_000
_MAX_DEPTH = 60
# Why a file cannot be read, said in the admin's language; other reasons quote the system.
_UNREADABLE = {
    errno.ENOENT: "file.not_found",
    errno.EACCES: "file.no_permission",
    errno.EPERM: "file.no_permission",
}


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed YAML file and, for every value in it, the (line, column) where it was written."""

    path: str
    data: Any
    marks: dict[Location, tuple[int, int]]
    key_marks: dict[Location, tuple[int, int]]
    digest: str = ""

    def where(self, location: Location, *, key: bool = False) -> tuple[int, int]:
        """The line and column of ``location``, or of its closest parent that has one."""
        table = self.key_marks if key else self.marks
        loc = tuple(location)
        while loc:
            if loc in table:
                return table[loc]
            if not key and loc in self.key_marks:
                return self.key_marks[loc]
            loc = loc[:-1]
        return (1, 1)

    def problem(
        self,
        location: Location,
        code: str,
        *,
        on_key: bool = False,
        step: str = "",
        warning: bool = False,
        line_offset: int = 0,
        **params: Any,
    ) -> Problem:
        """A problem at ``location`` of this file (at its field name when ``on_key``)."""
        line, column = self.where(location, key=on_key)
        return Problem(
            path=self.path,
            line=line + line_offset,
            column=column,
            code=code,
            params=params,
            step=step,
            severity=Severity.WARNING if warning else Severity.ERROR,
        )


class LocatedError(Exception):
    """Reading stopped at a problem; carries it for the caller to report."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


class _Resolver(yaml.resolver.BaseResolver):
    """Plain YAML 1.2-style types: only true/false are booleans, no octal, no sexagesimal."""


_Resolver.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in (
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^[-+]?(?:0|[1-9][0-9]*)$", "-+0123456789"),
    ("tag:yaml.org,2002:float", r"^[-+]?(?:0|[1-9][0-9]*)\.[0-9]+$", "-+0123456789"),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:timestamp", r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "0123456789"),
):
    _Resolver.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


class _Loader(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    yaml.composer.Composer,
    yaml.constructor.SafeConstructor,
    _Resolver,
):
    """PyYAML's safe loader with our resolver, refusing aliases while composing.

    Refusing ``*alias`` at composition time is what defeats "billion laughs" files: the expanded
    document is never built.
    """

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        _Resolver.__init__(self)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(AliasEvent):
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise _Stop(mark.line + 1, mark.column + 1, "yaml.alias", {})
        self._depth += 1
        try:
            if self._depth > _MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise _Stop(mark.line + 1, mark.column + 1, "yaml.too_deep", {"max": _MAX_DEPTH})
            node: Node | None = super().compose_node(parent, index)
            return node
        finally:
            self._depth -= 1


_SCANNER_HINTS = (
    ("found character '\\t'", "yaml.tab"),
    ("mapping values are not allowed", "yaml.colon_in_text"),
    ("could not find expected ':'", "yaml.missing_colon"),
    ("found unexpected end of stream", "yaml.unclosed_quote"),
    ("while scanning a quoted scalar", "yaml.unclosed_quote"),
    ("did not find expected key", "yaml.bad_indent"),
    ("found undefined tag handle", "yaml.tag"),
    ("expected <document start>", "yaml.bad_indent"),
    ("did not find expected '-' indicator", "yaml.bad_indent"),
    ("found a tab character", "yaml.tab"),
    ("expected ',' or '}'", "yaml.flow_mapping"),
    ("expected ',' or ']'", "yaml.flow_sequence"),
    # "expected <block end>, but found ...": what was found tells what went wrong.
    ("but found '<block mapping start>'", "yaml.bad_indent"),
    ("but found '<block sequence start>'", "yaml.bad_indent"),
    ("but found '-'", "yaml.bad_indent"),
    ("but found '<scalar>'", "yaml.text_after_closing"),
    ("but found ','", "yaml.text_after_closing"),
    ("found unknown escape character", "yaml.bad_escape"),
    ("that cannot start any token", "yaml.bad_start"),
    ("mapping keys are not allowed here", "yaml.bad_start"),
    ("expected chomping or indentation indicators", "yaml.block_indicator"),
)
# A value written {{ ... }} without quotes: YAML reads a group of fields, then stumbles.
_UNQUOTED_TEMPLATE = re.compile(r"^\s*(?:-\s+)*(?:[\w.-]+:\s+)?\{\{")
# The character a message is about, as PyYAML quotes it ("found character '@' that ...").
_FOUND_CHARACTER = re.compile(r"character '(.+?)'")


def _template_unquoted(text: str, *lines: int) -> tuple[int, int] | None:
    """Where the first of ``lines`` (1-based) that starts a value with an unquoted ``{{`` has it."""
    rows = text.splitlines()
    for line in lines:
        found = _UNQUOTED_TEMPLATE.match(rows[line - 1]) if 0 < line <= len(rows) else None
        if found:
            return line, found.end() - 1
    return None


def _translate(error: yaml.MarkedYAMLError, text: str) -> tuple[int, int, str, dict[str, Any]]:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    context = error.context_mark.line + 1 if error.context_mark else line
    template = _template_unquoted(text, line, context)
    if template:
        return *template, "yaml.template_unquoted", {}
    said = f"{error.context or ''} {error.problem or ''}"
    for needle, code in _SCANNER_HINTS:
        if needle in said:
            found = _FOUND_CHARACTER.search(error.problem or "")
            char = found.group(1) if found else "?"
            return line, column, code, {"char": char}
    return line, column, "yaml.syntax", {"detail": (error.problem or "").strip()}


def read_yaml(path: Path, *, display: str | None = None) -> Document:
    """Read ``path`` safely; raise :class:`LocatedError` with the first problem found."""
    shown = display or shown_path(path)

    def stop(
        line: int, column: int, code: str, params: dict[str, Any] | None = None
    ) -> LocatedError:
        return LocatedError(
            Problem(path=shown, line=line, column=column, code=code, params=params or {})
        )

    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise stop(
                1, 1, "file.too_big", {"size_kb": size // 1000, "max_kb": MAX_FILE_BYTES // 1000}
            )
        raw = path.read_bytes()
    except OSError as exc:
        code = _UNREADABLE.get(exc.errno or 0, "file.unreadable")
        raise stop(1, 1, code, {"detail": exc.strerror or str(exc)}) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise stop(line, column, "file.not_utf8", {"byte": f"0x{raw[exc.start]:02X}"}) from None
    if "\x00" in text:
        raise stop(1, 1, "file.not_utf8", {"byte": "0x00"})
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        raise stop(1, 1, "file.empty")

    fast = _read_plain(text, shown)
    if fast is not None:
        return Document(
            path=shown,
            data=fast.data,
            marks=fast.marks,
            key_marks=fast.key_marks,
            digest=hashlib.sha256(raw).hexdigest()[:16],
        )
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        head = text[: exc.position]
        line, column = head.count("\n") + 1, exc.position - (head.rfind("\n") + 1) + 1
        raise stop(line, column, "yaml.control_char", {"code": f"U+{exc.character:04X}"}) from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise stop(1, 1, "file.empty")
        builder = _Builder(loader, shown)
        data = builder.build(node, ())
    except _Stop as exc:
        template = _template_unquoted(text, exc.line) if exc.code == "yaml.complex_key" else None
        if template:
            raise stop(*template, "yaml.template_unquoted") from None
        raise stop(exc.line, exc.column, exc.code, exc.params) from None
    except yaml.MarkedYAMLError as exc:
        if "expected a single document" in (exc.problem or "") + (exc.context or ""):
            mark = exc.problem_mark
            raise stop(mark.line + 1 if mark else 1, 1, "yaml.two_documents") from None
        raise stop(*_translate(exc, text)) from None
    except yaml.reader.ReaderError as exc:
        head = text[: exc.position]
        raise stop(
            head.count("\n") + 1, 1, "yaml.control_char", {"code": f"U+{exc.character:04X}"}
        ) from None
    except yaml.YAMLError as exc:
        raise stop(1, 1, "yaml.syntax", {"detail": str(exc)[:200]}) from None
    except RecursionError:
        raise stop(1, 1, "yaml.too_deep", {"max": _MAX_DEPTH}) from None
    finally:
        loader.dispose()
    digest = hashlib.sha256(raw).hexdigest()[:16]
    return Document(
        path=shown, data=data, marks=builder.marks, key_marks=builder.key_marks, digest=digest
    )


# Anything that needs the careful reader's precise messages: anchors and aliases, tags, tabs.
_UNUSUAL = re.compile(
    r"(?:^[ -]*|:\s+|[\[{,]\s*)[&*!][^\s,\]}]"  # anchors, aliases, tags where a value starts
    r"|\t"  # tabs
    r"|[\[{][^\]}\n]*\?",  # a "?" inside [...] or {...}: the two readers disagree there
    re.MULTILINE,
)
_FAST_MAX_NESTING = 20


def _libyaml_parser() -> Any:
    """libyaml's parser, when PyYAML was built with it (the usual wheels are); else None."""
    try:
        return importlib.import_module("yaml._yaml").CParser
    except (ImportError, AttributeError):  # the careful reader then does all the reading
        return None


_CParser: Any = _libyaml_parser()


def _read_plain(text: str, shown: str) -> _Builder | None:
    """Read an ordinary flow file with libyaml; None when the careful reader should do it.

    The careful pure-Python reader stays the authority: it refuses aliases before they expand,
    limits nesting, and says exactly where a file is wrong. The fast path only takes files with
    none of that, and hands over on any error, so its speed never changes what admins are told.
    """
    if _FastLoader is None or _UNUSUAL.search(text) or _nesting(text) > _FAST_MAX_NESTING:
        return None
    loader = _FastLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        builder = _Builder(loader, shown)
        builder.data = builder.build(node, ())
    except (yaml.YAMLError, _Stop, RecursionError, ValueError):
        return None
    finally:
        loader.dispose()
    return builder


def _make_fast_loader() -> Any:
    if _CParser is None:
        return None

    class FastLoader(_CParser, yaml.constructor.SafeConstructor, _Resolver):  # type: ignore[misc]
        """libyaml's parser (C) with our resolver and constructor: the same values, faster."""

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            yaml.constructor.SafeConstructor.__init__(self)
            _Resolver.__init__(self)

        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            # A plain scalar's type depends on its text alone, and flow files repeat the same
            # keys thousands of times: remember each answer instead of trying every pattern.
            if kind is ScalarNode and implicit[0]:
                tag = _PLAIN_TAGS.get(value)
                if tag is None:
                    tag = _Resolver.resolve(self, kind, value, implicit)  # type: ignore[no-untyped-call]
                    if len(_PLAIN_TAGS) < _PLAIN_TAGS_KEPT:
                        _PLAIN_TAGS[value] = tag
                return tag
            return _Resolver.resolve(self, kind, value, implicit)  # type: ignore[no-untyped-call]

    return FastLoader


_PLAIN_TAGS: dict[str, str] = {}
_PLAIN_TAGS_KEPT = 50_000


_FastLoader: Any = _make_fast_loader()


def _nesting(text: str) -> int:
    """A rough upper bound of how deep the file nests (indentation steps and open brackets)."""
    deepest = 0
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        depth = (len(line) - len(stripped)) // 2 + stripped.count("[") + stripped.count("{")
        deepest = max(deepest, depth)
    return deepest
