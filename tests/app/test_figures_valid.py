"""Every figure every page sends is a valid Plotly figure.

The builders in ``ui/`` assemble figures from plain dicts without Plotly's validation (it
cost more server time than the rest of a rerun), so this test validates what is actually
sent: each chart's spec, on every page, in both languages and in presentation mode.
"""

from __future__ import annotations

import json

import plotly.graph_objects as go
import pytest

from tests.app.conftest import open_page

PAGES = [
    "app_pages/overview.py",
    "app_pages/qkv.py",
    "app_pages/kernel_regression.py",
    "app_pages/softmax.py",
    "app_pages/alignment.py",
    "app_pages/self_attention.py",
    "app_pages/vision.py",
    "app_pages/complexity.py",
]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(("lang", "pres"), [("en", "0"), ("zh", "1")])
def test_every_sent_figure_validates(page: str, lang: str, pres: str) -> None:
    at = open_page(page, query={"pres": pres}, lang=lang)
    assert not at.exception, [e.value for e in at.exception]
    charts = at.get("plotly_chart")
    assert charts, "the page draws figures"
    for chart in charts:
        spec = json.loads(chart.proto.spec)
        try:
            go.Figure(spec)  # raises on a misspelt property or a wrong value
        except ValueError as err:
            raise AssertionError(f"{page} {chart.proto.id}: {err}") from err
        assert spec["data"] or spec["layout"].get("images"), chart.proto.id
