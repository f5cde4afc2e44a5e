"""Complexity in a real browser: move n, open a shared link, time the three layers."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from attn_core import complexity
from tests.e2e import conftest as e2e


def table(page: Page):
    return page.locator('[data-testid="stTable"]').first


def test_a_shared_link_reopens_the_counts_and_moving_n_updates_them(page: Page, app_url: str):
    e2e.open_app(page, app_url + "/complexity?n=1000&d=64&k=5&pn=13&lang=en")
    costs = complexity(1000, 64, 5)
    for layer in ("convolutional", "recurrent", "self_attention"):
        expect(table(page)).to_contain_text(f"{costs[layer].per_layer:,}")
    exact = f"O(n/k), exactly ⌈(n−1)/(k−1)⌉ = {costs['convolutional'].max_path}"
    expect(table(page)).to_contain_text(exact)
    path = complexity(13, 2, 5)["convolutional"].max_path
    picture = page.locator('[data-testid="stPlotlyChart"]').nth(1)  # titles on two lines
    expect(picture).to_contain_text("Convolution (k = 5):")
    expect(picture).to_contain_text(f"{path} layers")
    e2e.press_slider(page, "Sequence length n", "ArrowRight")  # 1000 → 1024 on the grid
    expect(table(page)).to_contain_text(f"{complexity(1024, 64, 5)['self_attention'].per_layer:,}")
    assert "n=1024" in e2e.share_link(page)


def test_timing_runs_on_the_button_and_draws_the_measured_lines(page: Page, app_url: str):
    e2e.open_app(page, app_url + "/complexity?td=16&tn=128&lang=en")
    charts = page.locator('[data-testid="stPlotlyChart"]')
    expect(charts).to_have_count(2)
    page.get_by_role("button", name="Time the three layers").click()
    e2e.wait_for_app(page)
    expect(charts).to_have_count(3)
    timing = charts.nth(2)
    expect(timing).to_contain_text("Measured time per call (d = 16, k = 3)")
    expect(timing).to_contain_text("slope 2 (predicted)")
    expect(page.get_by_text("Measured slope")).to_be_visible()
    expect(page.get_by_text("Measured on this server at")).to_contain_text("UTC")
    e2e.press_slider(page, "Tokens in the picture", "ArrowRight")  # unrelated: results stay
    expect(charts).to_have_count(3)


def test_a_move_reruns_only_its_group_and_the_link_reopens_the_view(page: Page, counted_url: str):
    e2e.open_app(page, counted_url + "/complexity?lang=en")
    before = e2e.section_runs(page)
    assert set(before) == {"table", "growth", "path", "timing"}
    e2e.press_slider(page, "Tokens in the picture", "ArrowRight")  # the path picture alone: 9 → 10
    assert e2e.reruns_after(page, before) == {"path": 1}
    before = e2e.section_runs(page)
    e2e.press_slider(page, "Sequence length n", "ArrowRight")  # n feeds the table and the curves
    assert e2e.reruns_after(page, before) == {"table": 1, "growth": 1}
    before = e2e.section_runs(page)
    e2e.press_slider(page, "Kernel width k", "ArrowRight")  # k is page-wide: every section again
    assert set(e2e.reruns_after(page, before)) == {"table", "growth", "path", "timing"}
    link = e2e.share_link(page)
    assert "n=120" in link and "pn=10" in link and "k=4" in link  # 100 → 120 on the grid
    costs = complexity(120, 512, 4)
    fresh = page.context.new_page()
    e2e.open_app(fresh, link)
    for layer in ("convolutional", "recurrent", "self_attention"):
        expect(table(fresh)).to_contain_text(f"{costs[layer].per_layer:,}")
    picture = fresh.locator('[data-testid="stPlotlyChart"]').nth(1)
    expect(picture).to_contain_text("Convolution (k = 4):")
    expect(picture).to_contain_text(f"{complexity(10, 2, 4)['convolutional'].max_path} layers")
    assert table(fresh).inner_text() == table(page).inner_text()
    fresh.close()
