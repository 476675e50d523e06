"""The README's Python examples run as written (so the documentation cannot rot)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def test_the_readme_has_its_examples():
    assert len(BLOCKS) >= 2
    # the first example is the quick start, and it runs offline on the bundled digits
    assert "digits.load_data()" in BLOCKS[0]
    assert "test accuracy" in BLOCKS[0]


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_runs(index, tmp_path):
    code = BLOCKS[index]
    if "mnist.load_data()" in code and not os.environ.get("GLASSNET_DATA"):
        pytest.skip("GLASSNET_DATA is not set: the MNIST quick start needs the real files")
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "MPLBACKEND": "Agg"},
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    if "gradcheck" in code:
        assert "PASSED" in result.stdout
    if "model.save(" in code:
        assert any(tmp_path.iterdir())  # the saved model file exists
    if "test accuracy" in code:
        # the quick start prints the test accuracy of the lesson's MLP (0.958 on the digits)
        found = re.search(r"test accuracy: ([0-9.]+)", result.stdout)
        assert found, result.stdout[-2000:]
        assert float(found.group(1)) >= 0.9
