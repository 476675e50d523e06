"""The documentation site reads well: code wraps, API signatures are formatted, once each, and
the trainer's arguments are documented. CI builds the whole site with ``mkdocs build --strict``;
this builds the stylesheet and the models API page with the site's own configuration."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
MKDOCS_BUILD = [sys.executable, "-m", "mkdocs", "build", "--strict"]
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def test_the_docs_quick_start_is_the_readmes():
    readme = PYTHON_BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8"))
    index = PYTHON_BLOCK.findall((DOCS / "index.md").read_text(encoding="utf-8"))
    assert "digits.load_data()" in readme[0]
    assert index[0] == readme[0]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings_handlers.python")
    tmp = tmp_path_factory.mktemp("docs")
    docs = tmp / "docs"
    shutil.copytree(DOCS / "stylesheets", docs / "stylesheets")
    shutil.copy(DOCS / "griffe_doctest.py", docs)  # the configuration's griffe extension
    (docs / "api").mkdir()
    shutil.copy(DOCS / "api" / "models.md", docs / "api" / "models.md")
    long_line = "x = 1  # " + "w" * 120
    (docs / "index.md").write_text(f"# glassnet\n\n```python\n{long_line}\n```\n")
    config = tmp / "mkdocs.yml"
    # the site's configuration, with two pages and without the hook that draws the figures
    config.write_text(
        f"INHERIT: {ROOT / 'mkdocs.yml'}\n"
        f"docs_dir: {docs}\n"
        "hooks: []\n"
        "validation: {links: {not_found: info}}\n"  # the guide pages it links to are left out
        "nav:\n  - Home: index.md\n  - glassnet.models: api/models.md\n"
    )
    result = subprocess.run(
        [*MKDOCS_BUILD, "-f", str(config), "--site-dir", str(tmp / "site")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        # the docstrings of this checkout, whatever glassnet the environment has installed
        env={**os.environ, "PYTHONPATH": str(ROOT / "src"), "NO_MKDOCS_2_WARNING": "1"},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Formatting signatures requires" not in result.stderr  # ruff is installed
    return tmp / "site"


def _api_entry(site: Path, method: str) -> str:
    html = (site / "api" / "models" / "index.html").read_text(encoding="utf-8")
    start = html.index(f'id="glassnet.models.trainer.Trainer.{method}"')
    end = html.find('<h3 id="', start + 1)
    return html[start : end if end > 0 else len(html)]


def test_code_blocks_wrap(site):
    css = (site / "stylesheets" / "extra.css").read_text(encoding="utf-8")
    assert re.search(r"pre > code\s*\{[^}]*white-space:\s*pre-wrap", css)
    assert "stylesheets/extra.css" in (site / "index.html").read_text(encoding="utf-8")


def test_evaluate_has_one_signature_formatted_one_argument_a_line(site):
    entry = _api_entry(site, "evaluate")
    signatures = re.findall(r'<div class="doc-signature[^"]*">(.*?)</div>', entry, re.S)
    assert len(signatures) == 1  # not its two typing overloads as well
    text = re.sub(r"<[^>]+>", "", signatures[0])
    assert "\n    return_dict: bool = False,\n" in text  # formatted by ruff, not one long line


@pytest.mark.parametrize(
    ("method", "arguments"),
    [
        ("fit", ["x", "y", "batch_size", "epochs", "validation_split", "class_weight"]),
        ("evaluate", ["x", "y", "batch_size", "return_dict", "sample_weight"]),
        ("predict", ["x", "batch_size", "verbose", "callbacks"]),
    ],
)
def test_the_trainers_arguments_are_documented(site, method, arguments):
    entry = _api_entry(site, method)
    table = entry[entry.index("Parameters:") :]
    rows = re.findall(
        r'<tr class="doc-section-item">\s*<td>\s*<code>(\w+)</code>.*?'
        r'doc-md-description">\s*<p>(.*?)</p>',
        table,
        re.S,
    )
    described = {name for name, text in rows if len(text) > 20}
    assert set(arguments) <= described, rows
