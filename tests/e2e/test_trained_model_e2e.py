"""Trained-model page in a real browser: switching heads off changes the copying accuracy."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import open_app, wait_for_app
from ui.i18n import catalog

EN = catalog("en")


def accuracy(page: Page, key: str) -> str:
    """The value of the metric labelled ``trained_model.<key>``."""
    label = EN[f"trained_model.{key}"]
    box = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_switching_off_heads_changes_the_accuracy(page: Page, app_url: str) -> None:
    open_app(page, f"{app_url}/trained-model?lang=en")
    full = accuracy(page, "pred.acc_full")
    assert re.fullmatch(r"\d+%", full) and int(full[:-1]) >= 90
    assert accuracy(page, "pred.acc_off") == "–"

    # the induction heads by the button: copying breaks
    expect(page.locator('[data-testid="stCheckbox"]').filter(has_text="L2H").first).to_be_visible()
    page.get_by_role("button", name=re.compile("Switch off the induction heads")).click()
    wait_for_app(page)
    expect(
        page.locator('[data-testid="stMetric"]').filter(has_text=EN["trained_model.pred.acc_off"])
    ).not_to_contain_text("–")
    off = accuracy(page, "pred.acc_off")
    assert int(full[:-1]) - int(off[:-1]) >= 50, (full, off)
    assert "off2" in page.url  # the ablation is part of the link

    # and back on
    page.get_by_role("button", name=EN["trained_model.heads.all_on"]).click()
    wait_for_app(page)
    expect(
        page.locator('[data-testid="stMetric"]').filter(has_text=EN["trained_model.pred.acc_off"])
    ).to_contain_text("–")
    assert "off2" not in page.url

    # one head by its own checkbox: the ablated accuracy is measured again
    page.locator('[data-testid="stCheckbox"]').filter(has_text="L2H3").first.click()
    wait_for_app(page)
    expect(
        page.locator('[data-testid="stMetric"]').filter(has_text=EN["trained_model.pred.acc_off"])
    ).not_to_contain_text("–")
    assert "off23=1" in page.url
