"""Pure builders of the self-attention page (the encoding figure, the LaTeX) and the heatmap
grid it shares with the trained-model page (ui/token_grid.py)."""

from __future__ import annotations

import numpy as np
import pytest

from app_pages.self_attention.figures import encoding_top, positional_encoding_figure
from app_pages.self_attention.text import head_row_latex, permutation_latex, tex_label
from attn_core import causal_mask, multi_head_attention, random_mha_weights
from tests.helpers import array, validated
from ui import figures, token_grid
from ui.formulas import num
from ui.token_grid import SIGNED_SCALE, WEIGHT_SCALE, Panel, heatmap_grid


@pytest.mark.parametrize("n_panels", [1, 3, 4, 9, 64])
@pytest.mark.parametrize("big", [False, True])
def test_heatmap_grid_is_valid_plotly(n_panels, big):
    rng = np.random.default_rng(0)
    panels = [
        Panel(rng.standard_normal((5, 6)), f"<b>P</b>{i}", "x", "y", col_groups=2)
        for i in range(n_panels)
    ]
    fig = validated(heatmap_grid(panels, cols=min(n_panels, 8), big=big, title="t"))
    heatmaps = [tr for tr in fig.data if tr.type == "heatmap"]
    assert len(heatmaps) == n_panels
    assert {tr.xaxis for tr in heatmaps} == {"x"} | {f"x{i}" for i in range(2, n_panels + 1)}
    assert len(fig.layout.shapes) == 2 * n_panels  # separators after columns 2 and 4
    cols = min(n_panels, 8)
    big_size = figures.PRES_CROWDED_FONT if cols >= 3 else figures.PRES_FONT
    assert fig.layout.font.size == (big_size if big else 13)
    for trace in heatmaps:
        assert "<" not in trace.hovertemplate.split("<extra>")[1].split("</extra>")[0]


def test_grid_scales_and_masks():
    w = np.array([[0.25, 0.75], [1.0, 0.0]])
    mask = np.array([[False, True], [False, False]])
    fig = validated(heatmap_grid([Panel(w, masked=mask)], signed=False))
    assert fig.layout.coloraxis.cmin == 0 and fig.layout.coloraxis.cmax == 1.0
    assert [list(c) for c in fig.layout.coloraxis.colorscale] == [list(c) for c in WEIGHT_SCALE]
    cells = array(fig.data[0].z).reshape(2, 2)
    assert np.isnan(cells[0, 1]) and cells[0, 0] == 0.25
    assert w[0, 1] == 0.75  # the caller's matrix is not changed
    signed = validated(heatmap_grid([Panel(np.array([[-3.0, 1.0]]))]))
    assert (signed.layout.coloraxis.cmin, signed.layout.coloraxis.cmax) == (-3.0, 3.0)
    assert [list(c) for c in signed.layout.coloraxis.colorscale] == [list(c) for c in SIGNED_SCALE]


def test_values_on_small_panels_only():
    small = heatmap_grid([Panel(np.ones((4, 4)))])
    large = heatmap_grid([Panel(np.ones((4, 20)))])
    assert small.data[0].texttemplate and not large.data[0].texttemplate


def test_empty_grid():
    assert validated(heatmap_grid([])).layout.height == 120


def test_positional_encoding_figure():
    pe = np.linspace(-1, 1, 64 * 6).reshape(64, 6)
    fig = validated(
        positional_encoding_figure(pe, 5, title="PE", x_title="p", y_title="i", used_label="u")
    )
    np.testing.assert_array_equal(array(fig.data[0].z).reshape(6, 64), pe.T)
    assert fig.layout.shapes[0].x1 == 4.5


def result_and_mask(causal: bool):
    rng = np.random.default_rng(3)
    X = rng.standard_normal((5, 6))
    mask = causal_mask(5) if causal else None
    W = random_mha_weights(6, 6, seed=2)
    return multi_head_attention(X, X, **W, n_heads=3, mask=mask), mask


@pytest.mark.parametrize("causal", [False, True])
def test_head_row_latex_writes_the_computed_numbers(causal):
    r, mask = result_and_mask(causal)
    i, h = 2, 1
    lines = head_row_latex(r, i=i, h=h, token=tex_label("cat", 3), mask=mask)
    assert len(lines) == 6
    assert lines[0].endswith(num(r.scores[h, i, i]))
    for j in range(5):
        if causal and j > i:
            assert r"-\infty" in lines[1]
        else:
            assert num(r.scores[h, i, j]) in lines[1]
        assert num(r.weights[h, i, j]) in lines[2]
    for value in r.head_outputs[h, i]:
        assert num(value) in lines[3]
    assert num(r.concat[i, 0]) in lines[4]
    assert num(r.output[i, 0]) in lines[5]
    assert r"\text{cat}_{3}" in lines[0]


def test_head_row_latex_one_head_and_long_rows():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((12, 4))
    r = multi_head_attention(X, X, **random_mha_weights(4, 4, seed=0), n_heads=1)
    lines = head_row_latex(r, i=0, h=0, token=tex_label("x", 1))
    assert len(lines) == 5 and r"\dots" in lines[1]
    assert num(r.weights[0, 0, -1]) in lines[2]  # the last entry is kept after "…"


def test_tex_label_and_permutation_latex():
    assert tex_label("a_b{}$", 2) == r"\text{a\_b}_{2}"
    assert permutation_latex(0.0).endswith("= 0")
    assert permutation_latex(2.2e-16).endswith(r"2.20\times 10^{-16}")


@pytest.mark.parametrize(("cols", "big"), [(2, False), (3, False), (2, True), (3, True)])
def test_a_grid_is_sized_by_the_one_pipeline(monkeypatch, cols, big):
    """show_figure's style_figure sizes a grid: normal mode keeps the plot area the builder
    laid out; presentation mode only grows it; panel titles end at 14 px, and at PRES_FONT on a
    projector (not 1.4 × an explicit size, nor the crowded 16 px whose subscripts are 11 px)."""
    from ui import layout

    monkeypatch.setattr(layout, "presenting", lambda: big)
    toks = [f"t{i}" for i in range(6)]
    w = np.full((6, 6), 1 / 6)
    panels = [Panel(w, f"Head {h + 1}", "key", "query", toks, toks) for h in range(cols)]
    fig = heatmap_grid(panels, cols=cols, signed=False, big=big)
    _, built = figures.figure_parts(fig)
    styled = layout.style_figure(fig).to_plotly_json()["layout"]
    size = token_grid.figure_font(cols, big)
    assert styled["font"]["size"] == built["font"]["size"] == size
    titles = {note["font"]["size"] for note in styled["annotations"]}
    if big:  # PRES_FONT, so that a subscript (70 %: W_Q) is still 14 px
        (title,) = titles
        assert figures.PRES_FONT <= title <= figures.PRES_FONT + 0.1
        assert 0.7 * title >= figures.PRES_MIN_FONT
    else:
        assert titles == {14}

    def area(spec: dict) -> float:
        return spec["height"] - spec["margin"]["t"] - spec["margin"]["b"]

    if big:
        assert styled["height"] == int(built["height"] * figures.PRES_HEIGHT)
        assert area(styled) >= area(built)
    else:
        assert styled["margin"] == built["margin"] and styled["height"] == built["height"]


@pytest.mark.parametrize("big", [False, True])
def test_the_encoding_figure_leaves_room_for_its_title_and_note(monkeypatch, big):
    from ui import layout

    monkeypatch.setattr(layout, "presenting", lambda: big)
    pe = np.zeros((64, 8))
    fig = positional_encoding_figure(pe, 5, title="PE", x_title="p", y_title="i", used_label="u")
    styled = layout.style_figure(fig, min_top=encoding_top(big)).to_plotly_json()["layout"]
    font = styled["font"]["size"]
    note = styled["annotations"][0]["font"]["size"]
    assert styled["margin"]["t"] >= 2 * 1.4 * font + 1.35 * note  # the title, then the note
