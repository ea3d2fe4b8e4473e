"""Figures and case rows → what the API answers (JSON-ready data, or CSV text)."""

from __future__ import annotations

import csv
import io
from typing import Any

CSV_COLUMNS = ("section", "figure", "category", "measure", "value")


def figures_csv(shown: dict[str, Any]) -> str:
    """A report as CSV: one row per value, its period in a first comment-free header row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("report", shown["report"], "period", shown["period"], shown["as_of"]))
    writer.writerow(CSV_COLUMNS)
    for section, figures in shown["sections"].items():
        for name, figure in figures.items():
            for category, measure, value in _values(figure):
                writer.writerow((section, name, category, measure, _text(value)))
    return out.getvalue()


def _values(figure: dict[str, Any]) -> list[tuple[str, str, Any]]:
    if "counts" in figure:
        rows = [(category, "count", n) for category, n in figure["counts"].items()]
        return [*rows, ("", "total", figure["total"])]
    return [("", measure, value) for measure, value in figure.items()]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def case_row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "case_id": row["case_id"],
        "opened_at": row["opened_at"],
        "status": "open" if row["open"] else "closed",
        "closed_at": row["closed_at"],
        "closure_reason": row["closure_reason"],
        "channel": row["channel"],
        "reporter_kind": row["reporter_kind"],
        "case_manager_id": row["case_manager_id"],
        "risk_level": row["risk_level"],
        "restricted": row["restricted"],
        "repeat": row["repeat"],
        "deadlines_running": row["deadlines_running"],
        "deadlines_overdue": row["deadlines_overdue"],
    }
