"""Locale catalogs: ``locales/<lang>.yaml`` files of interface texts, with a fallback chain.

A text missing in English falls back to Vietnamese (and ``trolyso lint`` warns); a text missing in
Vietnamese is an error, because there is nothing to fall back to.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bot.core.address import address_words
from bot.core.located_yaml import Document, LocatedError, read_yaml
from bot.core.problems import Problem, Severity, shown_path
from bot.core.sandbox import Renderable, TemplateSyntaxError, names_used, prepare, render
from bot.flows.schema import DEFAULT_LANGUAGE, LANGUAGES
from bot.i18n.keys import REQUIRED_KEYS

__all__ = ["Catalog", "load_catalog"]


class Catalog:
    """Compiled interface texts: ``catalog.text("button.back", "en")``."""

    def __init__(self, templates: dict[str, dict[str, Renderable]]) -> None:
        self._templates = templates

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages residents can choose, Vietnamese first."""
        return tuple(lang for lang in LANGUAGES if lang in self._templates)

    def static(self, key: str, lang: str) -> str | None:
        """The text ``key`` when it needs no rendering (no template in it), else None."""
        found = self._templates.get(lang, {}).get(key) or self._templates[DEFAULT_LANGUAGE].get(key)
        return found if isinstance(found, str) else None

    def text(self, key: str, lang: str, /, **context: Any) -> str:
        """The text ``key`` in ``lang`` (else Vietnamese), rendered with ``context``."""
        template = self._templates.get(lang, {}).get(key) or self._templates[DEFAULT_LANGUAGE].get(
            key
        )
        if template is None:
            return key
        if isinstance(template, str):
            return template
        # Callers outside the engine pass only xung_ho (or nothing): the words that pair with it
        # ({{ toi }}, {{ a }}) come from the same place as in the engine, never from the caller.
        return render(template, {**address_words(context.get("xung_ho"), lang), **context})


def _flatten(data: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _flatten(value, (*prefix, str(key)))
    else:
        yield prefix, data


def load_catalog(folder: Path) -> tuple[Catalog | None, list[Problem]]:
    """Load every language's file in ``folder``; the catalog is None when there are errors."""
    problems: list[Problem] = []
    templates: dict[str, dict[str, Renderable]] = {}
    for lang in LANGUAGES:
        path = folder / f"{lang}.yaml"
        if not path.is_file():
            severity = Severity.ERROR if lang == DEFAULT_LANGUAGE else Severity.WARNING
            problems.append(
                Problem(
                    path=str(path),
                    code="locale.missing_file",
                    severity=severity,
                    params={"lang": lang, "where": shown_path(path)},
                )
            )
            continue
        try:
            doc = read_yaml(path)
        except LocatedError as exc:
            problems.append(exc.problem)
            continue
        templates[lang] = _compile(doc, problems)

    source = templates.get(DEFAULT_LANGUAGE, {})
    for lang, texts in templates.items():
        shown = str(folder / f"{lang}.yaml")
        for key in REQUIRED_KEYS:
            if key in texts:
                continue
            if lang == DEFAULT_LANGUAGE:
                problems.append(
                    Problem(
                        path=shown,
                        code="locale.missing_key",
                        params={"key": key, "example": "locales/en.yaml"},
                    )
                )
            elif key in source:
                problems.append(
                    Problem(
                        path=shown,
                        code="locale.missing_translation",
                        params={"key": key, "lang": lang},
                        severity=Severity.WARNING,
                    )
                )
    if any(problem.is_error for problem in problems) or DEFAULT_LANGUAGE not in templates:
        return None, problems
    return Catalog(templates), problems


def _compile(doc: Document, problems: list[Problem]) -> dict[str, Renderable]:
    compiled: dict[str, Renderable] = {}
    for location, value in _flatten(doc.data):
        key = ".".join(location)
        if key not in REQUIRED_KEYS:
            problems.append(doc.problem(location, "locale.unknown_key", warning=True, key_name=key))
            continue
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            problems.append(doc.problem(location, "locale.not_text", key_name=key))
            continue
        try:
            names_used(str(value))  # the syntax check
            compiled[key] = prepare(str(value))
        except TemplateSyntaxError as exc:
            offset = max((exc.lineno or 1) - 1, 0)
            problems.append(
                doc.problem(
                    location, "flow.template_syntax", line_offset=offset, detail=exc.message or ""
                )
            )
    return compiled
