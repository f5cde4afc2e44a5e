"""Self-attention in a real browser: type a sentence, open a shared link, shuffle with PE."""

from __future__ import annotations

from typing import Final

import numpy as np
from playwright.sync_api import Locator, Page, expect

from attn_core import multi_head_attention, random_mha_weights, sinusoidal_positional_encoding
from tests.e2e.conftest import open_app, reruns_after, section_runs, share_link, wait_for_app
from ui.tokens import embed, permutation, tokenize


def heads_chart(page: Page) -> Locator:
    return page.locator('[data-testid="stPlotlyChart"]').filter(has_text="Head 1").first


def chart_text(chart: Locator) -> list[str]:
    return [s.strip() for s in chart.locator("svg text").all_text_contents() if s.strip()]


def permutation_gap(sentence: str, d: int, heads: int, shuffle: int, pe: bool) -> str:
    """The page's metric, computed here from the core."""
    X = embed(tokenize(sentence).tokens, d)
    P = sinusoidal_positional_encoding(len(X), d) if pe else np.zeros_like(X)
    W = random_mha_weights(d, d, seed=0)
    perm = permutation(len(X), shuffle)
    Y = multi_head_attention(X + P, X + P, **W, n_heads=heads).output
    Ys = multi_head_attention(X[perm] + P, X[perm] + P, **W, n_heads=heads).output
    return f"{np.max(np.abs(Ys - Y[perm])):.3g}"


def test_shared_link_shuffle_then_typing_a_sentence_changes_the_heads(page: Page, app_url: str):
    """One visit (a page load costs most of a browser test): the link's state, the measured
    permutation gap, the causal mask, then a typed sentence redraws the head heatmaps."""
    sentence = "the cat sat on the mat"
    query = "sentence=the+cat+sat+on+the+mat&d=12&heads=3&pe=1&lang=en"
    open_app(page, f"{app_url}/self-attention?{query}")
    chart = heads_chart(page)
    expect(chart).to_contain_text("Head 3")
    expect(chart).not_to_contain_text("Head 4")
    pe = page.locator('[data-testid="stCheckbox"]').filter(has_text="Add the positional encoding")
    expect(pe.locator("input")).to_be_checked()
    values = page.locator('[data-testid="stMetricValue"]')
    expect(values.nth(0)).to_have_text(permutation_gap(sentence, 12, 3, 1, pe=False))
    expect(values.nth(1)).to_have_text(permutation_gap(sentence, 12, 3, 1, pe=True))
    assert float(values.nth(0).inner_text()) < 1e-12 < 1e-3 < float(values.nth(1).inner_text())
    page.get_by_role("button", name="Shuffle again").click()
    wait_for_app(page)
    expect(values.nth(1)).to_have_text(permutation_gap(sentence, 12, 3, 2, pe=True))
    for part in ("d=12", "heads=3", "pe=1", "shuffle=2"):
        assert part in share_link(page)
    causal = page.locator('[data-testid="stCheckbox"]').filter(has_text="Causal mask")
    causal.locator("label").first.click()
    wait_for_app(page)
    expect(page.get_by_text("the mask itself depends on position")).to_be_visible()
    assert "causal=1" in share_link(page)

    before = chart_text(heads_chart(page))
    assert "cat₂" in before
    box = page.locator('[data-testid="stTextInput"] input').first
    box.fill("a dog chased the ball")
    box.press("Enter")
    wait_for_app(page)
    expect(heads_chart(page)).to_contain_text("dog₂")
    after = chart_text(heads_chart(page))
    assert after != before and "cat₂" not in after
    assert "sentence=a+dog+chased+the+ball" in share_link(page)


SECTIONS: Final = ("tokens", "projections", "head_weights", "concat", "encoding", "shuffle")


def worked_row(page: Page) -> Locator:
    return page.locator('[data-testid="stSelectbox"]').filter(has_text="Token worked out")


def test_a_move_reruns_only_its_section_and_the_link_follows(page: Page, counted_url: str):
    """The shuffle reruns its own section; the worked token reruns the heads and the worked
    row, which share a fragment (the token sets the guess's question above the heatmap); the
    causal mask changes the model every later section draws, so the page reruns (the mask's
    section starts its own run, stops at its first line, and the page runs once)."""
    open_app(page, counted_url + "/self-attention?lang=en&heads=4")
    before = section_runs(page)
    assert set(before) == set(SECTIONS)
    values = page.locator('[data-testid="stMetricValue"]')
    gap = values.nth(1).inner_text()
    page.get_by_role("button", name="Shuffle again").click()
    assert reruns_after(page, before) == {"shuffle": 1}
    expect(values.nth(1)).not_to_have_text(gap)

    before = section_runs(page)
    box = worked_row(page).get_by_role("combobox")
    box.click()  # the list opens filtered by the text shown ("the₁"): type to find the token
    box.press("ControlOrMeta+a")
    box.type("sat")
    page.get_by_role("option", name="sat₃").click()
    assert reruns_after(page, before) == {"head_weights": 1, "concat": 1}  # the guess's question
    expect(worked_row(page).get_by_role("combobox")).to_have_value("sat₃")
    latex = page.locator(".katex-display").all_inner_texts()

    before = section_runs(page)
    causal = page.locator('[data-testid="stCheckbox"]').filter(has_text="Causal mask")
    causal.locator("label").first.click()
    assert reruns_after(page, before) == {**dict.fromkeys(SECTIONS, 1), "head_weights": 2}
    expect(page.get_by_text("the mask itself depends on position")).to_be_visible()

    link = share_link(page)
    for part in ("heads=4", "shuffle=2", "row=3", "causal=1"):
        assert part in link and part in page.url
    fresh = page.context.new_page()
    open_app(fresh, link)
    expect(worked_row(fresh).get_by_role("combobox")).to_have_value("sat₃")
    again = fresh.locator('[data-testid="stMetricValue"]')
    assert again.all_inner_texts() == values.all_inner_texts()
    assert (
        fresh.locator(".katex-display").all_inner_texts()
        == page.locator(".katex-display").all_inner_texts()
    )
    assert chart_text(heads_chart(fresh)) == chart_text(heads_chart(page))
    assert latex != page.locator(".katex-display").all_inner_texts()  # the mask changed them
    fresh.close()
