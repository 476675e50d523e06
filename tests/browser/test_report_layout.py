"""A report written by the glassnet command reads well in a real browser at 1280×800: the pages
do not scroll sideways, every figure has loaded and is shown at a readable size within the
page, and every link of the index and of the study pages leads somewhere."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
# two quick studies, one figure and two figures, written into one report
STUDIES = {
    "learning_rate": ["run", "learning-rate", "--epochs", "20"],
    "regression": ["run", "regression", "--epochs", "50"],
}
# a figure drawn with 9-pt labels stays legible down to about 60 % of its natural width
MIN_SCALE = 0.6
MIN_FONT_PX = 12

MEASURE = """minFont => {
  const root = document.documentElement;
  const images = [...document.images].map(img => ({
    alt: img.alt,
    complete: img.complete,
    natural: img.naturalWidth,
    width: img.getBoundingClientRect().width,
    right: img.getBoundingClientRect().right,
  }));
  const wide = [...document.querySelectorAll('pre, table, .table-wrap')]
    .filter(el => el.scrollWidth > el.clientWidth + 1)
    .map(el => `<${el.tagName.toLowerCase()} class="${el.className}">: ` +
      `${el.scrollWidth} px of content in ${el.clientWidth} px`);
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode.textContent.trim();
    const el = walker.currentNode.parentElement;
    if (!text || !el.getClientRects().length) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < minFont) small.push(`${size} px: "${text.slice(0, 40)}"`);
  }
  const links = [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'));
  return {page: [root.scrollWidth, root.clientWidth], images, wide, small, links};
}"""


def _glassnet_command() -> list[str]:
    exe = shutil.which("glassnet")
    return (
        [exe]
        if exe
        else [sys.executable, "-c", "from glassnet.cli import entry_point; entry_point()"]
    )


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report")
    # the report templates of this checkout, whatever glassnet is installed
    pythonpath = os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": pythonpath}
    for args in STUDIES.values():
        result = subprocess.run(
            [*_glassnet_command(), *args, "--out", str(out)],
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )
        assert result.returncode == 0, result.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def measured(make_page, report) -> dict[str, Any]:
    """index.html and every study page it links to, opened once each at 1280×800 from the disk,
    as a reader opens a report."""
    base = report.as_uri() + "/"
    page = make_page()
    results: dict[str, Any] = {}
    to_visit = ["index.html"]
    while to_visit:
        path = to_visit.pop(0)
        seen = len(page.console_errors), len(page.page_errors)
        page.goto(base + path)  # raises if the file is missing
        result = page.evaluate(MEASURE, MIN_FONT_PX)
        result["errors"] = page.console_errors[seen[0] :] + page.page_errors[seen[1] :]
        results[path] = result
        for href in result["links"]:
            target = urlsplit(href).path
            if target.endswith(".html") and target not in results and target not in to_visit:
                to_visit.append(target)
    return {"base": base, "pages": results, "requests": list(page.requests)}


def test_the_index_links_to_every_study_page(measured, report):
    pages = measured["pages"]
    assert set(pages) == {"index.html", *(f"{study}.html" for study in STUDIES)}
    for path in pages:
        assert (report / path).is_file()


def test_no_page_scrolls_sideways(measured):
    for path, result in measured["pages"].items():
        scroll_width, client_width = result["page"]
        assert scroll_width <= client_width, path
        assert not result["wide"], (path, result["wide"])


def test_every_figure_loads_and_is_readable_within_the_page(measured):
    figures = 0
    for path, result in measured["pages"].items():
        page_width = result["page"][1]
        for image in result["images"]:
            figures += 1
            assert image["complete"] and image["natural"] > 0, (path, image["alt"])
            assert image["right"] <= page_width, (path, image)
            assert image["width"] >= MIN_SCALE * image["natural"], (path, image)
    assert figures >= 3  # learning_rate's loss curves, regression's two


def test_every_local_link_resolves(measured):
    """The raw data and the PNG and SVG files the study pages link to are in the report."""
    links = 0
    for path, result in measured["pages"].items():
        for href in result["links"]:
            url = urlsplit(urljoin(measured["base"] + path, href))
            if url.scheme == "file" and not href.startswith("#"):
                links += 1
                assert Path(unquote(url.path)).is_file(), (path, href)
    # the index's two, then a JSON and a CSV per study and a PNG and an SVG per figure
    assert links >= 2 + 2 * len(STUDIES) + 2 * 3


def test_text_is_at_least_12_px(measured):
    for path, result in measured["pages"].items():
        assert not result["small"], (path, result["small"][:5])


def test_no_console_error_and_nothing_from_outside(measured):
    for path, result in measured["pages"].items():
        assert not result["errors"], path
    outside = {
        url for url in measured["requests"] if not url.startswith((measured["base"], "data:"))
    }
    assert not outside
