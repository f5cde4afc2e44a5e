"""Waist → weight page: every control and method in both languages, the table, the link."""

from __future__ import annotations

import re

import numpy as np
import pytest

from app_pages.waist_weight import data as kd
from attn_core import average_pooling, fit_bandwidth, nadaraya_watson, nw_parametric
from tests import helpers
from tests.app.conftest import assert_ok, open_page
from tests.helpers import decode, edit, link, move
from ui.i18n import catalog

PAGE = "app_pages/waist_weight/page.py"
DATA = kd.default_dataset()
KEYS, VALUES = DATA[:, 0], DATA[:, 1]
EN, ZH = catalog("en"), catalog("zh")


def chart(at, key: str) -> dict:
    """The chart's spec with its arrays as lists (so that its parts compare with ``==``)."""
    return decode(helpers.chart(at, key, raw=True), lists=True)


def trace(at, key: str, meta: str) -> dict:
    return next(t for t in chart(at, key)["data"] if t.get("meta") == meta)


def shown_texts(at) -> list[str]:
    return (
        [m.value for m in at.markdown]
        + [c.value for c in at.caption]
        + [m.value for m in at.metric]
        + [w.value for w in at.warning]
        + [i.value for i in at.info]
        + [e.value for e in at.error]
        + [x.value for x in at.latex]
    )


def metric_kg(at) -> float:
    return float(at.metric[0].value.split()[0])


def grid_of(keys) -> np.ndarray:
    lo, hi = kd.query_range(keys)
    return np.linspace(lo, hi, 401)


def check_against_core(at, expected, keys=KEYS) -> None:
    """The shown guess, the curve and the bars equal the core's for the same inputs."""
    q = float(at.slider(key="waist_weight.q").value)
    r = expected(np.concatenate([[q], grid_of(keys)]))
    assert metric_kg(at) == pytest.approx(round(float(r.prediction[0]), 2))
    curve = np.array(trace(at, "waist_weight.curve", "curve")["y"], dtype=float)
    np.testing.assert_allclose(curve, r.prediction[1:], rtol=1e-12)
    bars = chart(at, "waist_weight.bars")["data"][0]["y"]
    _, inverse = np.unique(keys, return_inverse=True)
    np.testing.assert_allclose(bars, np.bincount(inverse, r.weights[0]), atol=1e-12)


# --- renders, every method, both languages -------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_method_and_kernel_equals_the_core_in_both_languages(lang):
    at = open_page(PAGE, query={"q": "63"}, lang=lang)
    assert_ok(at)
    names = catalog(lang)
    assert at.title[0].value == names["waist_weight.title"]
    assert len(at.get("plotly_chart")) == 3
    assert any(x.value.endswith("= 45.5\n$$") for x in at.latex)  # the seed pair, computed
    check_against_core(at, lambda q: nadaraya_watson(q, KEYS, VALUES, "gaussian", 5.0))
    for kernel in ("boxcar", "epanechnikov", "gaussian"):
        at.selectbox(key="waist_weight.kernel").set_value(kernel).run()
        at.select_slider(key="waist_weight.h").set_value(8.0).run()
        assert_ok(at)
        check_against_core(
            at, lambda q, kernel=kernel: nadaraya_watson(q, KEYS, VALUES, kernel, 8.0)
        )
    at.radio(key="waist_weight.method").set_value("average").run()
    assert_ok(at)
    check_against_core(at, lambda q: average_pooling(q, VALUES))
    at.radio(key="waist_weight.method").set_value("parametric").run()
    assert_ok(at)
    w = fit_bandwidth(KEYS, VALUES, lr=1.0, epochs=50).w
    check_against_core(at, lambda q: nw_parametric(q, KEYS, VALUES, w))
    assert len(at.get("plotly_chart")) == 4  # + the loss curve
    assert names["waist_weight.method.parametric"] in at.metric[0].label
    for text in shown_texts(at):
        assert "nan" not in text.lower().replace("nanometre", "")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_control_is_kept_in_the_link(lang):
    at = open_page(PAGE, lang=lang)
    move(at, "waist_weight", q=70.5, kernel="epanechnikov", h=2.5)  # Nadaraya–Watson
    move(at, "waist_weight", method="parametric", lr=3.0, epochs=120)  # the parametric fit
    assert_ok(at)
    for part in (
        "q=70.5",
        "kernel=epanechnikov",
        "h=2.5",
        "method=parametric",
        "lr=3",
        "epochs=120",
    ):
        assert part in link(at)
    # switching methods away and back keeps every value
    at.radio(key="waist_weight.method").set_value("average").run()
    at.radio(key="waist_weight.method").set_value("nw").run()
    assert "lr=3" in link(at) and "epochs=120" in link(at) and "h=2.5" in link(at)
    assert at.session_state["waist_weight.kernel"] == "epanechnikov"


# --- the fit -----------------------------------------------------------------------------------


def test_fit_converges_is_shown_and_does_not_rerun_on_a_slider_move():
    at = open_page(PAGE, query={"method": "parametric", "lr": "3", "epochs": "80"})
    assert_ok(at)
    expected = fit_bandwidth(KEYS, VALUES, lr=3.0, epochs=80)
    assert expected.loss_history[-1] < 0.5 * expected.loss_history[0]  # the loss falls
    loss = chart(at, "waist_weight.loss")["data"][0]["y"]
    np.testing.assert_allclose(loss, expected.loss_history)
    assert any(f"w = {expected.w:.4f}" in m.value for m in at.markdown)
    cache = at.session_state["_waist_weight.fits"]
    assert len(cache) == 1
    fit_before = next(iter(cache.values()))[0]
    for q in (60.0, 75.0, 90.0):
        at.slider(key="waist_weight.q").set_value(q).run()
    cache = at.session_state["_waist_weight.fits"]
    assert len(cache) == 1 and next(iter(cache.values()))[0] is fit_before
    at.slider(key="waist_weight.epochs").set_value(81).run()
    assert len(at.session_state["_waist_weight.fits"]) == 2


def test_fit_on_the_default_data_takes_well_under_a_few_seconds():
    import time

    start = time.perf_counter()
    fit = fit_bandwidth(KEYS, VALUES, lr=1.0, epochs=500)
    assert time.perf_counter() - start < 3.0
    assert fit.loss_history[-1] < fit.loss_history[0]


# --- uncovered queries ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_query_no_key_reaches_is_explained_without_nan(lang):
    at = open_page(PAGE, query={"q": "100", "kernel": "boxcar", "h": "0.5"}, lang=lang)
    assert_ok(at)
    names = catalog(lang)
    assert at.metric[0].value == names["waist_weight.prediction.none"]
    assert at.warning, "the page says no key is within reach"
    assert at.info, "the page lists the gaps of the curve"
    for text in shown_texts(at):
        assert "nan" not in text.lower()
    curve = trace(at, "waist_weight.curve", "curve")["y"]
    assert None in curve and any(y is not None for y in curve)
    assert all(t.get("meta") != "query" for t in chart(at, "waist_weight.curve")["data"])
    assert names["waist_weight.heatmap.grey"] in [c.value for c in at.caption]
    # the worked example names uncovered rows in words
    table = next(m.value for m in at.markdown if m.value.startswith("|"))
    assert names["waist_weight.example.none"] in table


# --- the table -----------------------------------------------------------------------------


def test_edit_add_and_delete_rows_change_everything():
    at = open_page(PAGE)
    edit(
        at,
        "waist_weight.data",
        edited={1: {"weight": 50.0}},
        added=[{"waist": 60.0, "weight": 49.0}],
        deleted=[11],
    )
    assert_ok(at)
    data = at.session_state["waist_weight.data"]
    expected = np.vstack([DATA[:11], [[60.0, 49.0]]])
    expected[1, 1] = 50.0
    np.testing.assert_array_equal(data, expected)
    assert "data=56,43;58,50;" in link(at) and "60,49" in link(at) and "95,86" not in link(at)
    check_against_core(
        at,
        lambda q: nadaraya_watson(q, data[:, 0], data[:, 1], "gaussian", 5.0),
        keys=data[:, 0],
    )


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"edited": {1: {"waist": 0.0}}}, "Row 2"),
        ({"edited": {3: {"weight": 10000.0}}}, "Row 4"),
        ({"edited": {0: {"waist": None}}}, "Row 1"),
        ({"added": [{"waist": 70.0}]}, "Row 13"),
        ({"deleted": list(range(11))}, "at least 2"),
        ({"edited": {1: {"waist": 0.0}}, "lang": "zh"}, "第 2 行"),
    ],
)
def test_bad_table_keeps_the_last_good_data_and_says_why(change, words):
    at = open_page(PAGE, lang=change.get("lang", "en"))
    before = metric_kg(at)
    edit(at, "waist_weight.data", **{k: v for k, v in change.items() if k != "lang"})
    assert_ok(at)
    np.testing.assert_array_equal(at.session_state["waist_weight.data"], DATA)
    assert metric_kg(at) == before
    assert at.error and words in at.error[0].value
    assert "12 people" in at.error[0].value or "12 人" in at.error[0].value


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_reset_brings_back_the_toy_table(lang):
    at = open_page(PAGE, lang=lang)
    edit(at, "waist_weight.data", deleted=[0, 1, 2])
    assert len(at.session_state["waist_weight.data"]) == 9
    at.button(key="waist_weight.reset").click().run()
    assert_ok(at)
    np.testing.assert_array_equal(at.session_state["waist_weight.data"], DATA)
    assert "data=" not in link(at)


def test_edits_survive_presentation_mode_and_a_language_switch():
    at = open_page(PAGE)
    edit(at, "waist_weight.data", edited={0: {"waist": 54.0}})
    at.sidebar.toggle[0].set_value(True).run()
    assert_ok(at)
    assert at.expander, "presentation mode folds explanations"
    at.session_state["app.lang"] = "zh"
    at.run()
    assert_ok(at)
    assert at.session_state["waist_weight.data"][0, 0] == 54.0
    assert at.title[0].value == ZH["waist_weight.title"]
    assert "data=54,43;" in link(at)


def test_a_large_table_stays_out_of_the_link_and_is_fitted_on_a_button():
    at = open_page(PAGE, query={"method": "parametric"})
    rng = np.random.default_rng(0)
    waist = rng.uniform(55, 110, 150).round(1)
    big = np.stack([waist, (0.9 * waist + rng.normal(0, 4, 150)).round(1)], axis=1)
    at.session_state["waist_weight.data"] = big
    at.session_state["_editor.version.waist_weight.data"] = 7  # as after an upload: a fresh editor
    at.run()
    assert_ok(at)
    assert "data=" not in link(at)
    assert any("data" in c.value for c in at.sidebar.caption)  # “too large for a link: data”
    assert any("150 rows" in c.value for c in at.caption)
    assert at.info, "not fitted yet, said so"
    assert len(at.session_state["_waist_weight.fits"]) == 1  # only the default table's fit
    at.button(key="waist_weight.fit").click().run()
    assert_ok(at)
    assert len(at.session_state["_waist_weight.fits"]) == 2
    w = fit_bandwidth(big[:, 0], big[:, 1], lr=1.0, epochs=50).w
    check_against_core(at, lambda q: nw_parametric(q, big[:, 0], big[:, 1], w), keys=big[:, 0])


# --- links -------------------------------------------------------------------------------------


def test_a_shared_link_reopens_the_same_table_and_state():
    small = "56,43;58,48;66,55;80,70"
    at = open_page(
        PAGE, query={"data": small, "q": "62", "kernel": "epanechnikov", "h": "6"}, lang="zh"
    )
    assert_ok(at)
    data = at.session_state["waist_weight.data"]
    np.testing.assert_array_equal(data, [[56, 43], [58, 48], [66, 55], [80, 70]])
    check_against_core(
        at,
        lambda q: nadaraya_watson(q, data[:, 0], data[:, 1], "epanechnikov", 6.0),
        keys=data[:, 0],
    )
    assert f"data={small}" in link(at)


def test_the_worked_example_table_is_computed():
    at = open_page(PAGE, query={"h": "3"})
    table = next(m.value for m in at.markdown if m.value.startswith("|"))
    assert f"{float(np.mean(VALUES)):.2f} kg" in table
    for kernel in ("gaussian", "boxcar", "epanechnikov"):
        pred = nadaraya_watson([57.0], KEYS, VALUES, kernel, 3.0).prediction[0]
        assert f"{pred:.2f} kg" in table
    assert "45.50 kg" in table  # boxcar and Epanechnikov with h = 3 reach only 56 and 58


def test_a_query_outside_the_data_range_is_moved_and_said():
    at = open_page(PAGE, query={"q": "250"})
    assert_ok(at)
    _, hi = kd.query_range(KEYS)
    assert at.slider(key="waist_weight.q").value == hi
    assert any("250" in c.value for c in at.caption)


HOSTILE = [
    {
        "data": "<script>alert(1)</script>",
        "q": "1e999",
        "method": "'; DROP TABLE",
        "kernel": "<b>x</b>",
    },
    {"data": ";".join(["56,43"] * 101), "h": "-1", "lr": "abc", "epochs": "1e9"},
    {"data": "56," * 40_000, "q": "nan", "h": "7", "epochs": "2.5"},
    {"data": "0,43;58,48", "lr": "1e-300", "method": ""},
    {"data": "56,43", "q": "-57"},
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_links_are_refused_with_notices(query):
    at = open_page(PAGE, query=query)
    assert_ok(at)
    assert at.warning, "every refused value is named in a notice"
    np.testing.assert_array_equal(at.session_state["waist_weight.data"], DATA)
    text = link(at)
    assert "<" not in text and "DROP" not in text and "1e999" not in text
    assert len(text) < 2_000
    for warning in at.warning:
        assert not re.search(r"(?<!\\)<(script|b>)", warning.value)  # only escaped, as text


# --- what is typed is what is computed; every change is said -------------------------------


def test_a_typed_weight_keeps_every_digit_and_travels_in_the_link():
    at = open_page(PAGE)
    edit(at, "waist_weight.data", edited={0: {"weight": 43.123}})
    assert_ok(at)
    assert at.session_state["waist_weight.data"][0, 1] == 43.123
    assert "data=56,43.123;" in link(at)
    again = open_page(PAGE, query={"data": link(at).split("data=")[1].split("&")[0]})
    assert again.session_state["waist_weight.data"][0, 1] == 43.123


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_500_cm_typed_is_refused_naming_the_typed_and_the_used_value(lang):
    at = open_page(PAGE, lang=lang)
    edit(at, "waist_weight.data", edited={1: {"waist": 500.0}})
    assert_ok(at)
    np.testing.assert_array_equal(at.session_state["waist_weight.data"], DATA)  # nothing clamped
    message = at.error[0].value
    unit = catalog(lang)["waist_weight.unit.waist"]
    assert f"500 {unit}" in message
    assert f"{DATA[1, 0]:g} {unit}" in message.split("500")[1]  # what row 2 still has


def test_an_upload_names_the_blank_lines_it_left_out():
    at = open_page(PAGE)
    raw = b"waist,weight\n56,43\n\n58,48\n\n70,60.25\n"
    at.file_uploader[0].set_value(("people.csv", raw, "text/csv")).run()
    assert_ok(at)
    np.testing.assert_array_equal(
        at.session_state["waist_weight.data"], [[56, 43], [58, 48], [70, 60.25]]
    )
    captions = " ".join(c.value for c in at.caption)
    assert "2 blank lines" in captions and "lines 3, 5" in captions


def progress_bars(at) -> list:
    return list(at.get("progress"))


def test_a_short_fit_shows_no_bar_and_a_long_fit_shows_its_progress():
    at = open_page(PAGE, query={"method": "parametric", "epochs": "60"})
    assert_ok(at)
    fit_s = next(iter(at.session_state["_waist_weight.fits"].values()))[1]
    assert fit_s < 0.3 and not progress_bars(at)  # the default table: a few ms, a caption
    rng = np.random.default_rng(1)
    waist = rng.uniform(55, 110, 1_000).round(1)
    big = np.stack([waist, (0.9 * waist + rng.normal(0, 4, 1_000)).round(1)], axis=1)
    at.session_state["waist_weight.data"] = big
    at.session_state["_editor.version.waist_weight.data"] = 7  # as after an upload
    at.run()
    at.button(key="waist_weight.fit").click().run()  # a large table is fitted on the button
    assert_ok(at)
    fit_s = at.session_state["_waist_weight.fits"][(kd.digest(big), 1.0, 60)][1]
    assert fit_s >= 0.3, f"the fit took {fit_s:.2f} s: not a long fit"
    bars = progress_bars(at)
    assert len(bars) == 1 and bars[0].value == 100
    assert "60" in bars[0].proto.text and f"{fit_s:.1f}" in bars[0].proto.text


# --- presentation mode: one section at a time -------------------------------------------------


def test_presentation_mode_shows_one_section_and_next_moves_on():
    at = open_page(PAGE, query={"pres": "1", "q": "63", "kernel": "boxcar", "h": "8"})
    assert_ok(at)
    assert [h.value for h in at.header] == [EN["waist_weight.pair.title"]]
    assert at.get("plotly_chart") == [] and not at.dataframe
    at.button(key="waist_weight._sec_next").click().run()
    assert_ok(at)
    assert [h.value for h in at.header] == [EN["waist_weight.data.title"]]
    assert len(at.dataframe) == 1 and at.get("plotly_chart") == []
    assert "sec=2" in link(at) and "q=63" in link(at) and "kernel=boxcar" in link(at)
    at.button(key="waist_weight._sec_next").click().run()
    assert_ok(at)
    assert [h.value for h in at.header] == [EN["waist_weight.method.title"]]
    assert "sec=3" in link(at)
    # drawn from the bound state alone: the same numbers as the core's
    check_against_core(at, lambda q: nadaraya_watson(q, KEYS, VALUES, "boxcar", 8.0))


@pytest.mark.parametrize("sec", ["4", "5"])
def test_a_later_section_alone_uses_the_fitted_sharpness(sec):
    at = open_page(PAGE, query={"pres": "1", "sec": sec, "method": "parametric", "epochs": "40"})
    assert_ok(at)
    assert len(at.header) == 1
    w = fit_bandwidth(KEYS, VALUES, lr=1.0, epochs=40).w
    if sec == "4":
        z = np.array(chart(at, "waist_weight.heatmap")["data"][0]["z"], dtype=float)
        lo, hi = kd.query_range(KEYS)
        order = np.argsort(KEYS, kind="stable")
        want = nw_parametric(kd.query_grid(lo, hi), KEYS, VALUES, w).weights[:, order]
        np.testing.assert_allclose(z, want, atol=1e-12)
    else:
        table = next(m.value for m in at.markdown if m.value.startswith("|"))
        pred = nw_parametric([57.0], KEYS, VALUES, w).prediction[0]
        assert f"{w:.4f}" in table and f"{pred:.2f} kg" in table


# --- predict, then reveal: the prediction at the query ---------------------------------------


def prediction_at(q: float, kernel: str = "gaussian", h: float = 5.0):
    return nadaraya_watson([q], KEYS, VALUES, kernel, h)


def test_guess_first_hides_the_prediction_and_the_guess_travels_in_the_link():
    at = open_page(PAGE, query={"q": "57"})
    at.toggle(key="waist_weight.guess").set_value(True).run()
    assert_ok(at)
    assert not at.metric, "the prediction is hidden while guessing"
    assert "waist_weight.curve" not in helpers.chart_keys(at)
    assert EN["waist_weight.guess.hidden"] in [i.value for i in at.info]  # the table at 57 too
    number = at.number_input(key="waist_weight._guess_number")
    assert number.value is None
    number.set_value(50.0).run()
    assert_ok(at)
    params = helpers.link_params(at)
    assert params["guess"] == "1" and params["g"] == "50"
    again = open_page(PAGE, query=params)  # the shared link poses the same question
    assert_ok(again)
    assert again.number_input(key="waist_weight._guess_number").value == 50.0
    assert not again.metric and "waist_weight.curve" not in helpers.chart_keys(again)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_reveal_shows_the_guess_the_prediction_and_their_errors(lang):
    at = open_page(
        PAGE,
        query={"q": "63", "kernel": "epanechnikov", "h": "8", "guess": "1", "g": "55.5"},
        lang=lang,
    )
    assert_ok(at)
    at.button(key="waist_weight._guess_reveal").click().run()
    assert_ok(at)
    r = prediction_at(63.0, "epanechnikov", 8.0)
    pred, alpha = float(r.prediction[0]), r.weights[0]
    unit = catalog(lang)["waist_weight.unit.weight"]
    yours, answer, error = at.metric[0], at.metric[1], at.metric[2]
    assert yours.value == f"55.5 {unit}"
    assert answer.value == f"{pred:.4g} {unit}"
    assert error.value == f"{abs(55.5 - pred):.4g} {unit}"
    assert error.proto.delta == f"{abs(55.5 - pred) / pred:.1%}"
    assert float(at.metric[3].value.split()[0]) == pytest.approx(round(pred, 2))  # the page
    i, j = np.argsort(-alpha, kind="stable")[:2]
    why = next(m.value for m in at.markdown if f"α = {alpha[i]:.3f}" in m.value)
    assert f"{KEYS[i]:g}" in why and f"{KEYS[j]:g}" in why and f"α = {alpha[j]:.3f}" in why
    assert f"{pred:.2f}" in why and f"{alpha[i] + alpha[j]:.0%}" in why
    assert "rev=1" in link(at)


def test_a_key_reaching_alone_is_explained_with_one_key():
    at = open_page(
        PAGE, query={"q": "59", "kernel": "boxcar", "h": "1", "guess": "1", "g": "47", "rev": "1"}
    )
    assert_ok(at)
    r = prediction_at(59.0, "boxcar", 1.0)
    assert np.count_nonzero(r.weights[0]) == 1  # only 58 cm is within 1 cm of 59
    assert any("58 cm (48 kg)" in m.value and "48.00 kg" in m.value for m in at.markdown)


@pytest.mark.parametrize(
    ("g", "words"),
    [
        ("abc", "`g`"),
        ("<script>alert(1)</script>", "`g`"),
        ("1e9", "between"),
        ("5", "between"),
        ("50,60", "2 entries"),
        ("nan", "`g`"),
    ],
)
def test_a_hostile_guess_in_the_link_gets_a_notice(g, words):
    at = open_page(PAGE, query={"guess": "1", "g": g})
    assert_ok(at)
    notices = " ".join(w.value for w in at.warning)
    assert words in notices, notices
    assert not re.search(r"(?<!\\)<script", notices)  # only escaped, as text
    assert at.number_input(key="waist_weight._guess_number").value is None  # nothing kept
    params = helpers.link_params(at)
    assert "g" not in params and params["guess"] == "1"
    assert not at.metric  # still a question: the answer stays hidden


def test_other_methods_and_uncovered_queries_say_why_there_is_no_question():
    at = open_page(PAGE, query={"guess": "1", "method": "average"})
    assert_ok(at)
    assert EN["waist_weight.guess.nw_only"] in [i.value for i in at.info]
    assert at.metric  # nothing to hide
    at = open_page(PAGE, query={"guess": "1", "q": "100", "kernel": "boxcar", "h": "0.5"})
    assert_ok(at)
    assert EN["waist_weight.guess.none"] in [i.value for i in at.info]


def test_guessing_in_presentation_mode():
    query = {"pres": "1", "sec": "3", "q": "70", "guess": "1", "g": "60"}
    at = open_page(PAGE, query=query, lang="zh")
    assert_ok(at)
    assert [h.value for h in at.header] == [ZH["waist_weight.method.title"]]
    assert not at.metric
    assert at.number_input(key="waist_weight._guess_number").value == 60.0
    at.button(key="waist_weight._guess_reveal").click().run()
    assert_ok(at)
    pred = float(prediction_at(70.0).prediction[0])
    assert at.metric[1].value == f"{pred:.4g} 千克"
    assert "sec=3" in link(at) and "rev=1" in link(at)


def test_a_query_move_on_the_same_heatmap_row_sends_the_same_heatmap():
    at = open_page(PAGE, query={"q": "60"})
    lo, hi = kd.query_range(KEYS)
    rows = kd.query_grid(lo, hi)
    assert 60.0 in rows and 60.5 not in rows and 62.0 in rows  # rows every 2 cm here
    first = helpers.chart(at, "waist_weight.heatmap", raw=True)
    at.slider(key="waist_weight.q").set_value(60.5).run()  # still nearest the 60 cm row
    assert helpers.chart(at, "waist_weight.heatmap", raw=True) == first
    at.slider(key="waist_weight.q").set_value(62.0).run()  # the outline moves to 62 cm
    moved = helpers.chart(at, "waist_weight.heatmap", raw=True)
    assert moved != first
    y0 = moved["layout"]["shapes"][0]["y0"]
    assert rows[int(y0 + 0.5)] == 62.0
