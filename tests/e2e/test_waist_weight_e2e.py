"""Waist → weight in a real browser: uploads good and bad, a shared link, the query slider,
a move that reruns only its fragment."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import numpy as np
from playwright.sync_api import Page, expect

from app_pages.waist_weight import data as kd
from attn_core import nadaraya_watson
from tests.e2e import conftest as e2e

GOOD_CSV = "腰围（厘米）,体重（千克）\n56,43\n58,48\n64,58\n72,61\n85,80\n"
BAD_CSV = "waist,weight\n56,43\n58,heavy\n0,50\n"


def guess(page: Page) -> str:
    return page.locator('[data-testid="stMetricValue"]').first.inner_text().strip()


def expected_guess(data: np.ndarray, q: float, kernel: str = "gaussian", h: float = 5.0) -> str:
    pred = nadaraya_watson([q], data[:, 0], data[:, 1], kernel, h).prediction[0]
    return f"{pred:.2f} kg"


def upload(page: Page, path: Path) -> None:
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    e2e.wait_for_app(page)


def test_upload_a_good_csv_then_a_bad_one(page: Page, app_url: str, tmp_path: Path):
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(GOOD_CSV, encoding="utf-8")
    bad.write_text(BAD_CSV, encoding="utf-8")
    e2e.open_app(page, app_url + "/waist-weight?lang=en")
    upload(page, good)
    expect(page.get_by_text("Loaded 5 people from good.csv")).to_be_visible(
        timeout=e2e.RUN_TIMEOUT_MS
    )
    data = kd.parse_csv(GOOD_CSV.encode()).data
    expect(page.locator('[data-testid="stMetricValue"]').first).to_have_text(
        expected_guess(data, 57.0), timeout=e2e.RUN_TIMEOUT_MS
    )
    assert "data=56,43;58,48;64,58;72,61;85,80" in e2e.share_link(page)
    upload(page, bad)
    alert = page.locator('[data-testid="stAlertContentError"]').filter(has_text="bad.csv")
    expect(alert).to_contain_text("was not loaded", timeout=e2e.RUN_TIMEOUT_MS)
    expect(alert).to_contain_text("Line 3")  # “heavy” is not a number
    expect(alert).to_contain_text("Line 4")  # waist 0 is implausible
    # the previous (good) table is still the one in use
    assert guess(page) == expected_guess(data, 57.0)
    assert "data=56,43;58,48;64,58;72,61;85,80" in e2e.share_link(page)


def test_a_shared_link_reopens_the_same_state_then_the_query_moves(page: Page, app_url: str):
    query = "data=56,43;58,48;66,55;80,70&q=62&kernel=epanechnikov&h=6&lang=zh"
    e2e.open_app(page, app_url + "/waist-weight?" + query)
    data = np.array([[56, 43], [58, 48], [66, 55], [80, 70]], dtype=float)
    expected = expected_guess(data, 62.0, "epanechnikov", 6.0).replace("kg", "千克")
    assert guess(page) == expected
    expect(page.locator("h1").first).to_contain_text("腰围")
    link = e2e.share_link(page)
    for part in ("data=56,43;58,48;66,55;80,70", "q=62", "kernel=epanechnikov", "h=6"):
        assert part in link
    e2e.press_slider(page, "查询", "ArrowRight")
    moved = expected_guess(data, 62.5, "epanechnikov", 6.0).replace("kg", "千克")
    expect(page.locator('[data-testid="stMetricValue"]').first).to_have_text(
        moved, timeout=e2e.RUN_TIMEOUT_MS
    )
    assert "q=62.5" in e2e.share_link(page)


QUERY_GROUP = {"query_section": 1, "heatmap": 1, "example": 1}
TABLE_AND_AFTER = {"dataset": 1, **QUERY_GROUP}


def test_a_move_reruns_only_its_fragment_and_the_link_reopens_the_view(
    page: Page, counted_url: str
):
    e2e.open_app(page, counted_url + "/waist-weight?lang=en&kernel=epanechnikov&h=8")
    before = e2e.section_runs(page)
    assert set(before) == {"pair", *TABLE_AND_AFTER}
    e2e.press_slider(page, "Query", "ArrowRight", times=3)  # 57 → 58.5: the query's fragment
    data = kd.default_dataset()
    expect(page.locator('[data-testid="stMetricValue"]').first).to_have_text(
        expected_guess(data, 58.5, "epanechnikov", 8.0), timeout=e2e.RUN_TIMEOUT_MS
    )
    runs = e2e.reruns_after(page, before)
    assert set(runs) == set(QUERY_GROUP), runs  # neither the seed pair nor the table
    before = e2e.section_runs(page)
    table = page.locator('[data-testid="stDataFrame"]').first  # above the slider: bring it
    table.evaluate("e => e.scrollIntoView({block: 'center'})")  # clear of the sticky header
    e2e.edit_first_cell(page, "54")  # the table reruns itself and the sections that read it
    assert e2e.reruns_after(page, before) == TABLE_AND_AFTER
    edited = np.array(data)
    edited[0, 0] = 54.0
    expect(page.locator('[data-testid="stMetricValue"]').first).to_have_text(
        expected_guess(edited, 58.5, "epanechnikov", 8.0), timeout=e2e.RUN_TIMEOUT_MS
    )
    link = e2e.share_link(page)
    for part in ("q=58.5", "kernel=epanechnikov", "h=8", "data=54,43;"):
        assert part in link and part in unquote(page.url)  # the sidebar's link and the address
    fresh = page.context.new_page()
    e2e.open_app(fresh, link)
    assert guess(fresh) == guess(page) == expected_guess(edited, 58.5, "epanechnikov", 8.0)
    expect(fresh.locator('[data-testid="stSlider"]').filter(has_text="Query")).to_contain_text(
        "58.5"
    )
    fresh.close()


def test_a_large_tables_fit_runs_in_its_fragment_with_a_progress_bar(
    page: Page, counted_url: str, tmp_path: Path
):
    rng = np.random.default_rng(3)
    waist = rng.uniform(55, 110, 400).round(1)
    rows = [f"{w:g},{0.9 * w + rng.normal(0, 4):.1f}" for w in waist]
    big = tmp_path / "big.csv"
    big.write_text("waist,weight\n" + "\n".join(rows) + "\n", encoding="utf-8")
    e2e.open_app(page, counted_url + "/waist-weight?lang=en&method=parametric&epochs=400")
    upload(page, big)
    expect(page.get_by_text("Loaded 400 people from big.csv")).to_be_visible(
        timeout=e2e.RUN_TIMEOUT_MS
    )
    before = e2e.section_runs(page)
    page.get_by_role("button", name="Fit w (400 people, 400 epochs").click()
    bar = page.locator('[data-testid="stProgress"]')
    expect(bar).to_contain_text("Fitting w… epoch", timeout=e2e.RUN_TIMEOUT_MS)  # while it runs
    expect(bar).to_contain_text("w fitted in 400 epochs", timeout=60_000)  # kept, full
    e2e.wait_for_app(page)
    assert e2e.reruns_after(page, before) == QUERY_GROUP  # the button's fragment only
    assert page.locator('[data-testid="stPlotlyChart"]').count() == 4  # + the loss curve
