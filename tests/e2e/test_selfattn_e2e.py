"""Self-attention in a real browser: type a sentence, open a shared link, shuffle with PE."""

from __future__ import annotations

import numpy as np
from playwright.sync_api import Locator, Page, expect

from attn_core import multi_head_attention, random_mha_weights, sinusoidal_positional_encoding
from tests.e2e.conftest import open_app, wait_for_app
from ui.tokens import embed, permutation, tokenize


def share_link(page: Page) -> str:
    return page.locator('[data-testid="stSidebar"] [data-testid="stCode"]').inner_text().strip()


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


def test_typing_a_sentence_changes_the_head_heatmaps(page: Page, app_url: str):
    open_app(page, app_url + "/self-attention?lang=en")
    chart = heads_chart(page)
    expect(chart).to_be_visible()
    before = chart_text(chart)
    assert "cat₂" in before
    box = page.locator('[data-testid="stTextInput"] input').first
    box.fill("a dog chased the ball")
    box.press("Enter")
    wait_for_app(page)
    expect(heads_chart(page)).to_contain_text("dog₂")
    after = chart_text(heads_chart(page))
    assert after != before
    assert "cat₂" not in after
    assert "sentence=a+dog+chased+the+ball" in share_link(page)


def test_a_shared_link_reopens_heads_mask_and_encoding(page: Page, app_url: str):
    query = "sentence=one+two+three+four&d=12&heads=3&causal=1&pe=1&lang=en"
    open_app(page, f"{app_url}/self-attention?{query}")
    chart = heads_chart(page)
    expect(chart).to_contain_text("Head 3")
    expect(chart).not_to_contain_text("Head 4")
    checked = page.locator('[data-testid="stRadio"] input[type="radio"]:checked')
    expect(checked.first).to_be_attached()
    for toggle in ("Causal mask (look only left)", "Add the positional encoding to X"):
        box = page.locator('[data-testid="stCheckbox"]').filter(has_text=toggle).locator("input")
        expect(box).to_be_checked()
    for part in ("d=12", "heads=3", "causal=1", "pe=1"):
        assert part in share_link(page)


def test_permutation_gap_is_zero_without_and_large_with_encoding(page: Page, app_url: str):
    sentence = "the cat sat on the mat"
    open_app(page, app_url + "/self-attention?lang=en")
    values = page.locator('[data-testid="stMetricValue"]')
    expect(values.nth(0)).to_have_text(permutation_gap(sentence, 8, 2, 1, pe=False))
    expect(values.nth(1)).to_have_text(permutation_gap(sentence, 8, 2, 1, pe=True))
    assert float(values.nth(0).inner_text()) < 1e-12
    page.get_by_role("button", name="Shuffle again").click()
    wait_for_app(page)
    expect(values.nth(1)).to_have_text(permutation_gap(sentence, 8, 2, 2, pe=True))
    assert "shuffle=2" in share_link(page)
