"""The printable page: every figure shown (suppressed as in the JSON), text escaped, a
chart for each breakdown, and nothing it could load or run."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import UTC, datetime

from hearth.reporting.domain.figures import (
    Breakdown,
    Count,
    Median,
    NotRecorded,
    Rate,
    Report,
    ReportKind,
)
from hearth.reporting.domain.periods import parse_period
from hearth.reporting.domain.suppression import present
from hearth.reporting.report_page import CSP, figures_page

REPORT = Report(
    ReportKind.COMMITTEE,
    parse_period("2026-Q3", "Europe/London"),
    datetime(2026, 10, 5, tzinfo=UTC),
    {
        "cases": {"new": Count(12)},
        "reports": {"by_channel": Breakdown({"phone": 9, "email": 2, "<script>": 1})},
        "timescales": {"first_contact_within_target": Rate(9, 12)},
        "closures": {"days_open_to_closed": Median(30.0, 6)},
        "victims": {"perpetrators_aged_17_or_under": NotRecorded("no <age> band")},
    },
)


def test_the_page_shows_every_figure_with_a_chart_for_each_breakdown() -> None:
    page = figures_page(present(REPORT))
    assert "Quarterly figures for the communities and housing committee" in page
    assert "2026-Q3" in page and "Median 30.0 days, of 6" in page
    assert "9 of 12: 75.0%" in page
    assert page.count("<svg") == 2  # the breakdown and the rate
    assert "&lt;script&gt;" in page and "<script" not in page
    assert "no &lt;age&gt; band" in page


def test_the_page_for_sharing_shows_the_suppressed_figures_and_says_so() -> None:
    page = figures_page(present(REPORT, 5))
    assert "counts below 5 show as &lt;5" in page
    assert re.search(r'<td>Email</td><td class="n">&lt;5</td>', page)
    assert "hidden" in page  # a hidden cell has no bar


def test_the_page_allows_only_its_own_style_sheet() -> None:
    page = figures_page(present(REPORT))
    style = re.search(r"<style>(.*?)</style>", page, re.S)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in CSP
    assert "default-src 'none'" in CSP and "script" not in CSP
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
