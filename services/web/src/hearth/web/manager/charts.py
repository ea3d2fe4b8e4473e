"""The dashboard's charts as inline SVG, drawn here (pure: data in, markup out).

No script and nothing fetched: each chart is an `<svg role="img">` named by its `<title>`
and described by its `<desc>`, which reads out every value, so a screen reader hears
the figures and not "image"; the page also follows each chart with a table of the same
numbers (for screen readers, for printing and for anyone without images). Colours are
never the only difference: series differ in marker shape and line pattern too, and
every value is also written as text. Sizes are in the viewBox only, so a chart scales
to the width of a tablet or a phone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import ceil, log10

from markupsafe import Markup, escape

INK = "#1a1a1a"
GRID = "#b0b0b0"
BAR = "#1d5fa0"
SERIES_STYLES = (
    ("#1d5fa0", "", "circle"),
    ("#a0461b", "6 4", "square"),
    ("#2a6e2f", "2 3", "triangle"),
)
"""(colour, dash pattern, marker) for each line in turn: all dark enough for text."""
FONT = 13
GRIDLINES = 4
ROW = 28
LABEL_WIDTH = 190
BAR_SPACE = 300
VALUE_SPACE = 110


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | None
    """None: not available (drawn as no bar, said as "not available")."""


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[int | None]


@dataclass(frozen=True)
class RateBar:
    """A percentage with the counts behind it: `count` of `of`."""

    label: str
    count: int | None
    of: int | None
    percent: float | None


def _number(value: float | None) -> str:
    return "not available" if value is None else f"{value:g}"


def nice_step(largest: float, steps: int) -> int:
    """A whole, round gridline step (1, 2 or 5 times a power of ten) such that `steps`
    of them reach `largest` (at least 1, so an all-zero chart still has an axis)."""
    wanted = max(largest / steps, 1)
    power = 10 ** int(log10(wanted))
    for multiple in (1, 2, 5, 10):
        if multiple * power >= wanted:
            return int(multiple * power)
    return ceil(wanted)  # pragma: no cover - the loop always returns


def _svg(chart_id: str, title: str, desc: str, width: int, height: int, body: list[str]) -> Markup:
    ident = escape(chart_id)
    # Every text put in a chart is escaped where it is written (`_text`, here).
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{ident}-title {ident}-desc" '
        f'font-family="system-ui, sans-serif" font-size="{FONT}">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, text: str, anchor: str = "start") -> str:
    return f'<text x="{x:g}" y="{y:g}" fill="{INK}" text-anchor="{anchor}">{escape(text)}</text>'


def bar_chart(chart_id: str, title: str, bars: Sequence[Bar], *, unit: str = "") -> Markup:
    """Horizontal bars, one a row, scaled to the largest value, each value written at the
    end of its bar."""
    largest = max((b.value for b in bars if b.value is not None), default=0)
    width = LABEL_WIDTH + BAR_SPACE + VALUE_SPACE
    height = ROW * max(len(bars), 1) + 8
    body: list[str] = []
    for row, b in enumerate(bars):
        y = row * ROW + 4
        length = 0 if not b.value or not largest else round(BAR_SPACE * b.value / largest)
        body.append(_text(LABEL_WIDTH - 8, y + ROW / 2 + 4, b.label, "end"))
        body.append(
            f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{length}" height="{ROW - 10}" '
            f'fill="{BAR}"/>'
        )
        value = _number(b.value) + (f" {unit}" if unit and b.value is not None else "")
        body.append(_text(LABEL_WIDTH + length + 6, y + ROW / 2 + 4, value))
    said = "; ".join(f"{b.label}: {_number(b.value)}" for b in bars) or "no figures"
    return _svg(chart_id, title, f"Bar chart. {said}.", width, height, body)


def rate_chart(chart_id: str, title: str, rates: Sequence[RateBar]) -> Markup:
    """Bars on a scale of 0 to 100%, each labelled with its percentage and the counts
    behind it ("3 of 4, 75%"); a rate with nothing to judge yet says so."""
    width = LABEL_WIDTH + BAR_SPACE + VALUE_SPACE + 40
    height = ROW * max(len(rates), 1) + 8 + ROW
    body: list[str] = [
        f'<line x1="{LABEL_WIDTH + BAR_SPACE}" y1="0" x2="{LABEL_WIDTH + BAR_SPACE}" '
        f'y2="{height - ROW}" stroke="{GRID}" stroke-dasharray="4 3"/>',
        _text(LABEL_WIDTH, height - 8, "0%", "middle"),
        _text(LABEL_WIDTH + BAR_SPACE, height - 8, "100%", "middle"),
    ]
    for row, r in enumerate(rates):
        y = row * ROW + 4
        length = 0 if r.percent is None else round(BAR_SPACE * min(r.percent, 100) / 100)
        body.append(_text(LABEL_WIDTH - 8, y + ROW / 2 + 4, r.label, "end"))
        body.append(
            f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{length}" height="{ROW - 10}" '
            f'fill="{BAR}"/>'
        )
        body.append(_text(LABEL_WIDTH + length + 6, y + ROW / 2 + 4, rate_words(r)))
    said = "; ".join(f"{r.label}: {rate_words(r)}" for r in rates) or "no figures"
    return _svg(chart_id, title, f"Percentage bars. {said}.", width, height, body)


def rate_words(r: RateBar) -> str:
    """ "3 of 4, 75%", or "none due yet" when nothing has been judged."""
    if r.of == 0:
        return "none due yet"
    return f"{_number(r.count)} of {_number(r.of)}, {_number(r.percent)}%"


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{x - 4:g}" y="{y - 4:g}" width="8" height="8" fill="{colour}"/>'
    if shape == "triangle":
        points = f"{x:g},{y - 5:g} {x + 5:g},{y + 4:g} {x - 5:g},{y + 4:g}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    return f'<circle cx="{x:g}" cy="{y:g}" r="4" fill="{colour}"/>'


def trend_chart(
    chart_id: str, title: str, labels: Sequence[str], series: Sequence[Series]
) -> Markup:
    """A line for each series over `labels` (the months), with a marker at each value,
    a y axis from zero with gridlines, and a legend; a missing value breaks its line."""
    if any(len(s.values) != len(labels) for s in series):
        raise ValueError("every series needs one value for each label")
    left, top, plot_w, plot_h, bottom = 44, 12, 560, 200, 58
    legend_h = 22 * len(series)
    width, height = left + plot_w + 16, top + plot_h + bottom + legend_h
    values = [v for s in series for v in s.values if v is not None]
    step_value = nice_step(max(values, default=0), GRIDLINES)
    axis_top = step_value * GRIDLINES
    step = plot_w / max(len(labels), 1)

    def x_at(i: int) -> float:
        return left + step * (i + 0.5)

    def y_at(v: float) -> float:
        return top + plot_h - plot_h * v / axis_top

    body: list[str] = []
    for tick in range(GRIDLINES + 1):
        v = step_value * tick
        y = y_at(v)
        body.append(
            f'<line x1="{left}" y1="{y:g}" x2="{left + plot_w}" y2="{y:g}" stroke="{GRID}"/>'
        )
        body.append(_text(left - 6, y + 4, f"{v:g}", "end"))
    for i, label in enumerate(labels):
        # "Jan 26": the month above its year, so twelve of them fit a tablet's width.
        for line, part in enumerate(label.split(" ", 1)):
            body.append(_text(x_at(i), top + plot_h + 18 + line * (FONT + 2), part, "middle"))
    for n, s in enumerate(series):
        colour, dash, shape = SERIES_STYLES[n % len(SERIES_STYLES)]
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        run: list[str] = []
        for i, value in enumerate([*s.values, None]):
            if value is None:
                if len(run) > 1:
                    body.append(
                        f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" '
                        f'stroke-width="2"{dashes}/>'
                    )
                run = []
                continue
            run.append(f"{x_at(i):g},{y_at(value):g}")
            body.append(_marker(shape, x_at(i), y_at(value), colour))
        y = top + plot_h + bottom + 22 * n
        body.append(
            f'<line x1="{left}" y1="{y - 4}" x2="{left + 28}" y2="{y - 4}" stroke="{colour}" '
            f'stroke-width="2"{dashes}/>'
        )
        body.append(_marker(shape, left + 14, y - 4, colour))
        body.append(_text(left + 36, y, s.name))
    said = "; ".join(
        f"{s.name}: "
        + ", ".join(f"{label} {_number(v)}" for label, v in zip(labels, s.values, strict=True))
        for s in series
    )
    return _svg(chart_id, title, f"Line chart by month. {said}.", width, height, body)
