"""`python -m bench [NAME ...]`: run the benchmarks (all by default), print their results.

A benchmark is a module `bench.<name>` with a `run() -> dict`: it measures its baseline in
the same run, reports ratios against it and writes `bench/results/<name>.json`. Modules
without `run` (shared helpers) are skipped.
"""

import importlib
import json
import pkgutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from academy_runtime import heap
from academy_runtime.settings import ServiceSettings
from bench.summary import print_summary

HERE = Path(__file__).resolve().parent


def benchmarks() -> dict[str, Callable[[], dict[str, Any]]]:
    found: dict[str, Callable[[], dict[str, Any]]] = {}
    for module in sorted(pkgutil.iter_modules([str(HERE)]), key=lambda m: m.name):
        if module.name.startswith("_"):
            continue
        loaded = importlib.import_module(f"bench.{module.name}")
        run = getattr(loaded, "run", None)
        if callable(run):
            found[module.name] = run
    return found


def main(names: list[str]) -> None:
    available = benchmarks()
    unknown = sorted(set(names) - set(available))
    if unknown:
        raise SystemExit(
            f"unknown benchmark(s) {', '.join(unknown)}; choose from {sorted(available)}"
        )
    # The driver collects as a service process does (every benchmark, whatever ran before it):
    # with Python's defaults its full collections stopped it for up to 175 ms mid-window.
    heap.settle(ServiceSettings.model_fields["gc_young_threshold"].default)
    results: dict[str, dict[str, Any]] = {}
    for name in names or sorted(available):
        print(f"== {name}", flush=True)
        try:
            results[name] = available[name]()
        except Exception as exc:  # one failing benchmark must not hide the others
            results[name] = {"error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(results[name], indent=2), flush=True)
    print_summary(results)
    if any("error" in result for result in results.values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
