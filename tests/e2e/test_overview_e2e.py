"""Overview in a real browser: open by URL, switch language, move a slider, open a shared link."""

import re

from playwright.sync_api import Page, expect

from tests.e2e import conftest as e2e


def context_title(page: Page) -> str:
    # the third panel's title of the steps figure (a subplot title, drawn as SVG text)
    return page.locator("svg text").filter(has_text=re.compile(r"c = ")).first.text_content()


def test_open_by_url_and_switch_language(page: Page, app_url: str):
    e2e.open_app(page, app_url + "/?lang=en")
    expect(page.locator("h1")).to_contain_text("Overview")
    page.locator('[data-testid="stSidebar"] button').filter(has_text="中文").click()
    e2e.wait_for_app(page)
    expect(page.locator("h1")).to_contain_text("总览")
    assert "lang=zh" in page.url


def test_moving_the_query_slider_changes_the_context(page: Page, app_url: str):
    e2e.open_app(page, app_url + "/?lang=en")
    before = context_title(page)
    e2e.press_slider(page, "Query: sour", "End")
    # the run may start a moment after the key press on a busy machine: wait for the change
    title = page.locator("svg text").filter(has_text=re.compile(r"c = ")).first
    expect(title).not_to_have_text(before)
    expect(page.locator('[data-testid="stSidebar"] [data-testid="stCode"]')).to_contain_text(
        "sour=2"
    )


def test_shared_link_reopens_the_same_state(page: Page, app_url: str):
    e2e.open_app(page, app_url + "/?lang=en")
    e2e.press_slider(page, "Query: sweet", "Home")
    page.get_by_text("read", exact=True).click()
    e2e.wait_for_app(page)
    link = e2e.share_link(page)
    title = context_title(page)
    fresh = page.context.new_page()
    e2e.open_app(fresh, link)
    assert context_title(fresh) == title
    assert "sweet=-2" in fresh.url and "intent=read" in fresh.url
    fresh.close()


def test_hostile_link_shows_a_notice_not_an_error(page: Page, app_url: str):
    e2e.open_app(page, app_url + "/?tau=1e999&sweet=%3Cscript%3Ealert(1)%3C/script%3E")
    expect(page.locator('[data-testid="stAlertContentWarning"]').first).to_be_visible()
    expect(page.locator("h1")).to_be_visible()


def winner(page: Page) -> str:
    return page.locator('[data-testid="stAlertContentSuccess"]').first.inner_text()


def test_a_move_reruns_only_its_group_and_the_link_reopens_the_view(page: Page, counted_url: str):
    e2e.open_app(page, counted_url + "/?lang=en")
    before = e2e.section_runs(page)
    assert set(before) == {"steps", "plane", "walkthrough", "cues", "pages_map"}
    page.get_by_text("write", exact=True).click()  # the cue toy: its own fragment
    assert e2e.reruns_after(page, before) == {"cues": 1}
    expect(page.locator('[data-testid="stAlertContentSuccess"]').first).to_contain_text("pen")
    before = e2e.section_runs(page)
    e2e.press_slider(page, "Query: sour", "End")  # the fruit toy: its steps and its plane together
    assert e2e.reruns_after(page, before) == {"steps": 1, "plane": 1}
    link = e2e.share_link(page)
    assert "intent=write" in link and "sour=2" in link
    title, cue = context_title(page), winner(page)
    fresh = page.context.new_page()
    e2e.open_app(fresh, link)
    assert context_title(fresh) == title  # c = … of the same query
    assert winner(fresh) == cue
    fresh.close()


def test_presentation_arrow_keys_move_the_steps_whose_labels_stay_readable(
    page: Page, app_url: str
):
    """The step-through on a projector (zh): → moves its steps (not the sections), the step
    is in the link, and no step's figure has a label cut off or run into another."""
    from tests.e2e.test_labels_e2e import label_problems
    from ui.i18n import catalog

    zh = catalog("zh")
    page.set_viewport_size({"width": 1280, "height": 720})
    e2e.open_app(page, app_url + "/?lang=zh&pres=1&sec=3")
    bar = page.get_by_text(zh["app.step.of"].format(i=1, n=5))
    expect(bar).to_be_visible()
    problems = []
    for step in range(1, 6):
        expect(page.get_by_text(zh["app.step.of"].format(i=step, n=5))).to_be_visible()
        _, found = label_problems(page)
        problems += [f"step {step}: {p}" for p in found]
        if step < 5:
            page.locator("body").press("ArrowRight")
            e2e.wait_for_app(page)
    assert problems == [], problems[:20]
    link = e2e.share_link(page)
    assert "step=5" in link and "sec=3" in link  # still the same section, its last step
    expect(page.get_by_text(zh["overview.walk.title"])).to_be_visible()
