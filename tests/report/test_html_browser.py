"""The HTML report in a real browser: headless Chromium parses it and draws it.

Skipped when no Chromium is installed, except in CI (``CI`` set), where a missing browser fails.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from taskgate.api import score
from taskgate.report.html import render_html
from tests.conftest import FIXTURES, write_jsonl

TIMEOUT = 60
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
FAIL_RED = (0xB4, 0x23, 0x18)  # .banner.fail
BIN_BLUE = (0x84, 0xA9, 0xD6)  # .c-bin / .c-gap


@pytest.fixture(scope="module")
def chromium() -> str:
    found = next((path for name in BROWSERS if (path := shutil.which(name))), None)
    if found is not None:
        return found
    if os.environ.get("CI"):
        pytest.fail(
            "no chromium on PATH while CI is set: .ci/run must install it "
            "(apt-get install -y chromium)"
        )
    pytest.skip("no chromium on PATH; install it (apt-get install -y chromium) to run these")


@pytest.fixture(scope="module")
def candidate_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    report = score(FIXTURES / "candidate.jsonl", baseline=FIXTURES / "baseline.json")
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_bytes(render_html(report))
    return path


def browse(chromium: str, page: Path, *args: str) -> str:
    profile = page.parent / "profile"
    command = [chromium, *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    chunks, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        chunks.append((data[at + 4 : at + 8], data[at + 8 : at + 8 + length]))
        at += 12 + length
    return chunks


def unfilter(raw: bytes, width: int, rows: int, bpp: int) -> npt.NDArray[np.int64]:
    """The first ``rows`` scanlines as pixels, shape (rows, width, bpp), PNG filters undone."""
    stride = width * bpp
    data = np.frombuffer(raw, dtype=np.uint8, count=rows * (stride + 1)).reshape(rows, stride + 1)
    out, prior = np.zeros((rows, stride), dtype=np.int64), np.zeros(stride, dtype=np.int64)
    for row in range(rows):
        kind, line = int(data[row, 0]), data[row, 1:].astype(np.int64)
        if kind == 1:  # Sub: a running sum per channel
            line = np.cumsum(line.reshape(width, bpp), axis=0).reshape(stride)
        elif kind == 2:  # Up
            line = line + prior
        elif kind in (3, 4):  # Average, Paeth: each byte needs the one just decoded
            line = np.array(_sequential(kind, line.tolist(), prior.tolist(), bpp))
        out[row] = prior = line & 255
    return out.reshape(rows, width, bpp)


def _sequential(kind: int, line: list[int], prior: list[int], bpp: int) -> list[int]:
    for i, value in enumerate(line):
        left = line[i - bpp] if i >= bpp else 0
        up, corner = prior[i], prior[i - bpp] if i >= bpp else 0
        if kind == 3:
            line[i] = (value + (left + up) // 2) & 255
            continue
        guess = left + up - corner
        far_left, far_up, far_corner = abs(guess - left), abs(guess - up), abs(guess - corner)
        if far_left <= far_up and far_left <= far_corner:
            line[i] = (value + left) & 255
        else:
            line[i] = (value + (up if far_up <= far_corner else corner)) & 255
    return line


def count_colour(pixels: npt.NDArray[np.int64], colour: tuple[int, int, int]) -> int:
    return int(np.all(pixels[..., :3] == colour, axis=-1).sum())


def test_the_browser_builds_the_dom_with_the_verdict_tables_and_charts(
    chromium: str, candidate_page: Path
) -> None:
    dom = browse(chromium, candidate_page, "--dump-dom")
    assert '<p class="word">FAIL</p>' in dom
    assert "mcp-identity" in dom and "<table>" in dom
    assert dom.count("<svg") == 11 and dom.count('role="img"') == 11
    assert "<title>task_completion against the baseline per tool_surface cohort</title>" in dom


def test_a_hostile_cohort_name_stays_text_in_the_browser(chromium: str, tmp_path: Path) -> None:
    record = {
        "run_id": "r-1",
        "task_id": "t-1",
        "cohort": {"team": "<script>document.title='owned'</script>"},
        "task": {"description": "d", "expected_result": "ok", "success_criteria": ["ok"]},
        "steps": [{"message": "ok", "is_final": True}],
        "final_result": "ok",
    }
    page = tmp_path / "hostile.html"
    page.write_bytes(render_html(score(write_jsonl(tmp_path / "r.jsonl", [record]))))
    dom = browse(chromium, page, "--dump-dom")
    assert "<script" not in dom and "owned</title>" not in dom
    assert "&lt;script&gt;document.title='owned'&lt;/script&gt;" in dom


def test_the_screenshot_shows_the_red_banner_and_the_charts(
    chromium: str, candidate_page: Path
) -> None:
    shot = candidate_page.parent / "shot.png"
    browse(chromium, candidate_page, f"--screenshot={shot}", "--window-size=1280,2000")
    chunks = png_chunks(shot.read_bytes())
    assert chunks[0][0] == b"IHDR"
    width, height, depth, colour_type = struct.unpack(">IIBB", chunks[0][1][:10])
    assert (width, height, depth) == (1280, 2000, 8) and colour_type in (2, 6)
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    bpp = 3 if colour_type == 2 else 4
    assert len(raw) == height * (width * bpp + 1)
    assert len(set(raw)) > 64, "the page looks blank: too few distinct byte values"
    # The whole window: with ten failing findings the first chart starts below row 1400.
    pixels = unfilter(raw, width, height, bpp)
    rgb = (pixels[..., 0] << 16) | (pixels[..., 1] << 8) | pixels[..., 2]
    assert len(np.unique(rgb)) > 50, "the page looks blank: too few colours"
    assert len({row.tobytes() for row in rgb}) > 200, "the page looks blank: too few distinct rows"
    assert count_colour(pixels[:250], FAIL_RED) > 50_000, "no red FAIL banner at the top"
    assert count_colour(pixels, BIN_BLUE) > 2_000, "no chart bars drawn"
