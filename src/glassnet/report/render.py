"""Render study results as self-contained HTML pages (Jinja2 templates, figures inlined).

``render_study`` writes one page per study plus its raw files next to it::

    out_dir/
      activations.html          the page: every figure inlined as a base64 PNG
      activations.json          StudyResult.save_json (redraw figures without retraining)
      activations.csv           the summary table
      figures/activations-loss_curves.png, .svg

``render_index`` writes ``out_dir/index.html`` linking the pages: the ones it is given and
every study already in the folder (a ``<study>.json`` result next to its ``<study>.html``), so
that running one study after another keeps the earlier ones linked.

>>> from glassnet.report import render_study, render_index
>>> page = render_study(result, {"loss_curves": fig}, "report")   # doctest: +SKIP
>>> render_index([(result, page)], "report")                      # doctest: +SKIP
"""

from __future__ import annotations

import base64
import math
import numbers
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from matplotlib.figure import Figure

from glassnet.experiments.result import StudyResult
from glassnet.plots import save_figure
from glassnet.report.guidance import figure_definitions, what_to_look_for

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_DASH = "—"


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("glassnet.report", "templates"),
        autoescape=True,  # every value is escaped; the templates hold the only markup
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def format_value(value: Any) -> str:
    """A cell value as text: ints with thousands separators, floats to 4 significant digits.

    None and NaN → "—", ±inf → "∞"/"−∞", booleans → "yes"/"no", lists → "a, b, c",
    dicts → "k: v, …"; anything else → ``str(value)``.

    >>> format_value(1234567), format_value(0.123456), format_value(12345.6), format_value(None)
    ('1,234,567', '0.1235', '12,350', '—')
    """
    if value is None:
        return _DASH
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        x = float(value)
        if math.isnan(x):
            return _DASH
        if math.isinf(x):
            return "∞" if x > 0 else "−∞"
        if 1e4 <= abs(x) < 1e15:
            # round to 4 significant digits but keep the digits readable: 12,350 not 1.235e+04
            exponent = math.floor(math.log10(abs(x)))
            return f"{round(x, 3 - exponent):,.0f}"
        return f"{x:.4g}"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {format_value(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(format_value(v) for v in value)
    return str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _readable(key: str) -> str:
    """A figure key as a caption: "loss_curves" → "Loss curves"."""
    text = re.sub(r"[_\-]+", " ", key).strip()
    return text[:1].upper() + text[1:]


def _format_seconds(seconds: float) -> str:
    """Wall time as "12.3 s", "4 min 5 s" or "1 h 2 min"."""
    if not math.isfinite(seconds):
        return _DASH
    if seconds < 60:
        return f"{seconds:.3g} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def _alt_text(caption: str, fig: Figure) -> str:
    """Alt text: the caption plus what each panel plots (its title and axis labels)."""
    panels = []
    for ax in fig.get_axes():
        title, xlabel, ylabel = ax.get_title(), ax.get_xlabel(), ax.get_ylabel()
        if not (title or xlabel or ylabel) or ax.get_label() == "<colorbar>":
            continue
        axes_words = f"{ylabel} against {xlabel}" if xlabel and ylabel else ylabel or xlabel
        panels.append(f"{title} ({axes_words})" if title and axes_words else title or axes_words)
    return f"{caption}: " + "; ".join(panels) if panels else caption


def _table(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Header and formatted cells of the summary table (columns in order of first appearance)."""
    columns: list[str] = []
    for row in rows:
        columns.extend(c for c in row if c not in columns)
    # a column is right-aligned when every value it has is a number (missing ones aside)
    numeric = {
        c: all(_is_number(row.get(c)) for row in rows if row.get(c) is not None) for c in columns
    }
    body = [
        [{"text": format_value(row.get(c)), "numeric": numeric[c]} for c in columns] for row in rows
    ]
    return {"columns": columns, "rows": body}


def _relative_href(target: Path, start: Path) -> str:
    return quote(Path(os.path.relpath(target.resolve(), start.resolve())).as_posix())


def _declaration(result: StudyResult) -> Any:
    """The study's declaration, or None for a result of something that is not a study."""
    from glassnet.experiments import contract

    try:
        return contract.declaration(result.study)
    except ValueError:
        return None


def settings_rows(result: StudyResult) -> list[tuple[str, str, str]]:
    """(setting, value, meaning) of each setting; the meaning and the range of a parameter come
    from the study's declaration, so the table says what each option does."""
    declared = _declaration(result)
    params = {p.name: p for p in declared.params} if declared is not None else {}
    rows = []
    for name, value in result.settings.items():
        param = params.get(name)
        if param is None:
            meaning = ""
        else:
            meaning = f"{param.flag}: {param.help}"
            if param.range_text() and not param.choices:
                meaning += f" ({param.range_text()})"
        rows.append((name, format_value(value), meaning))
    return rows


def rerun_command(result: StudyResult) -> str:
    """The ``glassnet`` command that runs the study again with the same settings."""
    declared = _declaration(result)
    return declared.command(result.settings) if declared is not None else ""


def render_study(
    result: StudyResult,
    figures: Mapping[str, Figure],
    out_dir: str | Path,
    extra_sections: Sequence[tuple[str, str]] = (),
) -> Path:
    """Write ``<out_dir>/<study>.html`` and the study's JSON, CSV and figure files; return the page.

    The page is one self-contained file (figures inlined as base64 PNG, CSS inlined): title,
    verdict, "What to look for" (from the study's numbers), summary table, figures with
    captions (and, beside the layer-health figure, what its quantities mean), notes,
    ``extra_sections`` (heading,
    pre-formatted text) pairs, settings, versions and wall time. Figures are also written to
    ``<out_dir>/figures/<study>-<key>.png`` and ``.svg``.

    Args:
        result: the study's result.
        figures: key → Figure; the key names the file and, made readable, is the caption.
        out_dir: created if missing.
        extra_sections: (heading, text) pairs shown as pre-formatted text.
    """
    if not isinstance(result, StudyResult):
        raise TypeError(f"result must be a StudyResult, got {type(result).__name__}")
    if not _SAFE_NAME.match(result.study):
        raise ValueError(
            f"study name {result.study!r} cannot be a file name: expected letters, digits, "
            "'.', '_' or '-', starting with a letter or digit"
        )
    for key, fig in figures.items():
        if not isinstance(fig, Figure):
            raise TypeError(
                f"figures[{key!r}] must be a matplotlib Figure, got {type(fig).__name__}"
            )
    slugs = {
        key: re.sub(r"[^A-Za-z0-9._-]+", "-", str(key)).strip("-") or "figure" for key in figures
    }
    if len(set(slugs.values())) < len(slugs):
        raise ValueError(f"figure keys must differ as file names, got {list(figures)}")
    sections = [(str(heading), str(text)) for heading, text in extra_sections]

    out_dir = Path(out_dir)
    figure_dir = out_dir / "figures"
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = result.save_json(out_dir / f"{result.study}.json")
    csv_path = result.save_csv(out_dir / f"{result.study}.csv")

    embedded = []
    for key, fig in figures.items():
        png, svg = save_figure(fig, figure_dir / f"{result.study}-{slugs[key]}", ("png", "svg"))
        caption = _readable(str(key))
        embedded.append(
            {
                "id": slugs[key],
                "caption": caption,
                "alt": _alt_text(caption, fig),
                "data": base64.b64encode(png.read_bytes()).decode("ascii"),
                "png": _relative_href(png, out_dir),
                "svg": _relative_href(svg, out_dir),
                "definitions": figure_definitions(str(key)),
            }
        )

    html = (
        _environment()
        .get_template("study.html.j2")
        .render(
            result=result,
            table=_table(result.table),
            look_for=what_to_look_for(result),
            figures=embedded,
            sections=sections,
            settings=settings_rows(result),
            command=rerun_command(result),
            versions=list(result.versions.items()),
            wall_time=_format_seconds(float(result.seconds)),
            json_href=_relative_href(json_path, out_dir),
            csv_href=_relative_href(csv_path, out_dir),
        )
    )
    page = out_dir / f"{result.study}.html"
    page.write_text(html, encoding="utf-8")
    return page


def _studies_in(out_dir: Path) -> list[tuple[StudyResult, Path]]:
    """(result, page) of every study already written to ``out_dir``: a results JSON with its
    page beside it. Other JSON files (saved models, settings) are skipped."""
    found = []
    for path in sorted(out_dir.glob("*.json")):
        page = path.with_name(f"{path.stem}.html")
        if not page.is_file():
            continue
        try:
            result = StudyResult.load_json(path)
        except (ValueError, TypeError):
            continue  # not a study result
        found.append((result, page))
    return found


def render_index(
    entries: Sequence[tuple[StudyResult, str | Path]],
    out_dir: str | Path,
    title: str = "glassnet report",
) -> Path:
    """Write ``<out_dir>/index.html``: one relative link per study page with its title and
    verdict, ordered by study name.

    The index lists ``entries`` and every study found in ``out_dir`` (``<study>.json`` next to
    ``<study>.html``), so that each run adds to the index instead of replacing it.

    Args:
        entries: (result, page) pairs, the pages as returned by :func:`render_study`.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    pages: dict[Path, tuple[StudyResult, Path]] = {}
    for result, page in entries:
        page = Path(page)
        if not page.is_file():
            raise FileNotFoundError(
                f"no study page at {str(page)!r} for study {result.study!r}: render it first"
            )
        pages[page.resolve()] = (result, page)
    for result, page in _studies_in(out_dir):
        pages.setdefault(page.resolve(), (result, page))  # the entries given are the newest
    listed = sorted(
        ((result, _relative_href(page, out_dir)) for result, page in pages.values()),
        key=lambda item: (item[0].study, item[1]),
    )
    studies = [
        {"result": result, "href": href, "wall_time": _format_seconds(float(result.seconds))}
        for result, href in listed
    ]
    html = _environment().get_template("index.html.j2").render(title=title, studies=studies)
    index = out_dir / "index.html"
    index.write_text(html, encoding="utf-8")
    return index
