"""One table for every benchmark result: ours against the baseline measured in the same run.

A result may carry `summary_rows` (metric, ours, baseline, ratio, target, met); for the ones
that do not, rows are derived from their known keys, else from every `*_ratio` / `*_vs_*`
number, so a result whose shape changes still shows up rather than breaking the table.
"""

from collections.abc import Callable, Iterable
from typing import Any

Row = dict[str, Any]
COLUMNS = ("benchmark", "metric", "ours", "baseline", "ratio", "target", "met")


def _submit(result: dict[str, Any]) -> list[Row]:
    ours, base = result["assessment"], result["baseline_bare_fastapi_asyncpg_insert"]
    ratio = result["throughput_ratio"]
    return [
        _row(
            "submits/s", ours["throughput_per_s"], base["throughput_per_s"], ratio, met=ratio >= 0.5
        ),
        _row("p99 (ms)", ours["p99_ms"], base["p99_ms"], result["p99_ratio"]),
    ]


def _audit(result: dict[str, Any]) -> list[Row]:
    """Audit states its own target; its verdict is `target_met` when it reports one."""
    pack, base, ingest = result["pack"], result["baseline"], result["ingest"]
    copy_to_put = round(base["copy_to_s"] + base["sftp_put_s"], 2)
    copy_from_put = round(base["copy_from_s"] + base["sftp_put_s"], 2)
    return [
        _row(
            "pack (s) vs COPY TO + put",
            pack["seconds"],
            copy_to_put,
            result["pack_vs_copy_to_plus_put"],
        ),
        _row(
            "pack (s) vs COPY FROM + put",
            pack["seconds"],
            copy_from_put,
            result["pack_vs_copy_from_plus_put"],
        ),
        _row("pack peak RSS (MB)", pack["peak_rss_mb"], None, None),
        _row(
            "ingest events/s",
            ingest["ingest_per_s"],
            ingest["copy_from_per_s"],
            result["ingest_vs_copy_from"],
        ),
    ]


KNOWN: dict[str, Callable[[dict[str, Any]], list[Row]]] = {"submit": _submit, "audit": _audit}


def _row(
    metric: str, ours: Any, baseline: Any, ratio: Any, target: str = "", met: bool | None = None
) -> Row:
    return {
        "metric": metric,
        "ours": ours,
        "baseline": baseline,
        "ratio": ratio,
        "target": target,
        "met": met,
    }


def _generic(result: dict[str, Any]) -> list[Row]:
    rows = [
        _row(key, None, None, value, "", None)
        for key, value in result.items()
        if isinstance(value, int | float)
        and not isinstance(value, bool)
        and (key.endswith("_ratio") or "_vs_" in key)
    ]
    if rows:
        rows[0]["target"] = str(result.get("target", ""))
        rows[0]["met"] = result.get("target_met")
    return rows or [_row("(no ratio reported)", None, None, None, "", None)]


#: Benchmarks that measure one component, not the path users see, say so in their rows.
LABELS = {"unlock": "bridge only (component)"}


def rows_of(name: str, result: dict[str, Any]) -> list[Row]:
    """The summary rows of one benchmark's result, labelled when it measures one component."""
    rows = _rows_of(name, result)
    if name in LABELS:
        rows = [{**row, "metric": f"{LABELS[name]}: {row['metric']}"} for row in rows]
    return rows


def _rows_of(name: str, result: dict[str, Any]) -> list[Row]:
    if "error" in result:
        return [_row(f"FAILED: {result['error']}"[:60], None, None, None, "", False)]
    if isinstance(result.get("summary_rows"), list):
        return list(result["summary_rows"])
    if name in KNOWN:
        try:
            rows = KNOWN[name](result)
        except (KeyError, TypeError):
            return _generic(result)
        rows[0]["target"] = str(result.get("target", ""))
        if "target_met" in result:
            rows[0]["met"] = result["target_met"]
        return rows
    return _generic(result)


def _cell(value: Any, column: str) -> str:
    if value is None:
        return "-" if column != "met" else ""
    if column == "met":
        return "yes" if value else "NO"
    if column == "ratio" and isinstance(value, int | float):
        return f"{value:g}x"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def table(results: dict[str, dict[str, Any]]) -> list[str]:
    """The summary table as lines of text."""
    body = [
        [name if i == 0 else "", *(_cell(row.get(c), c) for c in COLUMNS[1:])]
        for name, result in results.items()
        for i, row in enumerate(rows_of(name, result))
    ]
    widths = [max(len(c), *(len(r[i]) for r in body)) for i, c in enumerate(COLUMNS)]
    return [
        _line(COLUMNS, widths),
        _line(("-" * w for w in widths), widths),
        *(_line(r, widths) for r in body),
    ]


def _line(cells: Iterable[str], widths: list[int]) -> str:
    return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))


def print_summary(results: dict[str, dict[str, Any]]) -> None:
    """Print one table: per benchmark and metric, ours, baseline, ratio and target."""
    print()
    print("Benchmark summary (ratio = ours / baseline, measured in the same run)")
    for line in table(results):
        print(line.rstrip())
