"""Presentation-mode sizing of figures (no browser): no text under the minimum, nothing mutated.

The browser test (tests/e2e/test_presentation_e2e.py) measures what plotly.js draws; these
check the dicts the server sends.
"""

from __future__ import annotations

import copy

import numpy as np

from ui import figures
from ui.figures import PRES_MIN_FONT, floor_fonts


def _font_sizes(obj: object, path: str = "") -> list[tuple[str, float]]:
    """Every explicit ``*font.size`` in a figure's dicts, with where it is."""
    out = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k.endswith("font") and isinstance(v, dict) and "size" in v:
                sizes = np.atleast_1d(np.asarray(v["size"], dtype=float))
                out += [(f"{path}.{k}", float(s)) for s in sizes]
            out += _font_sizes(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += _font_sizes(v, f"{path}[{i}]")
    return out


def _small_figure() -> tuple[list[dict], dict]:
    data = [
        {
            "type": "heatmap",
            "z": np.array([[0.1, 0.2], [0.3, 0.4]]),
            "texttemplate": "%{z:.1f}",  # no size: plotly.js would fit the text to the cell
            "colorbar": {"tickfont": {"size": 9}, "title": {"text": "w", "font": {"size": 10}}},
        },
        {
            "type": "bar",
            "x": ["a", "b"],
            "y": [1, 2],
            "textfont": {"size": 8},
            "outsidetextfont": {"size": [9, 12]},
            "xaxis": "x2",
            "yaxis": "y2",
        },
        {"type": "scatter", "x": [1], "y": [1], "mode": "text", "text": ["t"], "textfont": {}},
    ]
    layout = {
        "font": {"size": 20},
        "xaxis": {"domain": [0, 0.45], "tickfont": {"size": 11}},
        "xaxis2": {"domain": [0.55, 1.0]},
        "yaxis": {"type": "log", "title": {"text": "n", "font": {"size": 12}}},
        "legend": {"font": {"size": 10}},
        "annotations": [{"text": "note", "font": {"size": 9}, "showarrow": False}],
    }
    return data, layout


def test_every_explicit_size_is_raised_and_nothing_is_mutated() -> None:
    data, layout = _small_figure()
    before = copy.deepcopy((data, layout))
    new_data, new_layout = floor_fonts(data, layout)
    sizes = _font_sizes(new_data) + _font_sizes(new_layout)
    assert len(sizes) >= 9, sizes
    assert all(s >= PRES_MIN_FONT for _, s in sizes), [x for x in sizes if x[1] < PRES_MIN_FONT]
    # the heatmap's numbers get a size (plotly.js would otherwise shrink them to the cell)
    assert new_data[0]["textfont"]["size"] == PRES_MIN_FONT
    # bar text is not shrunk below the minimum either
    assert new_layout["uniformtext"] == {"mode": "show", "minsize": PRES_MIN_FONT}
    # a log axis writes its in-between digits at 3/4 size: its ticks are large enough for that
    assert new_layout["yaxis"]["tickfont"]["size"] * figures.LOG_MINOR_SCALE >= PRES_MIN_FONT
    # the input dicts are shared with cached figures: left exactly as they were
    np.testing.assert_equal(before, (data, layout))


def test_numbers_too_wide_for_their_cells_are_left_to_the_hover() -> None:
    wide = np.full((3, 30), -0.123456)  # 30 columns of "-0.123" in one panel: cannot fit
    narrow = np.full((3, 3), 0.5)
    data = [
        {"type": "heatmap", "z": wide, "texttemplate": "%{z:.3f}", "textfont": {"size": 12}},
        {"type": "heatmap", "z": narrow, "texttemplate": "%{z:.2f}", "xaxis": "x2"},
    ]
    layout = {"xaxis": {"domain": [0, 0.45]}, "xaxis2": {"domain": [0.55, 1]}, "font": {"size": 20}}
    new_data, _ = floor_fonts(data, layout)
    assert "texttemplate" not in new_data[0]
    assert new_data[1]["texttemplate"] == "%{z:.2f}"
    assert new_data[1]["textfont"]["size"] == PRES_MIN_FONT


def test_panel_titles_wrap_to_their_panel() -> None:
    title = "<b>Entropy of the weights against temperature</b>"
    layout = {
        "font": {"size": 20},
        "xaxis": {"domain": [0, 0.3]},
        "xaxis2": {"domain": [0.35, 0.65]},
        "xaxis3": {"domain": [0.7, 1.0]},
        "annotations": [
            {
                "text": title,
                "x": 0.15,
                "xref": "paper",
                "y": 1,
                "yref": "paper",
                "yanchor": "bottom",
                "showarrow": False,
            },
            {
                "text": "short",
                "x": 0.5,
                "xref": "paper",
                "y": 1,
                "yref": "paper",
                "yanchor": "bottom",
                "showarrow": False,
            },
        ],
    }
    _, new = floor_fonts([], layout)
    lines = new["annotations"][0]["text"].split("<br>")
    assert len(lines) >= 2
    assert "".join(x.removeprefix("<b>").removesuffix("</b>") + " " for x in lines).split() == (
        title[3:-4].split()
    )
    assert new["annotations"][1]["text"] == "short"
    # a little smaller first, never under the minimum; the top margin holds every line
    font = new["annotations"][0]["font"]["size"]
    assert PRES_MIN_FONT <= font <= 20
    margin = figures.start_margins([], new, 20)
    assert margin["t"] >= len(lines) * 1.35 * font


def test_chinese_titles_wrap_between_characters_not_before_punctuation() -> None:
    text = figures._wrapped("<b>权重 p = softmax(x / τ)，τ = 1</b>", 16, 160)
    assert "<br>" in text
    assert not any(line.startswith(("<b>，", "，")) for line in text.split("<br>"))


def test_style_figure_applies_the_floor_in_presentation_mode(monkeypatch) -> None:
    from ui import layout as ui_layout

    fig = figures.heatmap(np.eye(3), title="t", x_title="x", y_title="y")
    monkeypatch.setattr(ui_layout, "presenting", lambda: True)
    data, spec = figures.figure_parts(ui_layout.style_figure(fig))
    assert spec["font"]["size"] == figures.PRES_FONT
    assert all(s >= PRES_MIN_FONT for _, s in _font_sizes(data) + _font_sizes(spec))
    monkeypatch.setattr(ui_layout, "presenting", lambda: False)
    data, spec = figures.figure_parts(ui_layout.style_figure(fig))
    assert spec["font"]["size"] == figures.FONT
    assert "uniformtext" not in spec


def test_axis_titles_wider_than_their_panel_wrap_and_get_room() -> None:
    title = "key position (attended to)"
    layout = {"font": {"size": 16}, "height": 400}
    for i in range(4):
        name = "xaxis" + ("" if i == 0 else str(i + 1))
        layout[name] = {"domain": [i * 0.25, i * 0.25 + 0.2], "title": {"text": title}}
    _, new = floor_fonts([], layout)
    wrapped = new["xaxis"]["title"]["text"]
    assert "<br>" in wrapped and wrapped.replace("<br>", " ") == title
    assert layout["xaxis"]["title"]["text"] == title  # the input is left as it was
    one_line = figures.start_margins([], layout, 16)["b"]
    assert figures.start_margins([], new, 16)["b"] >= one_line + 1.2 * 16 - 1
