"""The page's presets (static/presets.json, data the page loads): the paper's 3-2-1 network is
read from there by the session, export and browser tests."""

import json
from pathlib import Path

import glassnet.playground

PRESETS = json.loads(
    (Path(glassnet.playground.__file__).parent / "static" / "presets.json").read_text("utf-8")
)
PAPER = PRESETS["paper"]["config"]
