"""Figures on a phone (issue 18 §5): panels side by side re-laid in one column, titles and tick
labels fitted to a 390-px screen (ui.figures' phone part, through layout.style_figure)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from ui import figures, layout
from ui.figures import PHONE_MIN_FONT, PHONE_TEXT_PX, text_width

TITLES = ("Scores", "Weights", "Output")


def three_panels() -> tuple[list[dict], dict]:
    """Three panels side by side; the middle one a heatmap with its own colour bar, the right
    one on a shared colour axis."""
    spec = figures.panels(TITLES, ("key", "key", "dim"), ("query", "", ""))
    data = [
        {"type": "bar", "x": [1, 2, 3], "y": [3, 1, 2], "xaxis": "x", "yaxis": "y"},
        {
            "type": "heatmap",
            "z": np.eye(3),
            "xaxis": "x2",
            "yaxis": "y2",
            "colorbar": {"title": {"text": "weight"}, "len": 0.9},
        },
        {
            "type": "heatmap",
            "z": np.ones((3, 3)),
            "xaxis": "x3",
            "yaxis": "y3",
            "coloraxis": "coloraxis",
        },
    ]
    spec["coloraxis"] = {"colorbar": {"title": {"text": "value"}, "len": 0.9}}
    spec["title"] = {"text": "Three steps of one query, drawn side by side on a wide screen"}
    return data, spec


def panel_of(note: dict, spec: dict, names: list[tuple[str, str]]) -> tuple[str, str]:
    """The panel whose top a title note sits on (x inside its width, y at or just above it)."""
    for x, y in names:
        (x0, x1), (y0, y1) = spec[x]["domain"], spec[y]["domain"]
        if x0 <= note["x"] <= x1 and y1 <= note["y"] <= y1 + 0.6 * (y1 - y0):
            return x, y
    raise AssertionError(f"{note['text']} sits above no panel")


def test_panels_side_by_side_are_stacked_in_reading_order_with_their_titles():
    data, spec = three_panels()
    stacked, out, n = figures.stack_panels(data, spec)
    assert n == 3
    names = [("xaxis", "yaxis"), ("xaxis2", "yaxis2"), ("xaxis3", "yaxis3")]
    tops = [out[y]["domain"][1] for _, y in names]
    assert tops == sorted(tops, reverse=True)  # left → top, right → bottom
    for x, y in names:
        assert out[x]["domain"] == [0.0, 1.0]  # each panel takes the whole width
        assert out[y]["domain"][1] - out[y]["domain"][0] > 0.2
    for (_, y_above), (_, y_below) in itertools.pairwise(names):
        assert out[y_below]["domain"][1] < out[y_above]["domain"][0]  # no overlap, a gap
    # each title moved with its panel: above it, centred on it
    for title, note in zip(TITLES, out["annotations"], strict=True):
        assert title in note["text"]
        assert panel_of(note, out, names) == names[TITLES.index(title)]
        assert note["x"] == pytest.approx(0.5)
    # the traces keep their axes; the middle panel's colour bar follows it, shorter than it
    assert [(d.get("xaxis"), d.get("yaxis")) for d in stacked] == [
        (d.get("xaxis"), d.get("yaxis")) for d in data
    ]
    bar = stacked[1]["colorbar"]
    y0, y1 = out["yaxis2"]["domain"]
    assert y0 < bar["y"] - bar["len"] / 2 and bar["y"] + bar["len"] / 2 < y1
    assert bar["yanchor"] == "middle" and bar["title"]["text"] == "weight"
    # the shared colour bar runs along the column, its top (and title) under the first title
    shared = out["coloraxis"]["colorbar"]
    top_of_column = out["yaxis"]["domain"][1]
    assert shared["y"] + shared["len"] / 2 < top_of_column
    assert shared["y"] - shared["len"] / 2 > out["yaxis3"]["domain"][0] - 1e-9
    assert data[1]["colorbar"]["len"] == 0.9  # the caller's figure is left as it was


def test_one_panel_per_row_is_left_as_it_is():
    data = [{"type": "scatter", "x": [1, 2], "y": [1, 2]}]
    spec = {"title": {"text": "t"}, "xaxis": {"domain": [0, 1]}}
    assert figures.stack_panels(data, spec) == (data, spec, 1)


def test_titles_are_wrapped_to_a_phone_and_long_panel_titles_made_smaller():
    _, spec = three_panels()
    spec["annotations"][0]["text"] = "Entropy of the weights against the temperature, all keys"
    out = figures.phone_titles(spec, figures.FONT)
    lines = out["title"]["text"].split("<br>")
    assert len(lines) >= 2
    assert all(text_width(line, figures.FONT * 1.2) <= PHONE_TEXT_PX for line in lines)
    note = out["annotations"][0]
    size = note["font"]["size"]
    assert PHONE_MIN_FONT <= size < 14
    assert all(text_width(line, size) <= PHONE_TEXT_PX for line in note["text"].split("<br>"))


def test_tick_labels_that_cannot_fit_are_turned_then_thinned():
    keys = [f"tok{i}" for i in range(40)]
    data = [{"type": "heatmap", "z": np.zeros((40, 40)), "x": keys, "y": keys}]
    spec = {
        "height": 400,
        "xaxis": {"type": "category", "tickmode": "array", "tickvals": keys, "ticktext": keys},
        "yaxis": {"type": "category"},
    }
    margin = {"l": 60, "r": 60, "t": 40, "b": 60}
    out = figures.phone_ticks(data, spec, margin, 13)
    x, y = out["xaxis"], out["yaxis"]
    assert x["tickangle"] == -90  # side by side they would overlap
    room_x = figures.PHONE_FIGURE_PX - 120
    room_y = 400 - 100
    for axis, room in ((x, room_x), (y, room_y)):
        font = axis["tickfont"]["size"]
        assert font >= PHONE_MIN_FONT
        assert len(axis["ticktext"]) * 1.5 * font <= room  # one line each, no overlap
        assert 1 < len(axis["ticktext"]) < 40  # thinned, not dropped
        assert axis["ticktext"][0] == "tok0" and axis["tickvals"] == axis["ticktext"]
    # few labels that fit side by side are left alone
    few = figures.phone_ticks(
        [{"type": "bar", "x": ["a", "b"], "y": [1, 2]}], {"xaxis": {}}, margin, 13
    )
    assert few["xaxis"] == {}


def test_a_log_axis_on_a_phone_is_labelled_every_few_decades():
    spec = {
        "height": 300,
        "xaxis": {"type": "log", "range": [0, 12], "dtick": 1},
        "yaxis": {"type": "log", "range": [0, 3], "dtick": 1},
    }
    out = figures.phone_ticks([], spec, {"l": 60, "r": 20, "t": 40, "b": 60}, 13)
    assert out["xaxis"]["dtick"] >= 2
    per = 3 * 0.6 * 13 + 14
    assert 12 / out["xaxis"]["dtick"] * per <= figures.PHONE_FIGURE_PX - 80
    assert out["yaxis"]["dtick"] == 1  # three decades fit


def test_style_figure_on_a_phone(monkeypatch: pytest.MonkeyPatch):
    """Through the one sizing path: stacked, the legend under the plot, the title clear of the
    panel titles (its band and theirs both in the top margin)."""
    monkeypatch.setattr(layout, "on_phone", lambda: True)
    monkeypatch.setattr(layout, "presenting", lambda: False)
    data, spec = three_panels()
    data[0]["name"], data[0]["showlegend"] = "scores", True
    spec["legend"], spec["showlegend"] = {"x": 1.02, "y": 1}, True
    fig = layout.style_figure(figures.figure(data, spec), 360)
    _, out = figures.figure_parts(fig)
    assert out["height"] >= 3 * figures.PHONE_PANEL_PX
    assert out["dragmode"] is False  # a finger scrolls the page over a figure
    assert out["legend"]["orientation"] == "h" and out["legend"]["yref"] == "container"
    assert out["xaxis"]["domain"] == [0.0, 1.0] and out["xaxis3"]["domain"] == [0.0, 1.0]
    lines = len(out["title"]["text"].split("<br>"))
    title_px = lines * 1.35 * 1.4 * figures.FONT
    note_px = 1.35 * 14 * max(len(n["text"].split("<br>")) for n in out["annotations"])
    assert out["margin"]["t"] >= title_px
    # the title's band ends above the first panel's title (in the margin or the paper's head)
    centre_px = (1 - out["title"]["y"]) * out["height"]
    plot_h = out["height"] - out["margin"]["t"] - out["margin"]["b"]
    first = max(n["y"] for n in out["annotations"])
    note_top_px = out["margin"]["t"] + (1 - first) * plot_h - note_px
    assert centre_px + title_px / 2 <= note_top_px


def test_numbers_on_cells_are_left_out_where_a_cell_is_narrower_than_its_number():
    margin = {"l": 60, "r": 100, "t": 40, "b": 60}
    spec = {"height": 400, "xaxis": {"domain": [0, 1]}}

    def cells(columns: int) -> dict:
        z = np.full((3, columns), -1.45)
        return {"type": "heatmap", "z": z, "texttemplate": "%{z:.2f}", "textfont": {"size": 11}}

    narrow, wide = figures.phone_cell_numbers([cells(16), cells(3)], spec, margin)
    assert "texttemplate" not in narrow  # 200 px / 16 cells: 12 px for "-1.45"
    assert wide["texttemplate"] == "%{z:.2f}"  # 67 px a cell: written


def test_a_centred_panel_title_stays_left_of_the_colour_bar():
    margin = {"l": 60, "r": 100, "t": 40, "b": 60}
    long = "Learned cross-attention at the learned mean position, layer 1"
    spec = {"annotations": [{"text": long, "x": 0.5, "y": 1, "xref": "paper", "yref": "paper"}]}
    note = figures.phone_notes(spec, margin, 13)["annotations"][0]
    plot_w = figures.PHONE_FIGURE_PX - 160
    right = margin["l"] + plot_w + 6
    size = note["font"]["size"]
    half = max(text_width(line, size) for line in note["text"].split("<br>")) / 2
    assert margin["l"] + 0.5 * plot_w + half <= right
    assert size >= PHONE_MIN_FONT


def test_a_title_over_a_narrow_panel_is_no_wider_than_its_panel():
    margin = {"l": 40, "r": 40, "t": 40, "b": 60}
    spec = {
        "xaxis": {"domain": [0.0, 0.3]},
        "xaxis2": {"domain": [0.35, 0.65]},
        "annotations": [
            {"text": "Δ=(-1,-1) w=0.062", "x": 0.15, "y": 1, "xref": "paper", "yref": "paper"}
        ],
    }
    note = figures.phone_notes(spec, margin, 13)["annotations"][0]
    panel_px = 0.3 * (figures.PHONE_FIGURE_PX - 80)
    widest = max(text_width(line, note["font"]["size"]) for line in note["text"].split("<br>"))
    assert widest <= panel_px + 8


def test_a_colour_bar_beside_its_panel_moves_right_of_the_column():
    data = [
        {"type": "image", "xaxis": "x", "yaxis": "y"},
        {"type": "scatter", "xaxis": "x", "yaxis": "y", "marker": {"colorbar": {"x": 0.4}}},
        {"type": "image", "xaxis": "x2", "yaxis": "y2"},
    ]
    spec = {
        "xaxis": {"domain": [0, 0.45]},
        "xaxis2": {"domain": [0.55, 1]},
        "yaxis": {"domain": [0, 1]},
        "yaxis2": {"domain": [0, 1]},
    }
    stacked, _, n = figures.stack_panels(data, spec)
    assert n == 2
    assert stacked[1]["marker"]["colorbar"]["x"] >= 1  # in the right margin, off the picture


def test_presentation_mode_on_a_phone_keeps_the_phone_sizes(monkeypatch: pytest.MonkeyPatch):
    """A student following a presenting teacher: projector type would not fit 390 px."""
    monkeypatch.setattr(layout, "presenting", lambda: True)
    data, spec = three_panels()
    monkeypatch.setattr(layout, "on_phone", lambda: False)
    _, projector = figures.figure_parts(layout.style_figure(figures.figure(data, spec), 360))
    monkeypatch.setattr(layout, "on_phone", lambda: True)
    _, phone = figures.figure_parts(layout.style_figure(figures.figure(data, spec), 360))
    assert projector["font"]["size"] > figures.FONT
    assert phone["font"]["size"] == figures.FONT
