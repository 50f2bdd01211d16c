"""The monitor's HTML page: self-contained, escaped, a chart per metric, drawn by a browser."""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path

import pytest

from taskgate.model.monitor import MonitorReport
from taskgate.report.monitor_html import CHARTS, render_monitor_html
from tests.report.conftest import HOSTILE
from tests.report.test_html_browser import (  # noqa: F401 (chromium: a fixture)
    FAIL_RED,
    browse,
    chromium,
    count_colour,
    png_chunks,
    unfilter,
)

ALERT_RED = (0xD9, 0x2D, 0x20)  # .m-alert, the ring around an alerted window


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


def test_nothing_is_fetched_from_anywhere(monitor_failing: MonitorReport) -> None:
    page = render_monitor_html(monitor_failing).decode()
    assert re.findall(r"https?:", page) == []
    assert "<link" not in page and "@import" not in page
    # CSS and SVG refer only to what the page defines itself (the hatch pattern).
    assert {ref[0] for ref in re.findall(r"url\(([^)]*)\)", page)} <= {"#"}
    assert "<img" not in page and "<iframe" not in page and "<object" not in page


def test_the_windows_alerted_on_are_ringed(monitor_failing: MonitorReport) -> None:
    page = render_monitor_html(monitor_failing).decode()
    # Three rules fail on two cohorts, each on a chart of its own: a ring per alert.
    assert sorted((a.metric, a.cohort) for a in monitor_failing.alerts) == sorted(
        (metric, cohort)
        for metric in ("final_step_rate", "pass_rate", "task_completion")
        for cohort in ("all", HOSTILE)
    )
    assert page.count('class="m-alert"') == 6


def test_a_chart_without_values_is_left_out(monitor_failing: MonitorReport) -> None:
    unpriced = monitor_failing.model_copy(
        update={
            "cohorts": [
                series.model_copy(
                    update={
                        "windows": [
                            w.model_copy(update={"cost_per_run": None, "latency_p90_ms": None})
                            for w in series.windows
                        ]
                    }
                )
                for series in monitor_failing.cohorts
            ]
        }
    )
    page = render_monitor_html(unpriced).decode()
    assert page.count("<figure>") == len(CHARTS) - 2
    assert "Cost per run (USD)" not in page and "Latency p90 (ms)" not in page


def test_the_banner_counts_its_notices(monitor_failing: MonitorReport) -> None:
    page = render_monitor_html(monitor_failing).decode()
    count = len(monitor_failing.notices)
    assert count > 1
    assert f"<p>{count} notices: see below</p>" in page
    one = monitor_failing.model_copy(update={"notices": monitor_failing.notices[:1]})
    assert "<p>1 notice: see below</p>" in render_monitor_html(one).decode()


@pytest.mark.usefixtures("chromium")
def test_the_screenshot_shows_the_red_banner_and_the_charts(
    chromium: str,  # noqa: F811
    monitor_failing: MonitorReport,
    tmp_path: Path,
) -> None:
    page = tmp_path / "monitor.html"
    page.write_bytes(render_monitor_html(monitor_failing))
    shot = tmp_path / "shot.png"
    browse(chromium, page, f"--screenshot={shot}", "--window-size=1280,1600")
    chunks = png_chunks(shot.read_bytes())
    width, height, depth, colour_type = struct.unpack(">IIBB", chunks[0][1][:10])
    assert (width, height, depth) == (1280, 1600, 8) and colour_type in (2, 6)
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    pixels = unfilter(raw, width, height, 3 if colour_type == 2 else 4)
    assert count_colour(pixels[:250], FAIL_RED) > 50_000, "no red FAIL banner at the top"
    assert count_colour(pixels, ALERT_RED) > 100, "no alert rings drawn"
