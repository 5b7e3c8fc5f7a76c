"""How long loading and checking a large flow library takes: 200 flows in two languages.

    .venv/bin/python benchmarks/startup.py [--quick] [--flows 200] [--rounds 1]

Writes a library into a temporary folder: every shipped flow, plus copies of the shipped menu
flows (new ids, titles and trigger phrases varied so no two flows share one) until there are
``--flows`` files, each in Vietnamese and English. Then it times

* ``bot.app.compose.check_content`` on it (``load_flows`` + the locale catalog + the router + the
  engine: what ``trolyso run`` and a hot reload do before serving), in this process, first call
  and the best of ``--rounds`` more, with the parts (flows, catalog) on their own;
* ``trolyso lint`` on it, as a subprocess (what an admin waits for, Python start-up included).

Goal: each under 2 s. This prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bench import ROOT, machine
from _vocabulary import COMMUNES, PLACES, TOPICS, TOPICS_EN

GOAL_SECONDS = 2.0


def write_library(folder: Path, size: int) -> tuple[int, int]:
    """Shipped flows plus varied copies, ``size`` files in all; (files, steps) written."""
    shipped = sorted((ROOT / "flows").glob("*.yaml"))
    docs = [(path, yaml.safe_load(path.read_text(encoding="utf-8"))) for path in shipped]
    steps = 0
    for path, doc in docs:
        (folder / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
        steps += len(doc.get("steps", {}))
    menu = [(path, doc) for path, doc in docs if doc.get("menu", True)]
    for number in range(max(size - len(docs), 0)):
        path, original = menu[number % len(menu)]
        place = PLACES[number % len(PLACES)]
        commune = COMMUNES[(number // len(PLACES)) % len(COMMUNES)]
        topic = TOPICS[number % len(TOPICS)]
        topic_en = TOPICS_EN[number % len(TOPICS_EN)]
        where = f"{place} {commune}"
        doc = dict(original)
        doc["id"] = f"{original['id']}_{number}"
        doc["title"] = {lang: f"{text} ({where})" for lang, text in original["title"].items()}
        triggers = original.get("triggers", {})
        doc["triggers"] = {
            "vi": [f"{phrase} {where}" for phrase in triggers.get("vi", [])[::2]]
            + [f"{topic} {where}", f"hỏi về {topic} {where}"],
            "en": [f"{phrase} in {commune}" for phrase in triggers.get("en", [])[::2]]
            + [f"{topic_en} {number}"],
        }
        target = folder / f"{doc['id']}.yaml"
        target.write_text(
            yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=10_000),
            encoding="utf-8",
        )
        steps += len(doc.get("steps", {}))
    return len(docs) + max(size - len(docs), 0), steps


def timed(work: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flows", type=int, default=200, help="flow files in the library")
    parser.add_argument("--rounds", type=int, default=1, help="repeats after the first call")
    parser.add_argument("--quick", action="store_true", help="50 flows instead of 200")
    args = parser.parse_args()
    if args.quick:
        args.flows = min(args.flows, 50)

    started = time.perf_counter()
    from bot.app.compose import check_content
    from bot.config import Settings
    from bot.flows.loader import load_flows
    from bot.i18n.catalog import load_catalog

    import_seconds = time.perf_counter() - started
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="trolyso-startup-") as tmp:
        flows = Path(tmp) / "flows"
        flows.mkdir()
        files, steps = write_library(flows, args.flows)
        size = sum(p.stat().st_size for p in flows.iterdir())
        print(
            f"library: {files} flow files (vi + en), {steps:,} steps, "
            f"{size / 1e6:.1f} MB of YAML in {flows}"
        )
        settings = Settings(flows_dir=flows, locales_dir=ROOT / "locales")

        first, (engine, problems) = timed(lambda: check_content(settings))
        errors = [p for p in problems if p.is_error]
        if engine is None or errors:
            print(
                f"the library has {len(errors)} errors, e.g. {errors[0].render('en')}"
                if errors
                else "no engine was built"
            )
            return 1
        again = [timed(lambda: check_content(settings))[0] for _ in range(args.rounds)]
        flows_only = min(timed(lambda: load_flows([flows]))[0] for _ in range(args.rounds))
        catalog_only = min(
            timed(lambda: load_catalog(settings.locales_dir))[0] for _ in range(args.rounds)
        )

        config = Path(tmp) / "config.yaml"
        config.write_text(
            f"flows_dir: {flows}\nlocales_dir: {ROOT / 'locales'}\n", encoding="utf-8"
        )
        trolyso = Path(sys.executable).with_name("trolyso")
        command = [str(trolyso)] if trolyso.exists() else [sys.executable, "-m", "bot"]
        command += ["--config", str(config), "lint"]
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "0"}
        lint_runs = []
        output = ""
        for _ in range(1 + args.rounds):  # the first also fills the bytecode cache if empty
            seconds, done = timed(
                lambda: subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp)
            )
            lint_runs.append(seconds)
            output = (done.stdout.strip().splitlines() or [""])[-1]
            if done.returncode != 0:
                output = f"exit {done.returncode}: {output} {done.stderr.strip()[-300:]}"
        baseline, _ = timed(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True))

    warnings = len(problems)
    print(f"\n{'':58}{'seconds':>8}")
    print(
        f"{'import bot.app.compose (once per process, not in the figures)':58}{import_seconds:8.2f}"
    )
    print(f"{'check_content, first call':58}{first:8.2f}")
    print(f"{f'check_content, best of {args.rounds} more':58}{min(again):8.2f}")
    print(f"{'  of which load_flows (best)':58}{flows_only:8.2f}")
    print(f"{'  of which load_catalog (best)':58}{catalog_only:8.2f}")
    print(f"{'trolyso lint, subprocess, first run':58}{lint_runs[0]:8.2f}")
    print(f"{f'trolyso lint, subprocess, best of {args.rounds} more':58}{min(lint_runs[1:]):8.2f}")
    print(f"{'  (python -c pass, for comparison)':58}{baseline:8.2f}")
    print(f"\nlint said: {output}  ({warnings} warnings from check_content)")
    if files < 200:
        print(f"(a library of {files} flows, not 200: the goal is for 200)")
    for name, value in (
        ("check_content (first call)", first),
        ("trolyso lint (slowest run)", max(lint_runs)),
    ):
        verdict = "met" if value < GOAL_SECONDS else "NOT met"
        print(f"goal: {name} under {GOAL_SECONDS:.0f} s -> {verdict} ({value:.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
