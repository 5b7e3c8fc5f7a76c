"""The only Jinja2 environment: sandboxed, immutable, strict about names nobody defined.

Flow texts are templates written by admins. What residents type only ever reaches a template as a
value in its context, never as template source, so typing ``{{ 7*7 }}`` shows ``{{ 7*7 }}``.
"""

from __future__ import annotations

from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, meta
from jinja2.environment import TemplateExpression
from jinja2.nodes import Template as TemplateNode
from jinja2.sandbox import ImmutableSandboxedEnvironment

__all__ = [
    "TemplateSyntaxError",
    "compile_condition",
    "compile_text",
    "names_used",
    "prepared",
    "render",
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


def names_used(source: str, *, expression: bool = False) -> set[str]:
    """The variable names a text (or a condition, with ``expression=True``) reads."""
    parsed: TemplateNode = _ENV.parse("{{ (" + source + ") }}" if expression else source)
    return set(meta.find_undeclared_variables(parsed))


def prepared(source: str, template: Template) -> Template | str:
    """What to keep for a text: the text itself when it uses no template at all.

    Most texts ("⬅️ Quay lại", most steps) have no ``{{`` or ``{%``: showing them then costs
    nothing, where rendering through Jinja would cost a fresh context every time.
    """
    if "{" not in source:
        return source.strip()
    return template


def render(template: Template | str, context: dict[str, Any]) -> str:
    """Render ``template`` with ``context``; the caller decides what to do when it fails."""
    if isinstance(template, str):
        return template
    return template.render(context).strip()
