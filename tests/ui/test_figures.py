"""Starting margins: estimated from a figure's own labels, colour bars and legend."""

from __future__ import annotations

import numpy as np

from ui import figures
from ui.figures import start_margins, text_width


def test_text_width_counts_wide_characters_double_and_ignores_markup():
    assert text_width("查询", 10) == 20  # a wide character is one font size wide
    assert text_width("ab", 10) == 2 * figures._CHAR * 10
    assert text_width("<b>ab</b>", 10) == text_width("ab", 10)
    assert text_width("short<br>a longer line", 10) == text_width("a longer line", 10)


def test_longer_tick_labels_and_titles_get_more_room():
    data = [{"type": "bar", "x": ["a", "b"], "y": [1.0, 2.0]}]
    plain = start_margins(data, {"xaxis": {}, "yaxis": {}}, 13)
    titled = start_margins(
        data, {"xaxis": {"title": {"text": "x"}}, "yaxis": {"title": {"text": "y"}}}, 13
    )
    long = start_margins(
        [{"type": "bar", "x": ["a", "b"], "y": ["a very long category", "b"], "orientation": "h"}],
        {"xaxis": {}, "yaxis": {}},
        13,
    )
    assert titled["l"] > plain["l"] and titled["b"] > plain["b"]
    assert long["l"] > plain["l"] + 60
    assert start_margins(data, {"xaxis": {}, "yaxis": {}}, 20)["l"] > plain["l"]  # presenting


def test_colour_bars_and_legends_are_given_room_where_they_sit():
    heat = [{"type": "heatmap", "z": np.zeros((2, 2)), "colorbar": {"title": {"text": "weight"}}}]
    assert start_margins(heat, {}, 13)["r"] > 60
    inside = [{**heat[0], "colorbar": {"x": 0.3}}]
    assert start_margins(inside, {}, 13)["r"] < 30
    shared = [{"type": "heatmap", "z": np.zeros((2, 2)), "coloraxis": "coloraxis"}]
    assert start_margins(shared, {"coloraxis": {"colorbar": {}}}, 13)["r"] > 60
    lines = [{"type": "scatter", "name": n, "y": [1, 2]} for n in ("first", "second")]
    right = start_margins(lines, {}, 13)
    below = start_margins(lines, {"legend": {"orientation": "h", "y": -0.3}}, 13)
    assert right["r"] > 100 and below["b"] > right["b"] and below["r"] < right["r"]
    one = start_margins(lines[:1], {}, 13)  # one trace: plotly.js shows no legend
    assert one["r"] < 40


def test_styled_figures_start_with_the_estimate(monkeypatch):
    from ui import layout

    monkeypatch.setattr(layout, "presenting", lambda: False)
    fig = figures.heatmap(np.eye(3), x_title="key", y_title="query", colorbar_title="weight")
    data, spec = figures.figure_parts(fig)
    expected = start_margins(data, spec, 13)
    styled = layout.style_figure(fig)
    assert styled.layout.margin.to_plotly_json() == expected
    assert styled.layout.height == fig.layout.height and styled.layout.font.size == 13


# --- every label readable (issue 15 §4) ------------------------------------------------------


def _grid(n: int, heads: int, big: bool = False):
    from ui import token_grid
    from ui.token_grid import Panel, heatmap_grid
    from ui.tokens import labels

    toks = labels([f"tok{i}" for i in range(n - 1)] + ["internationalization"])
    cols = token_grid.grid_cols(heads, n, big=big, labels=toks)
    w = np.full((n, n), 1.0 / n)
    fig = heatmap_grid(
        [Panel(w, f"Head {h + 1}", "key", "query", toks, toks) for h in range(heads)],
        cols=cols,
        signed=False,
        big=big,
    )
    return fig.to_plotly_json(), toks, cols


def test_heads_write_every_token_in_room_enough_for_it():
    from ui import token_grid
    from ui.tokens import MAX_TOKENS, short_labels

    for n, heads, big in ((6, 2, False), (11, 2, False), (MAX_TOKENS, 4, False), (16, 4, True)):
        spec, toks, _ = _grid(n, heads, big)
        layout = spec["layout"]
        m = layout["margin"]
        area_h = layout["height"] - m["t"] - m["b"]  # the plot area, in px
        for h in range(heads):
            suffix = "" if h == 0 else str(h + 1)
            xa, ya = layout[f"xaxis{suffix}"], layout[f"yaxis{suffix}"]
            for axis in (xa, ya):
                assert axis["tickmode"] == "array" and axis["showticklabels"]
                assert axis["tickvals"] == toks  # a tick on every token
                assert axis["ticktext"] == short_labels(toks)  # shortened, none dropped
            # rows: each label has its line's height
            lo, hi = ya["domain"]
            assert (hi - lo) * area_h >= n * token_grid.LINE * ya["tickfont"]["size"] - 1
            # columns: upright labels each have a line's width of the panel
            lo, hi = xa["domain"]
            panel_w = (hi - lo) * token_grid.PLOT_AREA_PX
            if xa["tickangle"] == -90:
                assert panel_w >= n * token_grid.LINE * xa["tickfont"]["size"] - 1
            else:
                widest = max(figures.text_width(s, xa["tickfont"]["size"]) for s in xa["ticktext"])
                assert panel_w / n >= widest
        floor = token_grid.BIG_TICK_FLOOR if big else token_grid.TICK_FLOOR
        assert (
            min(layout[f"yaxis{'' if h == 0 else h + 1}"]["tickfont"]["size"] for h in range(heads))
            >= floor
        )


def test_heads_wrap_into_rows_rather_than_lose_their_labels():
    from ui import token_grid
    from ui.tokens import MAX_TOKENS, labels, tokenize

    assert token_grid.grid_cols(2, 6) == 2  # the default sentence: side by side
    short = labels(tokenize("the cat sat on the mat").tokens)
    assert token_grid.grid_cols(8, 6, labels=short) >= 4
    assert token_grid.grid_cols(4, MAX_TOKENS) == 1  # 32 tokens: one head per row
    assert token_grid.grid_cols(1, MAX_TOKENS) == 1


def test_trained_model_heads_wrap_so_every_key_label_has_its_line():
    """The trained-model page's four heads of 19 letters: as many in a row as leave each
    upright key label a line's width, at no less than the floor size (presentation too)."""
    from app_pages.trained_model.figures import layer_heads
    from ui import token_grid
    from ui.tokens import labels

    n, heads = 19, 4
    toks = labels(list("WQNFEGAWUBQFEGAWUBQ"))
    weights = np.tril(np.ones((heads, n, n))) / np.arange(1, n + 1)[:, None]
    for big in (False, True):
        fig = layer_heads(
            weights, toks, [f"H{h}" for h in range(heads)], x_title="key", y_title="query",
            colorbar_title="w", big=big,
        )  # fmt: skip
        layout = fig.to_plotly_json()["layout"]
        floor = token_grid.BIG_TICK_FLOOR if big else token_grid.TICK_FLOOR
        for h in range(heads):
            xa = layout[f"xaxis{'' if h == 0 else h + 1}"]
            assert xa["tickvals"] == toks and xa["showticklabels"]  # every key labelled
            assert xa["tickfont"]["size"] >= floor
            lo, hi = xa["domain"]
            room = (hi - lo) * token_grid.PLOT_AREA_PX
            if xa["tickangle"] == -90:
                assert room >= n * token_grid.LINE * xa["tickfont"]["size"] - 1, (big, h)
            else:
                assert room / n >= max(text_width(s, xa["tickfont"]["size"]) for s in toks)
        # the query axis is titled on the first panel of every row
        cols = token_grid.grid_cols(heads, n, big=big, labels=toks)
        titled = [
            h for h in range(heads) if layout[f"yaxis{'' if h == 0 else h + 1}"]["title"]["text"]
        ]
        assert titled == list(range(0, heads, cols))


def test_panels_side_by_side_leave_room_for_the_next_panel_s_row_labels():
    spec, _, cols = _grid(11, 2)
    layout = spec["layout"]
    gap_px = (layout["xaxis2"]["domain"][0] - layout["xaxis"]["domain"][1]) * 600
    size = layout["yaxis2"]["tickfont"]["size"]
    widest = max(figures.text_width(s, size) for s in layout["yaxis2"]["ticktext"])
    assert cols == 2 and gap_px >= widest + 8


def test_qkv_panels_write_every_label_that_fits_and_never_overlap_them():
    from app_pages.qkv import figures as fig_qkv

    labels = [f"k{j + 1}" for j in range(32)]
    wide = fig_qkv._ticks(labels, 12, room_px=600, across=True)
    assert wide["ticktext"] == labels and wide["tickmode"] == "array"  # 18 px each: all
    narrow = fig_qkv._ticks(labels, 12, room_px=200, across=True)
    shown = len(narrow["ticktext"])
    assert shown < 32 and narrow["tickangle"] == -90
    assert shown * fig_qkv.GLYPH * narrow["tickfont"]["size"] <= 200 + 1e-9
    rows = fig_qkv._ticks([f"q{i + 1}" for i in range(32)], 24, room_px=470)
    assert len(rows["ticktext"]) == 32  # every query of a 32-row panel


def test_long_titles_wrap_and_get_their_room():
    long = "Attention weights α for the query 57 cm"
    assert figures.fit_title(long) == "Attention weights α<br>for the query 57 cm"
    assert figures.fit_title("Scores") == "Scores"
    one = start_margins([], {"title": {"text": "Scores"}}, 13)
    two = start_margins([], {"title": {"text": figures.fit_title(long)}}, 13)
    assert two["t"] > one["t"] + 15


def test_a_legend_at_the_foot_adds_its_rows_under_the_axis_title():
    lines = [{"type": "scatter", "name": f"curve {i}", "y": [1, 2]} for i in range(3)]
    axes = {"xaxis": {"title": {"text": "α"}}, "yaxis": {}}
    none = start_margins(lines, {**axes, "showlegend": False}, 13)
    foot = start_margins(lines, {**axes, "legend": figures.LEGEND_FOOT}, 13)
    assert foot["b"] >= none["b"] + 1.6 * 13


def test_positional_wavelengths_are_the_periods_of_the_encoding():
    from attn_core import sinusoidal_positional_encoding
    from attn_core.positional import positional_wavelengths

    for d in (2, 7, 8, 64):
        pe = sinusoidal_positional_encoding(50, d)  # (50, d)
        wl = positional_wavelengths(d)
        assert len(wl) == (d + 1) // 2
        p = np.arange(50)
        for i, w in enumerate(wl):
            assert np.allclose(pe[:, 2 * i], np.sin(2 * np.pi * p / w))
        assert np.allclose(wl[1:] / wl[:-1], 10000 ** (2 / d))  # a geometric series


def test_the_waves_figure_draws_one_whole_turn_of_each_pair():
    from app_pages.self_attention import figures as fig_self_attention
    from attn_core import sinusoidal_positional_encoding
    from attn_core.positional import positional_wavelengths

    for d in (8, 64):
        wl = positional_wavelengths(d)
        pairs = fig_self_attention.wave_pairs(len(wl))
        assert pairs[0] == 0 and pairs[-1] == len(wl) - 1  # the fastest and the slowest
        assert len(pairs) == min(len(wl), fig_self_attention.MAX_WAVE_ROWS)
        fig = fig_self_attention.positional_waves_figure(
            wl,
            sinusoidal_positional_encoding(6, d),
            pairs=pairs,
            row_titles=[str(i) for i in pairs],
            title="",
            x_title="p",
        )
        data, layout = figures.figure_parts(fig)
        spec = {"data": data, "layout": layout}
        for r, i in enumerate(pairs):
            suffix = "" if r == 0 else str(r + 1)
            lo, hi = spec["layout"][f"xaxis{suffix}"]["range"]
            assert hi - lo >= wl[i]
            curves = [
                tr
                for tr in spec["data"]
                if tr.get("xaxis", "x") == f"x{suffix}" and tr["mode"] == "lines"
            ]
            assert len(curves) == 2
            for tr in curves:
                y = np.asarray(tr["y"])
                assert y.max() > 0.99 and y.min() < -0.99  # a whole wave, not a flat line


def test_numbers_are_written_on_cells_only_when_the_cells_can_hold_them():
    from ui import token_grid
    from ui.token_grid import Panel, heatmap_grid

    for shape, cols in (((7, 8), 3), ((6, 6), 2), ((4, 4), 3), ((6, 8), 1), ((8, 8), 4)):
        fig = heatmap_grid([Panel(np.ones(shape))] * cols, cols=cols)
        data, layout = figures.figure_parts(fig)
        lo, hi = layout["xaxis"]["domain"]
        cell_px = (hi - lo) * token_grid.PLOT_AREA_PX / shape[1]
        assert ("texttemplate" in data[0]) == (cell_px >= 40), (shape, cols, cell_px)
    q_k_v = heatmap_grid([Panel(np.ones((7, 8)))] * 3, cols=3)  # Q, K, V of 7 tokens, d = 8
    assert "texttemplate" not in figures.figure_parts(q_k_v)[0][0]


def test_legends_under_two_panels_sit_at_the_figure_s_foot_below_the_axis_titles():
    """A legend hung below the plot at a fraction of its height ran into the x axis titles in
    presentation mode (softmax's variance, alignment's sampling): at the foot of the figure,
    its rows are added under the titles instead."""
    from app_pages.alignment import figures as fig_alignment
    from app_pages.softmax import figures as fig_softmax

    raw = np.random.default_rng(0).normal(0, 8, 500)
    ns = np.array([1, 2, 5, 10, 100])
    built = [
        fig_softmax.histograms(
            raw, 64, titles=["a", "b"], x_titles=["qk", "qk/8"], y_title="density",
            normal_labels=["N(0, 64)", "N(0, 1)"],
        ),
        fig_alignment.hard_samples(
            np.array([0.5, 0.3, 0.2]), np.array([0, 0, 1, 2, 0]), ns,
            [("err", 1 / np.sqrt(ns), "solid"), ("1/√N", 1 / np.sqrt(ns), "dot")],
            titles=["h", "e"], x_titles=["s", "N"], y_titles=["share", "error"],
            weights_label="a", samples_label="samples",
        ),
    ]  # fmt: skip
    for fig in built:
        data, layout = figures.figure_parts(fig)
        assert layout["legend"] == figures.LEGEND_FOOT
        for size in (figures.FONT, figures.PRES_FONT):
            alone = start_margins(data, {**layout, "showlegend": False}, size)
            assert start_margins(data, layout, size)["b"] >= alone["b"] + 1.6 * size
    # the sampling error's log axes: N at 1, 2, 5 per decade, the error at powers of ten
    _, layout = figures.figure_parts(built[1])
    assert (layout["xaxis2"]["dtick"], layout["yaxis2"]["dtick"]) == ("D2", 1)
