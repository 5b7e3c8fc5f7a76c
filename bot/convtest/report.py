"""What ``trolyso test`` prints: problems in test files, each test's result, and the coverage."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.convtest.coverage import Coverage
from bot.convtest.files import ConversationFile
from bot.convtest.run import ConversationResult, Failure
from bot.core.messages import describe
from bot.flows.compiled import CompiledFlow

__all__ = ["report"]

_SHOWN_TEXT = 400  # characters of each bot message shown under a failure


def report(
    files: Sequence[ConversationFile],
    results: Sequence[ConversationResult],
    coverage: Coverage,
    flows: Mapping[str, CompiledFlow],
    *,
    lang: str = "vi",
    list_untested: bool = False,
) -> list[str]:
    """The lines to print, in ``lang``; ``list_untested`` names flows no test file is about."""
    lines: list[str] = []
    problems = [problem for file in files for problem in file.problems]
    lines += [problem.render(lang) for problem in problems]
    for result in results:
        test = result.test
        mark = "✓" if result.passed else "✗"
        lines.append(f"{mark} {test.path}:{test.line}: {test.name} ({test.lang})")
        if result.failure is not None:
            lines += _failure(test.path, result.failure, lang)
    lines += _coverage(files, coverage, flows, lang, list_untested)
    failed = sum(not result.passed for result in results)
    lines.append(
        describe(
            "convtest.summary",
            {
                "total": len(results),
                "passed": len(results) - failed,
                "failed": failed,
                "s": "" if len(results) == 1 else "s",  # English plural
            },
            lang,
        )
        + (
            " "
            + describe(
                "convtest.summary_problems",
                {"count": len(problems), "s": "" if len(problems) == 1 else "s"},
                lang,
            )
            if problems
            else ""
        )
    )
    return lines


def _failure(path: str, failure: Failure, lang: str) -> list[str]:
    where = f"{path}:{failure.line}:{failure.column}"
    if failure.index:
        step = describe(
            "convtest.at_move", {"index": failure.index, "action": failure.action}, lang
        )
    else:
        step = describe("convtest.at_outcome", {}, lang)
    lines = [f"    {where}: {step} {describe(failure.code, failure.params, lang)}"]
    if failure.index:
        said = [" ".join(text.split()) for text in failure.said] or ["-"]
        for text in said:
            shown = text if len(text) <= _SHOWN_TEXT else text[:_SHOWN_TEXT] + "…"
            lines.append("      " + describe("convtest.bot_said", {"text": shown}, lang))
        offered = " ".join(f"[{label}]" for label in failure.offered) or "-"
        lines.append("      " + describe("convtest.offered", {"buttons": offered}, lang))
    return lines


def _coverage(
    files: Sequence[ConversationFile],
    coverage: Coverage,
    flows: Mapping[str, CompiledFlow],
    lang: str,
    list_untested: bool,
) -> list[str]:
    named = [file.flow for file in files if file.flow]
    touched = [flow_id for flow_id in flows if flow_id in named or flow_id in coverage.steps]
    if not touched and not list_untested:
        return []
    lines = [describe("coverage.title", {}, lang)]
    for flow_id in touched:
        flow = flows[flow_id]
        steps, choices = flow.flow.steps, coverage.missing_choices(flow)
        missing_steps = coverage.missing_steps(flow)
        total_choices = sum(len(step.choices or []) for step in steps.values())
        lines.append(
            "  "
            + describe(
                "coverage.flow",
                {
                    "flow": flow_id,
                    "steps_hit": len(steps) - len(missing_steps),
                    "steps": len(steps),
                    "choices_hit": total_choices - len(choices),
                    "choices": total_choices,
                },
                lang,
            )
        )
        if missing_steps:
            lines.append(
                "    "
                + describe("coverage.missing_steps", {"steps": ", ".join(missing_steps)}, lang)
            )
        by_step: dict[str, list[str]] = {}
        for step_id, index in choices:
            label = (steps[step_id].choices or [])[index].label.get(lang)
            by_step.setdefault(step_id, []).append(f'"{label}"')
        for step_id, labels in by_step.items():
            params = {"step": step_id, "labels": ", ".join(labels)}
            lines.append("    " + describe("coverage.missing_choice", params, lang))
    untested = [flow_id for flow_id in flows if flow_id not in touched]
    if list_untested and untested:
        lines.append("  " + describe("coverage.untested", {"flows": ", ".join(untested)}, lang))
    return lines
