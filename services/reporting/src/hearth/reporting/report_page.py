"""A report's figures as a printable HTML page with bar charts, rendered here: inline SVG,
no script, nothing fetched from anywhere (its Content-Security-Policy allows only its own
style sheet, by hash).

It renders what `domain.suppression.present` gives, so a page for external sharing shows
exactly the suppressed figures the JSON and CSV do. Every text is escaped.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape
from typing import Any, Final

STYLE: Final = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1a1a1a; }
h1 { font-size: 1.5rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.15rem; border-bottom: 1px solid #999; margin-top: 2rem; }
h3 { font-size: 1rem; margin: 1.2rem 0 0.4rem; }
p.meta { color: #444; margin: 0.2rem 0; }
p.note { background: #f3f3f3; padding: 0.5rem; }
table { border-collapse: collapse; margin: 0.3rem 0; }
td, th { padding: 0.15rem 0.6rem; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
section.figure { break-inside: avoid; }
@media print { body { margin: 0.5cm; } h2 { break-after: avoid; } }
"""
STYLE_HASH: Final = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
CSP: Final = (
    f"default-src 'none'; style-src 'sha256-{STYLE_HASH}'; img-src 'none'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
"""The page runs nothing and loads nothing: only its own style sheet."""

TITLES: Final = {
    "executive": "Monthly figures for the executive team",
    "committee": "Quarterly figures for the communities and housing committee",
    "marac": "MARAC indicators (SafeLives)",
}
BAR_WIDTH: Final = 320
BAR_HEIGHT: Final = 16
LABEL_WIDTH: Final = 230


def figures_page(shown: dict[str, Any]) -> str:
    """The whole page."""
    title = TITLES.get(shown["report"], shown["report"])
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{escape(title)}: {escape(shown['period'])}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">Period {escape(shown["period"])} '
        f"({escape(shown['period_start'])} to {escape(shown['period_end'])}), "
        f"as at {escape(shown['as_of'])}.</p>",
    ]
    if shown["suppressed_below"] is not None:
        parts.append(
            f'<p class="note">For sharing outside the organisation: counts below '
            f"{int(shown['suppressed_below'])} show as &lt;{int(shown['suppressed_below'])}, "
            "and a figure that would let a reader work one out shows as suppressed.</p>"
        )
    for section, figures in shown["sections"].items():
        parts.append(f"<h2>{_label(section)}</h2>")
        for name, figure in figures.items():
            parts.append(f'<section class="figure"><h3>{_label(name)}</h3>')
            parts.append(_figure(figure))
            parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _label(name: str) -> str:
    return escape(name.replace("_", " ").capitalize())


def _value(value: Any) -> str:
    return "-" if value is None else escape(str(value))


def _figure(figure: dict[str, Any]) -> str:
    if "counts" in figure:
        return _breakdown(figure["counts"], figure["total"])
    if "not_recorded" in figure:
        return f"<p><em>Not recorded: {escape(figure['not_recorded'])}</em></p>"
    if "median_days" in figure:
        return f"<p>Median {_value(figure['median_days'])} days, of {_value(figure['of'])}</p>"
    if "percent" in figure:
        percent = figure["percent"]
        shown = f"{_value(percent)}%" if isinstance(percent, int | float) else _value(percent)
        bar = _bars([("", percent if isinstance(percent, int | float) else None)], 100)
        return f"<p>{_value(figure['count'])} of {_value(figure['of'])}: {shown}</p>{bar}"
    if "population" in figure:
        return (
            f"<p>{_value(figure['value'])} per {_value(figure['per'])} "
            f"({_value(figure['count'])} of a population of {_value(figure['population'])})</p>"
        )
    return f"<p>{_value(figure.get('count'))}</p>"


def _breakdown(cells: dict[str, Any], total: Any) -> str:
    rows = "".join(
        f'<tr><td>{_label(name)}</td><td class="n">{_value(n)}</td></tr>'
        for name, n in cells.items()
    )
    numbers = [n for n in cells.values() if isinstance(n, int)]
    chart = _bars(
        [(name, n if isinstance(n, int) else None) for name, n in cells.items()],
        max(numbers, default=0),
    )
    return (
        f'<table><tbody>{rows}<tr><th>Total</th><td class="n">{_value(total)}</td></tr>'
        f"</tbody></table>{chart}"
    )


def _bars(values: list[tuple[str, float | None]], largest: float) -> str:
    """A horizontal bar for each value (none for a hidden one), scaled to `largest`."""
    label_width = LABEL_WIDTH if any(name for name, _ in values) else 0
    height = BAR_HEIGHT * len(values) + 4
    width = label_width + BAR_WIDTH + 60
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="bar chart">'
    ]
    for row, (name, value) in enumerate(values):
        y = row * BAR_HEIGHT + 2
        if name:
            out.append(f'<text x="0" y="{y + BAR_HEIGHT - 4}" font-size="11">{_label(name)}</text>')
        length = 0 if value is None or not largest else round(BAR_WIDTH * value / largest)
        out.append(
            f'<rect x="{label_width}" y="{y}" width="{length}" height="{BAR_HEIGHT - 3}" '
            'fill="#3b6ea5"/>'
        )
        text = "hidden" if value is None else f"{value:g}"
        out.append(
            f'<text x="{label_width + length + 4}" y="{y + BAR_HEIGHT - 4}" '
            f'font-size="11">{escape(text)}</text>'
        )
    out.append("</svg>")
    return "".join(out)
