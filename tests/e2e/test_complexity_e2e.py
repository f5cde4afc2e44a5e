"""Complexity in a real browser: move n, open a shared link, time the three layers."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from attn_core import complexity
from tests.e2e.conftest import open_app, press_slider, share_link, wait_for_app


def table(page: Page):
    return page.locator('[data-testid="stTable"]').first


def test_a_shared_link_reopens_the_counts_and_moving_n_updates_them(page: Page, app_url: str):
    open_app(page, app_url + "/complexity?n=1000&d=64&k=5&pn=13&lang=en")
    costs = complexity(1000, 64, 5)
    for layer in ("convolutional", "recurrent", "self_attention"):
        expect(table(page)).to_contain_text(f"{costs[layer].per_layer:,}")
    exact = f"O(n/k), exactly ⌈(n−1)/(k−1)⌉ = {costs['convolutional'].max_path}"
    expect(table(page)).to_contain_text(exact)
    path = complexity(13, 2, 5)["convolutional"].max_path
    picture = page.locator('[data-testid="stPlotlyChart"]').nth(1)  # titles on two lines
    expect(picture).to_contain_text("Convolution (k = 5):")
    expect(picture).to_contain_text(f"{path} layers")
    press_slider(page, "Sequence length n", "ArrowRight")  # 1000 → 1024 on the grid
    expect(table(page)).to_contain_text(f"{complexity(1024, 64, 5)['self_attention'].per_layer:,}")
    assert "n=1024" in share_link(page)


def test_timing_runs_on_the_button_and_draws_the_measured_lines(page: Page, app_url: str):
    open_app(page, app_url + "/complexity?td=16&tn=128&lang=en")
    charts = page.locator('[data-testid="stPlotlyChart"]')
    expect(charts).to_have_count(2)
    page.get_by_role("button", name="Time the three layers").click()
    wait_for_app(page)
    expect(charts).to_have_count(3)
    timing = charts.nth(2)
    expect(timing).to_contain_text("Measured time per call (d = 16, k = 3)")
    expect(timing).to_contain_text("slope 2 (predicted)")
    expect(page.get_by_text("Measured slope")).to_be_visible()
    expect(page.get_by_text("Measured on this server at")).to_contain_text("UTC")
    press_slider(page, "Tokens in the picture", "ArrowRight")  # unrelated: results stay
    expect(charts).to_have_count(3)
