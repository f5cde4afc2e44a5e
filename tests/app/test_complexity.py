"""Complexity page: the table with live counts, growth against n, path lengths, live timing."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping

import pytest
from streamlit.testing.v1 import AppTest

from attn_core import LAYERS, complexity, crossover_n
from tests.app.conftest import assert_ok, open_page
from tests.helpers import chart, link, link_params, move
from ui.i18n import catalog

PAGE = "app_pages/complexity/page.py"
ROWS = ("convolutional", "recurrent", "self_attention")


def open_complexity(query: Mapping[str, str] | None = None, lang: str = "en") -> AppTest:
    """Open the page as a browser opens its link (a new session with these parameters)."""
    return open_page(PAGE, query=query, lang=lang)


def counts(at: AppTest) -> dict[str, tuple[int, int, int]]:
    """The numbers in the cost table: (per layer, sequential, max path) by layer."""
    frame = at.table[0].value
    out = {}
    for layer, (_, row) in zip(ROWS, frame.iterrows(), strict=True):
        cells = [re.search(r"([\d,]+)$", str(row.iloc[j])).group(1) for j in (1, 2, 3)]
        out[layer] = tuple(int(c.replace(",", "")) for c in cells)
    return out


def assert_table_is_the_cores(at: AppTest, n: int, d: int, k: int) -> None:
    core = complexity(n, d, k)
    assert counts(at) == {
        layer: (core[layer].per_layer, core[layer].sequential, core[layer].max_path)
        for layer in ROWS
    }
    text = " ".join(lx.value for lx in at.latex)
    for layer in LAYERS:
        assert f"{core[layer].per_layer:,}".replace(",", "{,}") in text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_renders_in_both_languages_with_the_cores_counts(lang):
    at = open_complexity(lang=lang)
    assert_ok(at)
    assert at.title[0].value == catalog(lang)["complexity.title"]
    assert len(at.get("plotly_chart")) == 2  # operations, paths; timing waits for the button
    assert_table_is_the_cores(at, 100, 512, 3)
    names = [catalog(lang)[f"complexity.layer.{r}"] for r in ROWS]
    assert list(at.table[0].value.iloc[:, 0]) == names
    assert not at.warning


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_control(lang):
    at = open_complexity(lang=lang)
    move(at, "complexity", n=1000.0, d=64.0, k=5, pn=13, td=16.0, tn=128.0)
    assert_ok(at)
    assert_table_is_the_cores(at, 1000, 64, 5)
    for part in ("n=1000", "d=64", "k=5", "pn=13", "td=16", "tn=128"):
        assert part in link(at)
    # the crossovers drawn are the core's
    ops = chart(at, "complexity.fig_ops", raw=True)
    marks = next(tr for tr in ops["data"] if tr.get("marker", {}).get("symbol") == "x")
    assert sorted(marks["x"]) == sorted(crossover_n(64, 5).values())
    # the path picture's titles carry the core's path lengths
    paths = complexity(13, 2, 5)
    titles = [
        a["text"] for a in chart(at, "complexity.fig_path", raw=True)["layout"]["annotations"]
    ]
    assert str(paths["convolutional"].max_path) in titles[0]
    assert str(paths["recurrent"].max_path) in titles[1]
    # timing runs only on the button, then stays
    assert len(at.get("plotly_chart")) == 2
    at.button(key="complexity.run").click().run()
    assert_ok(at)
    timing = chart(at, "complexity.fig_timing", raw=True)
    measured = [tr for tr in timing["data"] if tr["mode"] == "lines+markers"]
    assert len(measured) == 3
    assert all(tr["x"] for tr in measured)
    at.slider(key="complexity.pn").set_value(5).run()  # an unrelated control: no new timing
    assert len(at.get("plotly_chart")) == 3
    assert not at.info  # results are for the current parameters
    at.slider(key="complexity.k").set_value(3).run()
    assert at.info  # k changed: the page says the results are from before


def when_caption(at: AppTest, lang: str = "en") -> str:
    head = catalog(lang)["complexity.timing.when"].split("{")[0]
    return next(c.value for c in at.caption if c.value.startswith(head))


def expected_when(lang: str, stamps: list[float], fresh: int) -> str:
    """The caption for points measured at ``stamps``, ``fresh`` of them for this run."""
    first, last = (
        time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(x)) for x in (stamps[0], stamps[-1])
    )
    span = first if first == last else f"{first} – {last}"
    return catalog(lang)["complexity.timing.when"].format(when=span, fresh=fresh, total=len(stamps))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_timing_results_are_cached_by_their_parameters_and_say_when_they_were_measured(lang):
    query = {"td": "16", "tn": "128", "k": "6" if lang == "en" else "7"}  # timed by no other test
    at = open_complexity(query=query, lang=lang)
    before = time.time()
    at.button(key="complexity.run").click().run()
    first = chart(at, "complexity.fig_timing", raw=True)["data"]
    run = at.session_state["complexity._timing"]
    stamps = sorted(x for v in run.measured_at.values() for x in v)
    assert len(stamps) == sum(len(v) for v in run.n.values()) >= 3
    assert before - 1 <= stamps[0] <= stamps[-1] <= time.time() + 1  # measured just now
    assert when_caption(at, lang) == expected_when(lang, stamps, len(stamps))
    time.sleep(1.1)  # a fresh measurement now would carry a later time
    again = open_complexity(query=query, lang=lang)  # another session, same parameters
    again.button(key="complexity.run").click().run()
    assert chart(again, "complexity.fig_timing", raw=True)["data"] == first
    replay = again.session_state["complexity._timing"]
    assert sorted(x for v in replay.measured_at.values() for x in v) == stamps
    # the page says the figure is the earlier measurement, shared, none of it timed now
    assert when_caption(again, lang) == expected_when(lang, stamps, 0)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_convolutions_path_is_named_as_the_exact_count_with_its_formula(lang):
    at = open_complexity(query={"n": "100", "k": "3"}, lang=lang)
    cell = at.table[0].value.iloc[0, 3]  # the convolution's maximum path length
    assert cell == catalog(lang)["complexity.col.exact"].format(
        big_o="O(n/k)", formula="⌈(n−1)/(k−1)⌉", value="50"
    )
    assert complexity(100, 512, 3)["convolutional"].max_path == 50  # ⌈99/2⌉


@pytest.mark.parametrize(
    ("query", "state"),
    [
        ({"n": "1e999"}, {"n": 100.0}),
        ({"n": "nan"}, {"n": 100.0}),
        ({"n": "123"}, {"n": 120.0}),
        ({"n": "10000000"}, {"n": 100_000.0}),
        ({"d": "-5"}, {"d": 2.0}),
        ({"k": "100"}, {"k": 16}),
        ({"k": "1"}, {"k": 2}),
        ({"pn": "0"}, {"pn": 2}),
        ({"td": "7"}, {"td": 16.0}),
        ({"tn": "99999"}, {"tn": 2048.0}),
        ({"k": "<script>alert(1)</script>"}, {"k": 3}),
        ({"n": "x" * 30_000}, {"n": 100.0}),
    ],
)
def test_hostile_links_are_clamped_with_a_notice(query, state):
    at = open_complexity(query=query)
    assert_ok(at)
    assert at.warning
    for name, value in state.items():
        assert at.session_state[f"complexity.{name}"] == value
    assert "<script>" not in link(at)


def test_largest_sizes_stay_exact():
    at = open_complexity(query={"n": "100000", "d": "4096", "k": "16"})
    assert_ok(at)
    assert_table_is_the_cores(at, 100_000, 4096, 16)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_presentation_mode_shows_one_section_and_next_moves_to_the_curves(lang):
    at = open_complexity(query={"pres": "1", "n": "1000", "d": "64", "k": "5"}, lang=lang)
    assert_ok(at)
    assert [h.value for h in at.header] == [catalog(lang)["complexity.table.title"]]
    assert not at.get("plotly_chart")  # the table alone
    assert_table_is_the_cores(at, 1000, 64, 5)
    at.button(key="complexity._sec_next").click().run()
    assert_ok(at)
    assert [h.value for h in at.header] == [catalog(lang)["complexity.growth.title"]]
    assert link_params(at)["sec"] == "2" and link_params(at)["k"] == "5"
    ops = chart(at, "complexity.fig_ops", raw=True)  # the curves of the same n, d, k
    marks = next(tr for tr in ops["data"] if tr.get("marker", {}).get("symbol") == "x")
    assert sorted(marks["x"]) == sorted(crossover_n(64, 5).values())
    assert not at.table  # section 1's table is not drawn
