"""widgets.control: a page parameter's widget labelled, keyed and helped from its catalog keys."""

from __future__ import annotations

from typing import Any

from attn_core import SCORE_KINDS
from ui import layout, state, widgets
from ui.i18n import catalog

EN = catalog("en")


def drawn(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """A stand-in widget: what it was called with."""
    return {"args": args, **kwargs}


def test_label_key_and_help_follow_the_session_key():
    b = state.Binding("self_attention", [])
    got = widgets.control(drawn, b, "d", 2, 16, step=1, help=True)
    assert got == {
        "args": (EN["self_attention.d"], 2, 16),
        "key": "self_attention.d",
        "step": 1,
        "help": EN["self_attention.d.help"],
    }


def test_another_label_or_help_key_and_named_options():
    b = state.Binding("qkv", [])
    got = widgets.control(drawn, b, "score", SCORE_KINDS, label_key="app.seed", named_options=True)
    assert got["args"] == (EN["app.seed"], SCORE_KINDS) and got["key"] == "qkv.score"
    assert "help" not in got
    assert [got["format_func"](k) for k in SCORE_KINDS] == [
        EN[f"qkv.score.{k}"] for k in SCORE_KINDS
    ]
    by_key = widgets.control(drawn, b, "row", [0, 1], help="qkv.score")
    assert by_key["help"] == EN["qkv.score"]
    with_options = widgets.control(drawn, b, "score", options=SCORE_KINDS, named_options=True)
    assert with_options["format_func"](SCORE_KINDS[0]) == EN[f"qkv.score.{SCORE_KINDS[0]}"]


def test_export_csv_names_label_file_and_key_by_the_convention(monkeypatch):
    calls = []
    monkeypatch.setattr(layout, "download_csv", lambda *a, **k: calls.append((a, k)))
    widgets.export_csv("complexity", "timing", "frame", "d-16", "k-3", index=False)
    label, frame, file_name = calls[0][0]
    assert label == EN["complexity.export.timing"] and frame == "frame"
    assert file_name == "complexity-timing-d-16-k-3.csv"
    assert calls[0][1] == {"key": "complexity.dl.timing", "index": False}
