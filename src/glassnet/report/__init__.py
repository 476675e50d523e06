"""HTML reports of study results: one self-contained page per study and an index.

>>> from glassnet.report import render_study, render_index
"""

from glassnet.report.render import format_value, render_index, render_study

__all__ = ["format_value", "render_index", "render_study"]
