"""Trained-model page in a real browser: switching heads off changes the copying accuracy."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e import conftest as e2e
from ui.i18n import catalog

EN = catalog("en")


def accuracy(page: Page, key: str) -> str:
    """The value of the metric labelled ``trained_model.<key>``."""
    label = EN[f"trained_model.{key}"]
    box = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_switching_off_heads_changes_the_accuracy(page: Page, app_url: str) -> None:
    e2e.open_app(page, f"{app_url}/trained-model?lang=en")
    full = accuracy(page, "pred.acc_full")
    assert re.fullmatch(r"\d+%", full) and int(full[:-1]) >= 90
    assert accuracy(page, "pred.acc_off") == "–"

    # the induction heads by the button: copying breaks
    expect(page.locator('[data-testid="stCheckbox"]').filter(has_text="L2H").first).to_be_visible()
    page.get_by_role("button", name=re.compile("Switch off the induction heads")).click()
    e2e.wait_for_app(page)
    expect(
        page.locator('[data-testid="stMetric"]').filter(has_text=EN["trained_model.pred.acc_off"])
    ).not_to_contain_text("–")
    off = accuracy(page, "pred.acc_off")
    assert int(full[:-1]) - int(off[:-1]) >= 50, (full, off)
    assert "off2" in page.url  # the ablation is part of the link

    # and back on
    page.get_by_role("button", name=EN["trained_model.heads.all_on"]).click()
    e2e.wait_for_app(page)
    expect(
        page.locator('[data-testid="stMetric"]').filter(has_text=EN["trained_model.pred.acc_off"])
    ).to_contain_text("–")
    assert "off2" not in page.url

    # one head by its own checkbox: the ablated accuracy is measured again
    page.locator('[data-testid="stCheckbox"]').filter(has_text="L2H3").first.click()
    e2e.wait_for_app(page)
    expect(
        page.locator('[data-testid="stMetric"]').filter(has_text=EN["trained_model.pred.acc_off"])
    ).not_to_contain_text("–")
    assert "off23=1" in page.url


def head_titles(page: Page, figure: int) -> list[str]:
    """The panel titles of the page's ``figure``-th chart (a layer's heads)."""
    chart = page.locator('[data-testid="stPlotlyChart"]').nth(figure)
    expect(chart.locator(".annotation-text").first).to_be_attached()
    return chart.locator(".annotation-text").all_text_contents()


def metrics(page: Page) -> list[str]:
    return page.locator('[data-testid="stMetricValue"]').all_inner_texts()


def test_a_move_reruns_only_the_sections_it_feeds_and_the_link_follows(
    page: Page, counted_url: str
) -> None:
    e2e.open_app(page, f"{counted_url}/trained-model?lang=en")
    before = e2e.section_runs(page)
    assert set(before) == {
        "sequence", "heads", "predictions", "mechanism", "sentence", "translation"
    }  # fmt: skip
    assert len(head_titles(page, 1)) == 1  # layer 2: its induction head
    shown = page.locator('[data-testid="stRadio"]').filter(has_text="Layer 2: head shown")
    shown.get_by_text(EN["trained_model.heads.show.all"]).click()  # the head shown: heads only
    assert e2e.reruns_after(page, before) == {"heads": 1}
    expect(
        page.locator('[data-testid="stPlotlyChart"]').nth(1).locator(".annotation-text")
    ).to_have_count(4)
    before = e2e.section_runs(page)
    e2e.press_slider(page, EN["trained_model.pred.pos"], "ArrowLeft")  # position 14
    assert e2e.reruns_after(page, before) == {"predictions": 1, "mechanism": 1}
    before = e2e.section_runs(page)
    page.locator('[data-testid="stCheckbox"]').filter(has_text="L2H3").first.click()
    assert e2e.reruns_after(page, before) == {"heads": 1, "predictions": 1}
    off = f"L2H3 · {EN['trained_model.heads.off_tag']}"
    expect(page.locator('[data-testid="stPlotlyChart"]').nth(1)).to_contain_text(off)
    link = e2e.share_link(page)
    for part in ("show2=all", "pos=14", "off23=1"):
        assert part in link and part in page.url
    fresh = page.context.new_page()
    e2e.open_app(fresh, link)
    assert head_titles(fresh, 1) == head_titles(page, 1)
    assert off in head_titles(fresh, 1)
    assert metrics(fresh) == metrics(page)
    fresh.close()
