"""Sentences of the trained-model page that carry the page's own numbers (no Streamlit calls
other than the translations)."""

from __future__ import annotations

from collections.abc import Sequence

from attn_core.toy_tasks import ADJS, DETS, NOUNS, VERBS
from ui.i18n import t
from ui.state import shown


def head_name(layer: int, head: int) -> str:
    """``L1H2`` for layer index 0, head index 1 (1-based in every label)."""
    return f"L{layer + 1}H{head + 1}"


def vocabulary() -> str:
    """Model B's source words by part of speech, as Markdown."""
    groups = (("det", DETS), ("adj", ADJS), ("noun", NOUNS), ("verb", VERBS))
    return "  \n".join(
        f"**{t(f'trained_model.b.pos.{name}')}:** " + ", ".join(f"`{w}`" for w in words)
        for name, words in groups
    )


def unknown_items(items: Sequence[str]) -> str:
    """Unknown pieces of a typed input, each quoted and made safe to show."""
    return ", ".join(f"“{shown(s, 20)}”" for s in items[:12]) + (" …" if len(items) > 12 else "")


def fmt(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}"
