"""The only Jinja2 environment: sandboxed, immutable, strict about names nobody defined.

Flow texts are templates written by admins. What residents type only ever reaches a template as a
value in its context, never as template source, so typing ``{{ 7*7 }}`` shows ``{{ 7*7 }}``.
"""

from __future__ import annotations

import functools
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, meta
from jinja2.environment import TemplateExpression
from jinja2.nodes import Template as TemplateNode
from jinja2.sandbox import ImmutableSandboxedEnvironment

__all__ = [
    "LazyTemplate",
    "Renderable",
    "TemplateSyntaxError",
    "compile_condition",
    "compile_text",
    "names_used",
    "prepare",
    "render",
    "template_reason",
    "uses_template",
]


def _finalize(value: Any) -> Any:
    # An answer that was never given shows as nothing rather than "None".
    return "" if value is None else value


def _capitalize(value: Any) -> str:
    # Jinja's capitalize lower-cases the rest ("Bác Ba" -> "Bác ba"): only touch the first letter.
    text = str(value)
    return text[:1].upper() + text[1:]


_ENV = ImmutableSandboxedEnvironment(
    undefined=StrictUndefined,
    autoescape=False,
    finalize=_finalize,
    keep_trailing_newline=False,
)
_ENV.filters["capitalize"] = _capitalize


def compile_text(source: str) -> Template:
    """Compile a text of a flow or locale; raises ``TemplateSyntaxError`` with its line."""
    return _ENV.from_string(source)


def compile_condition(expression: str) -> TemplateExpression:
    """Compile a ``when`` condition such as ``age >= 60 and phone == "iphone"``."""
    return _ENV.compile_expression(expression, undefined_to_none=False)


def uses_template(source: str) -> bool:
    """True when ``source`` has Jinja syntax at all; most texts ("⬅️ Quay lại") have none."""
    return "{{" in source or "{%" in source or "{#" in source


@functools.lru_cache(maxsize=65536)
def _names(source: str, expression: bool) -> frozenset[str]:
    parsed: TemplateNode = _ENV.parse("{{ (" + source + ") }}" if expression else source)
    return frozenset(meta.find_undeclared_variables(parsed))


def names_used(source: str, *, expression: bool = False) -> set[str]:
    """The variable names a text (or a condition, with ``expression=True``) reads.

    Raises ``TemplateSyntaxError`` for a broken template: this is also the syntax check.
    """
    if not expression and not uses_template(source):
        return set()
    return set(_names(source, expression))


class LazyTemplate:
    """A checked template compiled the first time it is shown.

    Checking (parsing) every text at load time is quick; compiling all of them is what made
    loading a large library slow, and many texts are never shown before the next edit.
    """

    __slots__ = ("_compiled", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        self._compiled: Template | None = None

    def render(self, context: dict[str, Any]) -> str:
        """Render, compiling on first use."""
        if self._compiled is None:
            self._compiled = _ENV.from_string(self.source)
        return self._compiled.render(context)


Renderable = str | LazyTemplate | Template


def prepare(source: str) -> str | LazyTemplate:
    """What to keep for a text that passed :func:`names_used`: itself, or a lazy template."""
    return LazyTemplate(source) if uses_template(source) else source.strip()


def render(template: Renderable, context: dict[str, Any]) -> str:
    """Render a prepared text with ``context``; the caller decides what to do when it fails."""
    if isinstance(template, str):
        return template
    return template.render(context).strip()


# Jinja's words for the usual template mistakes, and the admin's words for them.
_TEMPLATE_REASONS = (
    ("unexpected '}'", "template.missing_brace"),
    ("unexpected 'end of template'", "template.cut_short"),
    ("unexpected end of template", "template.not_closed"),
    ("no filter named", "template.unknown_filter"),
    ("expected token 'end of print statement'", "template.two_words"),
    ("chunk after expression", "template.extra_words"),
    ("encountered unknown tag", "template.unknown_tag"),
)


def template_reason(error: TemplateSyntaxError) -> dict[str, Any]:
    """The ``detail`` of a broken template or condition: a known mistake said in the admin's
    language (``detail_code``), else Jinja's own words."""
    said = (error.message or "").lower()
    for needle, code in _TEMPLATE_REASONS:
        if needle in said:
            return {"detail_code": code}
    return {"detail": error.message or ""}
