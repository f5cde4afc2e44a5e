"""CNN vs self-attention in a real browser: upload a picture, pick a pixel, reruns, links."""

from pathlib import Path

import numpy as np
from PIL import Image
from playwright.sync_api import Page, expect

from tests.e2e import conftest as e2e

WAIT = 15_000  # ms; a loaded CI machine can take a while per run

PAGE = "/cnn-vs-attention"


def test_upload_a_picture_and_pick_a_pixel(page: Page, app_url: str, tmp_path: Path) -> None:
    # a 120 × 90 RGBA picture: two colours and a transparent corner
    rgba = np.zeros((90, 120, 4), dtype=np.uint8)
    rgba[..., 3] = 255
    rgba[:, :60, :3] = (200, 40, 40)
    rgba[:, 60:, :3] = (40, 40, 200)
    rgba[:10, :10, 3] = 0
    path = tmp_path / "two colours.png"
    Image.fromarray(rgba).save(path)

    e2e.open_app(page, f"{app_url}{PAGE}?img=upload&lang=en")
    expect(page.get_by_text("No picture uploaded yet")).to_be_visible(timeout=WAIT)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    e2e.wait_for_app(page)
    expect(page.get_by_text("Your picture: 64 × 48 pixels")).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("were placed on white")).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("reduced from 120 × 90 to 64 × 48")).to_be_visible(timeout=WAIT)
    info = page.locator('[data-testid="stMarkdownContainer"]').filter(has_text="Chosen pixel")
    expect(info).to_contain_text("row 9, column 9 of a 24 × 32 picture", timeout=WAIT)
    expect(info).to_contain_text("(200, 40, 40)")

    e2e.press_slider(page, "Column (from the left)", "End")  # the last column is blue
    expect(info).to_contain_text("column 31", timeout=WAIT)
    expect(info).to_contain_text("(40, 40, 200)")
    expect(page.locator('[data-testid="stException"]')).to_have_count(0, timeout=WAIT)
    # the upload stays in this session only: the link says so
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar).to_contain_text("not in it: img", timeout=WAIT)


def test_a_shared_link_reopens_the_same_view(page: Page, app_url: str) -> None:
    query = "img=stripes&size=24&row=4&col=20&alpha=50&kernel=0,1,0;1,-4,1;0,1,0&lang=zh"
    e2e.open_app(page, f"{app_url}{PAGE}?{query}")
    info = page.locator('[data-testid="stMarkdownContainer"]').filter(has_text="选中的像素")
    expect(info).to_contain_text("第 4 行、第 20 列", timeout=WAIT)
    expect(info).to_contain_text("24 × 24", timeout=WAIT)
    expect(page.locator('[data-testid="stPlotlyChart"]')).to_have_count(9, timeout=WAIT)
    share = page.locator('[data-testid="stSidebar"] [data-testid="stCode"]')
    for part in ("img=stripes", "size=24", "row=4", "col=20", "alpha=50", "kernel=0,1,0;1,-4,1"):
        expect(share).to_contain_text(part, timeout=WAIT)
    error = page.locator('[data-testid="stMetric"]').filter(has_text="最大的 |注意力 − 卷积|")
    value = error.locator('[data-testid="stMetricValue"]').inner_text()
    assert float(value) < 1e-9


def test_a_move_reruns_only_the_sections_that_read_it_and_the_link_reopens_the_view(
    page: Page, counted_url: str
) -> None:
    e2e.open_app(page, f"{counted_url}{PAGE}?lang=en&size=64&img=cat")
    before = e2e.section_runs(page)
    every = {"picture", "cnn", "attention", "static", "construction", "published"}
    assert set(before) == every
    e2e.press_slider(page, "Sharpness α", "ArrowRight")  # the construction alone
    assert e2e.reruns_after(page, before) == {"construction": 1}
    before = e2e.section_runs(page)
    e2e.press_slider(page, "Local window", "ArrowRight")  # the local map alone
    assert e2e.reruns_after(page, before) == {"attention": 1}
    before = e2e.section_runs(page)
    e2e.press_slider(page, "Number of layers", "ArrowRight")  # the CNN's stack alone
    assert e2e.reruns_after(page, before) == {"cnn": 1}
    before = e2e.section_runs(page)
    e2e.press_slider(page, "Temperature τ", "ArrowRight")  # also the dynamic weights of section 4
    assert e2e.reruns_after(page, before) == {"attention": 1, "static": 1}
    before = e2e.section_runs(page)
    page.get_by_role("button", name="Sharpen").click()  # the kernel: section 4 and its rebuild
    assert e2e.reruns_after(page, before) == {"static": 1, "construction": 1}
    before = e2e.section_runs(page)
    e2e.press_slider(page, "Column (from the left)", "ArrowRight")  # the pixel: all but the papers
    assert e2e.reruns_after(page, before) == dict.fromkeys(every - {"published"}, 1)

    link = e2e.share_link(page)
    for part in ("img=cat", "size=64", "col=10", "alpha=2.5", "window=9", "tau=0.06"):
        assert part in link, part
    assert "layers=3,1,1;3,1,1;3,1,1;3,1,1" in link and "kernel=" in link
    fresh = page.context.new_page()
    e2e.open_app(fresh, link)
    for locate in (
        lambda p: p.locator('[data-testid="stMarkdownContainer"]').filter(has_text="Chosen pixel"),
        lambda p: p.locator('[data-testid="stTable"]').first,
        lambda p: p.locator('[data-testid="stMetric"]').filter(has_text="attention − conv"),
        lambda p: p.locator('[data-testid="stCaptionContainer"]').filter(has_text="Sharpen"),
    ):
        expect(locate(fresh)).to_be_visible(timeout=WAIT)
        assert locate(fresh).inner_text() == locate(page).inner_text()
    fresh.close()
