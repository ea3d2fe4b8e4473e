"""The dashboard's SVG charts: named, described value by value, escaped, scaled."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from hearth.web.manager.charts import (
    Bar,
    RateBar,
    Series,
    bar_chart,
    nice_step,
    rate_chart,
    trend_chart,
)

SVG = "{http://www.w3.org/2000/svg}"


def parsed(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))  # noqa: S314 - markup these tests made


def texts(svg: ET.Element) -> list[str]:
    return [t.text or "" for t in svg.iter(f"{SVG}text")]


def test_a_bar_chart_is_an_image_named_by_its_title_and_described_value_by_value() -> None:
    svg = parsed(bar_chart("risk", "Risk mix", [Bar("Standard", 3), Bar("High", 1)]))

    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "risk-title risk-desc"
    assert svg.find(f"{SVG}title").text == "Risk mix"  # type: ignore[union-attr]
    desc = svg.find(f"{SVG}desc").text  # type: ignore[union-attr]
    assert desc == "Bar chart. Standard: 3; High: 1."
    assert {"Standard", "High", "3", "1"} <= set(texts(svg))


def test_bars_are_scaled_to_the_largest_value() -> None:
    svg = parsed(bar_chart("b", "t", [Bar("a", 4), Bar("b", 2), Bar("c", 0)]))

    widths = [int(r.get("width", "0")) for r in svg.iter(f"{SVG}rect")]

    assert widths[0] == 2 * widths[1]
    assert widths[2] == 0


def test_a_value_not_available_draws_no_bar_and_says_so() -> None:
    svg = parsed(bar_chart("b", "t", [Bar("a", None)]))

    assert [int(r.get("width", "0")) for r in svg.iter(f"{SVG}rect")] == [0]
    assert "not available" in texts(svg)


def test_text_in_a_chart_is_escaped() -> None:
    markup = str(bar_chart("b", "<script>", [Bar("a & <b>", 1)]))

    assert "<script>" not in markup
    assert "a &amp; &lt;b&gt;" in markup
    parsed(markup)  # still well-formed


def test_a_chart_has_no_fixed_size_so_it_fits_a_tablet() -> None:
    svg = parsed(bar_chart("b", "t", [Bar("a", 1)]))

    assert svg.get("width") is None and svg.get("height") is None
    assert re.fullmatch(r"0 0 \d+ \d+", svg.get("viewBox", ""))


def test_a_rate_chart_shows_the_counts_behind_each_percentage() -> None:
    svg = parsed(
        rate_chart(
            "ts",
            "Timescales",
            [RateBar("First contact", 3, 4, 75.0), RateBar("DASH", 0, 0, None)],
        )
    )

    assert "3 of 4, 75%" in texts(svg)
    assert "none due yet" in texts(svg)
    desc = svg.find(f"{SVG}desc").text  # type: ignore[union-attr]
    assert desc == "Percentage bars. First contact: 3 of 4, 75%; DASH: none due yet."


def test_a_trend_chart_draws_a_line_and_a_legend_entry_per_series() -> None:
    svg = parsed(
        trend_chart(
            "trend",
            "By month",
            ["Oct 26", "Nov 26"],
            [Series("New", [2, 5]), Series("Closed", [0, 1])],
        )
    )

    assert len(list(svg.iter(f"{SVG}polyline"))) == 2
    assert {"Oct", "Nov", "26", "New", "Closed"} <= set(texts(svg))
    desc = svg.find(f"{SVG}desc").text  # type: ignore[union-attr]
    assert desc == "Line chart by month. New: Oct 26 2, Nov 26 5; Closed: Oct 26 0, Nov 26 1."


def test_series_differ_by_more_than_colour() -> None:
    svg = parsed(trend_chart("t", "t", ["a", "b"], [Series("x", [1, 2]), Series("y", [1, 2])]))

    lines = list(svg.iter(f"{SVG}polyline"))

    assert lines[0].get("stroke-dasharray") != lines[1].get("stroke-dasharray")
    assert svg.find(f"{SVG}circle") is not None
    assert svg.find(f"{SVG}rect") is not None  # the second series' square markers


def test_a_missing_month_breaks_the_line() -> None:
    svg = parsed(trend_chart("t", "t", ["a", "b", "c"], [Series("x", [1, None, 2])]))

    assert list(svg.iter(f"{SVG}polyline")) == []
    assert len(list(svg.iter(f"{SVG}circle"))) == 3  # two values and the legend's marker


def test_a_series_must_have_a_value_for_every_month() -> None:
    with pytest.raises(ValueError, match="one value for each label"):
        trend_chart("t", "t", ["a", "b"], [Series("x", [1])])


@pytest.mark.parametrize(
    ("largest", "step"), [(0, 1), (1, 1), (4, 1), (5, 2), (8, 2), (9, 5), (21, 10), (240, 100)]
)
def test_gridlines_are_whole_round_steps_that_reach_the_largest(largest: int, step: int) -> None:
    assert nice_step(largest, 4) == step
    assert step * 4 >= largest


def test_the_trend_axis_is_labelled_in_whole_numbers() -> None:
    svg = parsed(trend_chart("t", "t", ["Nov 26", "Dec 26"], [Series("x", [0, 4])]))

    assert {"0", "1", "2", "3", "4", "Nov", "Dec", "26"} <= set(texts(svg))
    assert "1.25" not in texts(svg)
