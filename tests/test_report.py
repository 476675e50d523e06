"""Tests for glassnet.report: the HTML page, its embedded figures and the files beside it."""

import base64
import csv
import io
import math
from html.parser import HTMLParser
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from glassnet.experiments.result import StudyResult
from glassnet.report import format_value, render_index, render_study

VERSIONS = {"python": "3.11.0", "glassnet": "0.1.0", "numpy": "2.0.0"}


def _result(study="activations", verdict="ReLU reaches the threshold first: 12 of 12 seeds."):
    return StudyResult(
        study=study,
        title="Which activation learns fastest?",
        settings={"epochs": 200, "seeds": 3, "learning_rate": 0.1, "hidden": "2×8"},
        data={"curves": {"relu": [[1.0, 0.5]], "sigmoid": [[1.0, 0.9]]}},
        table=[
            {"activation": "relu", "final loss": 0.0123456, "epochs to threshold": 1234},
            {"activation": "sigmoid", "final loss": math.nan, "epochs to threshold": None},
        ],
        verdict=verdict,
        notes=["Seeds ran in parallel.", "Sigmoid never reached the threshold."],
        versions=dict(VERSIONS),
        seconds=75.3,
    )


def _figure(title):
    fig = Figure(figsize=(4, 3), dpi=100)
    ax = fig.add_subplot()
    ax.plot([1, 2, 3], [3, 1, 2])
    ax.set(title=title, xlabel="epoch", ylabel="loss")
    return fig


class _Page(HTMLParser):
    """Collects what the tests look at: images, tables, headings, links, sections, scripts."""

    def __init__(self, html):
        super().__init__()
        self.images, self.links, self.tags = [], [], []
        self.tables = []  # each {"class": ..., "head": [cells], "body": [[cells]]}
        self.texts = {}  # element id → its text
        self.h2, self.pre, self.captions = [], [], []
        self._stack = []  # (tag, id, text parts)
        self._cell = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "img":
            self.images.append(attrs)
            return
        if tag == "a":
            self.links.append(attrs.get("href"))
        if tag == "table":
            self.tables.append({"class": attrs.get("class"), "head": [], "body": []})
        if tag == "tr" and self.tables:
            in_head = any(t == "thead" for t, _, _ in self._stack)
            (self.tables[-1]["head"] if in_head else self.tables[-1]["body"]).append([])
        self._stack.append((tag, attrs.get("id"), []))

    def handle_endtag(self, tag):
        while self._stack:
            open_tag, element_id, parts = self._stack.pop()
            text = "".join(parts)
            if self._stack:
                self._stack[-1][2].append(text)  # the parent's text includes its children's
            if open_tag in ("td", "th") and self.tables:
                in_head = any(t == "thead" for t, _, _ in self._stack)
                self.tables[-1]["head" if in_head else "body"][-1].append(text.strip())
            if element_id:
                self.texts[element_id] = text
            if open_tag == "h2":
                self.h2.append(text)
            if open_tag == "pre":
                self.pre.append(text)
            if open_tag == "figcaption":
                self.captions.append(text)
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self._stack:
            self._stack[-1][2].append(data)

    def table(self, css_class):
        (table,) = [t for t in self.tables if t["class"] == css_class]
        return table


@pytest.fixture
def rendered(tmp_path):
    result = _result(verdict="ReLU wins <script>alert('x')</script> & more")
    figures = {"loss_curves": _figure("Loss"), "final-values": _figure("Final loss")}
    sections = [("Step by step", "z = x·W + b\n  a = g(z) <- then the loss")]
    page = render_study(result, figures, tmp_path / "out", extra_sections=sections)
    html = page.read_text(encoding="utf-8")
    return result, page, html, _Page(html)


def test_render_study_writes_page_json_csv_and_figure_files(rendered):
    _, page, _, _ = rendered
    out = page.parent
    assert page == out / "activations.html"
    for name in ("activations.json", "activations.csv"):
        assert (out / name).is_file()
    for key in ("loss_curves", "final-values"):
        png = out / "figures" / f"activations-{key}.png"
        svg = out / "figures" / f"activations-{key}.svg"
        assert png.read_bytes()[:4] == b"\x89PNG"
        assert svg.read_text().lstrip().startswith("<?xml") and "<svg" in svg.read_text()


def test_every_figure_is_embedded_as_a_valid_png(rendered):
    _, page, _, parsed = rendered
    assert len(parsed.images) == 2
    for attrs, caption in zip(parsed.images, ("Loss curves", "Final values"), strict=True):
        src = attrs["src"]
        assert src.startswith("data:image/png;base64,")
        data = base64.b64decode(src.split(",", 1)[1], validate=True)
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        with Image.open(io.BytesIO(data)) as image:
            assert image.size == (600, 450)  # 4×3 inches at 150 dpi
        assert attrs["alt"].startswith(caption)
        assert "loss against epoch" in attrs["alt"]
    # the embedded image is the PNG written beside the page
    png = (page.parent / "figures" / "activations-loss_curves.png").read_bytes()
    assert base64.b64decode(parsed.images[0]["src"].split(",", 1)[1]) == png
    assert [c.strip() for c in parsed.captions] == [
        "Figure 1. Loss curves (PNG, SVG)",
        "Figure 2. Final values (PNG, SVG)",
    ]


def test_summary_table_has_header_rows_and_formatted_values(rendered):
    _, _, _, parsed = rendered
    table = parsed.table("summary")
    assert table["head"] == [["activation", "final loss", "epochs to threshold"]]
    assert table["body"] == [["relu", "0.01235", "1,234"], ["sigmoid", "—", "—"]]


def test_verdict_is_escaped_and_shown(rendered):
    _, _, html, parsed = rendered
    assert "ReLU wins <script>alert('x')</script> & more" in parsed.texts["verdict"]
    assert "&lt;script&gt;" in html
    assert not [tag for tag, _ in parsed.tags if tag == "script"]


def test_notes_settings_versions_wall_time_and_sections(rendered):
    result, _, html, parsed = rendered
    for note in result.notes:
        assert note in parsed.texts["notes"]
    rows = parsed.table("settings")["body"]
    assert {name: value for name, value, _ in rows} == {
        "epochs": "200",
        "seeds": "3",
        "learning_rate": "0.1",
        "hidden": "2×8",
    }
    # the meaning of each option comes from the study's declaration; "hidden" is not an option
    meaning = {name: text for name, _, text in rows}
    assert meaning["seeds"] == "--seeds: Seeds (initial weights) per activation. (≥ 1)"
    assert meaning["learning_rate"] == "--learning-rate: Learning rate. (> 0)"
    assert meaning["hidden"] == ""
    # options at their default (epochs 100 is not) are left out of the command
    assert "Run it again: glassnet run activations --seeds 3 --epochs 200 --learning-rate 0.1" in (
        " ".join(html.replace("<code>", "").replace("</code>", "").split())
    )
    assert dict(map(tuple, parsed.table("versions")["body"])) == VERSIONS
    assert "1 min 15 s" in parsed.texts["versions"]
    assert "Step by step" in parsed.h2
    assert "z = x·W + b\n  a = g(z) <- then the loss" in parsed.pre
    assert "&lt;- then" in html


def test_page_is_self_contained(rendered):
    _, page, html, parsed = rendered
    assert not [a for tag, a in parsed.tags if tag == "link"]
    assert all(img["src"].startswith("data:") for img in parsed.images)
    assert "<style>" in html
    assert "http://" not in html and "https://" not in html
    # every relative link (raw data, figure files) points to a file that exists
    for href in parsed.links:
        assert (page.parent / href).is_file(), href


def test_json_round_trips_and_csv_has_the_table(rendered):
    result, page, _, _ = rendered
    loaded = StudyResult.load_json(page.with_suffix(".json"))
    np.testing.assert_equal(loaded.to_dict(), result.to_dict())  # NaN equals NaN here
    with page.with_suffix(".csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["activation"] for row in rows] == ["relu", "sigmoid"]
    assert float(rows[0]["final loss"]) == pytest.approx(0.0123456)
    assert rows[0]["epochs to threshold"] == "1234"
    assert rows[1]["epochs to threshold"] == ""


def test_render_study_without_table_or_figures(tmp_path):
    result = _result()
    result.table = []
    page = render_study(result, {}, tmp_path)
    parsed = _Page(page.read_text())
    assert parsed.images == []
    assert [t["class"] for t in parsed.tables] == ["settings", "versions"]
    assert "no summary table" in parsed.texts["summary"]


def test_render_study_rejects_bad_input(tmp_path):
    with pytest.raises(ValueError, match="file name"):
        render_study(_result(study="../escape"), {}, tmp_path)
    with pytest.raises(TypeError, match=r"figures\['x'\].*Figure"):
        render_study(_result(), {"x": "not a figure"}, tmp_path)
    with pytest.raises(ValueError, match="differ"):
        render_study(_result(), {"a b": _figure("1"), "a-b": _figure("2")}, tmp_path)
    with pytest.raises(TypeError, match="StudyResult"):
        render_study({"study": "x"}, {}, tmp_path)
    assert not any(tmp_path.iterdir())  # nothing written when the input is wrong


def test_render_index_links_every_study_page(tmp_path):
    first = _result("activations")
    second = _result("learning_rate", verdict="Too large a rate <diverges>.")
    second.title = "How large a learning rate?"
    entries = [
        (first, render_study(first, {}, tmp_path)),
        (second, render_study(second, {}, tmp_path / "more")),
    ]
    index = render_index(entries, tmp_path, title="Course report")
    assert index == tmp_path / "index.html"
    parsed = _Page(index.read_text())
    assert parsed.links == ["activations.html", "more/learning_rate.html"]
    for href in parsed.links:
        assert (tmp_path / href).is_file()
    text = index.read_text()
    assert "Course report" in text
    assert "How large a learning rate?" in text
    assert "Too large a rate &lt;diverges&gt;." in text
    assert "Which activation learns fastest?" in text


def test_render_index_needs_existing_pages(tmp_path):
    with pytest.raises(FileNotFoundError, match="activations"):
        render_index([(_result(), tmp_path / "missing.html")], tmp_path)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1234567, "1,234,567"),
        (np.int64(-4200), "-4,200"),
        (0.123456, "0.1235"),
        (np.float32(2.5), "2.5"),
        (12345.6, "12,350"),
        (0.000012345, "1.234e-05"),
        (3.0, "3"),
        (None, "—"),
        (math.nan, "—"),
        (math.inf, "∞"),
        (True, "yes"),
        ([1, 0.5], "1, 0.5"),
        ({"a": 1000}, "a: 1,000"),
        ("relu", "relu"),
        (Path("x"), "x"),
    ],
)
def test_format_value(value, text):
    assert format_value(value) == text
