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

# The colour-scale names plotly.js itself knows. Any other name (e.g. "PuOr_r") is expanded only
# by Plotly's Python validation, which the builders skip: sent as a name, the browser would
# fall back to its default scale.
PLOTLY_JS_SCALES = {
    "Blackbody", "Bluered", "Blues", "Cividis", "Earth", "Electric", "Greens", "Greys", "Hot",
    "Jet", "Picnic", "Portland", "Rainbow", "RdBu", "Reds", "Viridis", "YlGnBu", "YlOrRd",
}  # fmt: skip


def colour_scales(obj: object) -> list:
    """Every ``colorscale`` value anywhere in a figure spec."""
    if isinstance(obj, dict):
        found = [v for k, v in obj.items() if k == "colorscale"]
        return found + [s for v in obj.values() for s in colour_scales(v)]
    if isinstance(obj, list):
        return [s for v in obj for s in colour_scales(v)]
    return []


PAGES = [
    "app_pages/overview/page.py",
    "app_pages/qkv/page.py",
    "app_pages/waist_weight/page.py",
    "app_pages/softmax/page.py",
    "app_pages/alignment/page.py",
    "app_pages/self_attention/page.py",
    "app_pages/trained_model/page.py",
    "app_pages/cnn_vs_attention/page.py",
    "app_pages/complexity/page.py",
]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(("lang", "pres"), [("en", "0"), ("zh", "1")])
def test_every_sent_figure_validates(page: str, lang: str, pres: str) -> None:
    at = open_page(page, query={"pres": pres}, lang=lang)
    assert not at.exception, [e.value for e in at.exception]
    charts = list(at.get("plotly_chart"))
    # presentation mode shows one section at a time: open each (sec=2, 3, … while Next is on)
    sec = 1
    while pres == "1" and any(x.key.endswith("._sec_next") and not x.disabled for x in at.button):
        sec += 1
        at = open_page(page, query={"pres": pres, "sec": str(sec)}, lang=lang)
        assert not at.exception, [e.value for e in at.exception]
        charts += at.get("plotly_chart")
    assert charts, "the page draws figures"
    for chart in charts:
        spec = json.loads(chart.proto.spec)
        try:
            go.Figure(spec)  # raises on a misspelt property or a wrong value
        except ValueError as err:
            raise AssertionError(f"{page} {chart.proto.id}: {err}") from err
        assert spec["data"] or spec["layout"].get("images"), chart.proto.id
        for scale in colour_scales({"data": spec["data"], "layout": spec["layout"]}):
            assert not isinstance(scale, str) or scale in PLOTLY_JS_SCALES, (chart.proto.id, scale)
