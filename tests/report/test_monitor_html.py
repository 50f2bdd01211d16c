"""The monitor's HTML page: self-contained, escaped, a chart per metric, drawn by a browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from taskgate.model.monitor import MonitorReport
from taskgate.report.monitor_html import CHARTS, render_monitor_html
from tests.report.test_html_browser import browse, chromium  # noqa: F401 (a fixture)


def test_the_page_is_self_contained_and_escaped(monitor_failing: MonitorReport) -> None:
    page = render_monitor_html(monitor_failing).decode()
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"(src|href)=\"?(https?:)?//", page)
    assert "<script" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "<title>taskgate monitor FAIL: 1d windows</title>" in page


def test_every_chart_with_values_is_drawn(monitor_failing: MonitorReport) -> None:
    page = render_monitor_html(monitor_failing).decode()
    # Every metric has a value in some window here, so every chart is drawn.
    assert page.count("<figure>") == len(CHARTS)
    assert page.count("<svg") == len(CHARTS)
    for chart in CHARTS:
        assert chart.title.replace("'", "&#x27;") in page
    assert page.count(">judged</text>") == len(CHARTS)


def test_no_window_gives_a_page_that_says_so(monitor_failing: MonitorReport) -> None:
    empty = monitor_failing.model_copy(
        update={"judged_window": None, "status": "not_judged", "alerts": [], "cohorts": []}
    )
    page = render_monitor_html(empty).decode()
    assert '<p class="word">NOT JUDGED</p>' in page
    assert "no 1d window is complete yet; nothing was compared" in page
    assert "<p>No windows.</p>" in page


@pytest.mark.usefixtures("chromium")
def test_the_browser_draws_the_page(
    chromium: str,  # noqa: F811
    monitor_failing: MonitorReport,
    tmp_path: Path,
) -> None:
    page = tmp_path / "monitor.html"
    page.write_bytes(render_monitor_html(monitor_failing))
    dom = browse(chromium, page, "--dump-dom")
    assert '<p class="word">FAIL</p>' in dom
    assert dom.count("<svg") == len(CHARTS)
    assert "<script" not in dom
    assert "segment=&lt;script&gt;alert('x')&lt;/script&gt;" in dom
