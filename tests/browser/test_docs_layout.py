"""The documentation site reads well in a real browser at 1280 px: no code block or table needs
a horizontal scroll bar, the body text is at least 12 px, and no page logs an error.

The site is built once (``docs_site``) and every page is opened once over HTTP; the tests below
read the measurements taken then.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

MIN_FONT_PX = 12

# Everything on a page that could need a horizontal scroll bar: the code blocks (Material
# scrolls the code element inside pre), the tables and the wrappers Material puts around them.
MEASURE = """minFont => {
  const wide = [];
  const selector = 'pre, pre > code, table, .md-typeset__table, .md-typeset__scrollwrap';
  for (const el of document.querySelectorAll(selector)) {
    if (el.scrollWidth > el.clientWidth + 1) {
      wide.push(`<${el.tagName.toLowerCase()} class="${el.className}"> scrolls: ` +
        `${el.scrollWidth} px of content in ${el.clientWidth} px, ` +
        `"${el.textContent.trim().slice(0, 60)}"`);
    }
  }
  const small = [];
  const content = document.querySelector('.md-content');
  const walker = document.createTreeWalker(content, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode.textContent.trim();
    const el = walker.currentNode.parentElement;
    // headings are larger than the text; the small labels inside API headings are not text
    if (!text || el.closest('h1, h2, h3, h4, h5, h6') || !el.getClientRects().length) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    const name = el.tagName.toLowerCase();
    if (size < minFont) small.push(`${size} px <${name}> "${text.slice(0, 40)}"`);
  }
  const root = document.documentElement;
  return {wide, small, page: [root.scrollWidth, root.clientWidth], hasContent: !!content};
}"""


@pytest.fixture(scope="module")
def measured(make_page, docs_site: Path, serve) -> dict[str, Any]:
    """Every page of the site, opened once: its measurements and the page's recorded events."""
    base = serve(docs_site)
    page = make_page()
    results: dict[str, Any] = {}

    def new_errors(since: tuple[int, int]) -> list[str]:
        # a message names the script or page that logged it
        return page.console_errors[since[0] :] + page.page_errors[since[1] :]

    for html in sorted(docs_site.rglob("*.html")):
        path = html.relative_to(docs_site).as_posix()
        seen = len(page.console_errors), len(page.page_errors)
        response = page.goto(base + path)
        assert response is not None and response.ok, path
        results[path] = page.evaluate(MEASURE, MIN_FONT_PX)
        results[path]["errors"] = new_errors(seen)
    page.wait_for_load_state("networkidle")  # the last page's search index, fetched by a worker
    results[path]["errors"] = new_errors(seen)
    return {"base": base, "pages": results, "requests": list(page.requests)}


def test_the_whole_site_is_measured(measured):
    pages = measured["pages"]
    assert "guide/backpropagation/index.html" in pages
    assert "api/models/index.html" in pages
    assert len(pages) >= 30
    assert all(result["hasContent"] for result in pages.values())


def test_no_code_block_or_table_scrolls_sideways(measured):
    wide = {path: result["wide"] for path, result in measured["pages"].items() if result["wide"]}
    assert not wide, "\n".join(f"{path}: {item}" for path, items in wide.items() for item in items)


def test_no_page_scrolls_sideways(measured):
    wide = {
        path: result["page"]
        for path, result in measured["pages"].items()
        if result["page"][0] > result["page"][1]
    }
    assert not wide


def test_body_text_is_at_least_12_px(measured):
    small = {path: result["small"] for path, result in measured["pages"].items() if result["small"]}
    assert not small, "\n".join(
        f"{path}: {item}" for path, items in small.items() for item in items[:5]
    )


def test_no_page_logs_an_error(measured):
    errors = {
        path: result["errors"] for path, result in measured["pages"].items() if result["errors"]
    }
    assert not errors


def test_nothing_is_loaded_from_outside_the_machine(measured):
    local = urlsplit(measured["base"]).netloc
    outside = {
        url
        for url in measured["requests"]
        if not url.startswith(("data:", "blob:")) and urlsplit(url).netloc != local
    }
    assert not outside


def test_backpropagation_shape_column_is_whole(make_page, docs_site, serve):
    """The table of gradient shapes shows its last column in full, beside the other two."""
    page = make_page()  # the session's fixture first: no site is built when there is no browser
    page.goto(serve(docs_site) + "guide/backpropagation/")
    cell = page.locator("td", has_text="(inputs, n)·(n, units) → (inputs, units)")
    assert cell.count() == 1
    column = page.locator(".md-content__inner").bounding_box()
    box = cell.bounding_box()
    assert box["x"] + box["width"] <= column["x"] + column["width"] + 1
    # "(inputs, units)", the shape that was cut at "(inputs, un", stands on one line
    lines = cell.evaluate(
        """cell => {
          const text = cell.firstChild, start = text.data.lastIndexOf('(inputs, units)');
          const range = document.createRange();
          range.setStart(text, start);
          range.setEnd(text, start + '(inputs, units)'.length);
          return new Set([...range.getClientRects()].map(rect => Math.round(rect.top))).size;
        }"""
    )
    assert lines == 1
    wrapper = cell.locator("xpath=ancestor::div[contains(@class, 'md-typeset__scrollwrap')]")
    assert wrapper.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
    assert not page.console_errors
