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
