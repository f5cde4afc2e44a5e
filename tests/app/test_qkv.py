"""Q · K · V playground: every control, preset and mode; the page's numbers are the core's."""

from __future__ import annotations

import numpy as np
import pytest

from app_pages.qkv.data import generate, qkv_of
from attn_core import attention, causal_mask, score, valid_length_mask
from tests.app.conftest import assert_ok, open_page
from tests.helpers import array, chart, chart_keys, edit_cell, link, link_params
from ui.formulas import num
from ui.i18n import catalog

PAGE = "app_pages/qkv/page.py"


def go(query: dict | None = None, lang: str = "en"):
    at = open_page(PAGE, query=query, lang=lang)
    assert_ok(at)
    return at


def drawn(at) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The scores, weights and output heatmaps as drawn (masked cells are NaN)."""
    heat = [tr for tr in chart(at, "qkv.fig.results")["data"] if tr["type"] == "heatmap"]
    assert len(heat) == 3
    return tuple(array(tr["z"]) for tr in heat)


def matrices(at) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    mode = at.session_state["qkv.mode"]
    names = {"qkv": "QKV", "qvv": "QK", "vvv": "X"}[mode]
    return qkv_of(mode, {n: np.asarray(at.session_state[f"qkv.{n}"]) for n in names})


def core(at, **kw):
    """What attn_core computes for the matrices and settings the page holds."""
    Q, K, V = matrices(at)
    tau = at.session_state["qkv.tau"]
    return attention(Q, K, V, kind=at.session_state["qkv.score"], tau=tau, **kw)


def assert_matches_core(at, work: bool = True, **kw) -> None:
    scores, weights, output = drawn(at)
    res = core(at, **kw)
    masked = np.isnan(weights)
    np.testing.assert_array_equal(scores[~masked], res.scores[~masked])
    np.testing.assert_array_equal(weights[~masked], res.weights[~masked])
    np.testing.assert_array_equal(output, res.output)
    if not work:
        return
    # the row written out carries the same numbers
    row = at.session_state["qkv.row"]
    text = "".join(lx.value for lx in at.latex)
    for j in range(min(res.weights.shape[1], 5)):
        assert num(res.weights[row, j]) in text
    assert all(num(x) in text for x in res.output[row][:3])


def download_keys(at) -> list[str]:
    return [d.proto.id.split("-", 2)[-1] for d in at.get("download_button")]


def texts(at) -> str:
    return " ".join(str(e.value) for e in [*at.warning, *at.error, *at.info, *at.caption])


# --- the default page, both languages -------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_default_page_shows_the_cores_numbers(lang):
    at = go(lang=lang)
    cat = catalog(lang)
    assert at.title[0].value == cat["qkv.title"]
    assert cat["qkv.mode.qkv"] in at.radio(key="qkv.mode").options
    Q, K, V = matrices(at)
    expected = qkv_of("qkv", generate("default", "qkv"))
    assert all(np.array_equal(a, b) for a, b in zip((Q, K, V), expected, strict=True))
    assert_matches_core(at)
    assert len(at.get("download_button")) == 6  # Q, K, V, scores, weights, output
    assert any(c.proto.id.endswith("qkv.fig.plane") for c in at.get("plotly_chart"))
    # causal needs n_q = n_k: not offered for 3 queries and 4 keys, and the reason is given
    assert cat["qkv.mask.causal"] not in at.radio(key="qkv.mask").options
    assert "n_q = 3" in texts(at)
    assert link_params(at) == {"v": "1", "lang": lang}


# --- every control, preset and mode --------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_control_preset_and_mode(lang):
    cat = catalog(lang)
    at = go(lang=lang)

    at.select_slider(key="qkv.tau").set_value(0.5).run()
    at.selectbox(key="qkv.row").set_value(2).run()
    assert_matches_core(at)
    assert link_params(at)["tau"] == "0.5" and link_params(at)["row"] == "2"

    at.radio(key="qkv.score").set_value("dot").run()
    assert_matches_core(at)
    np.testing.assert_allclose(drawn(at)[0], matrices(at)[0] @ matrices(at)[1].T)

    at.radio(key="qkv.score").set_value("general").run()
    W = np.asarray(at.session_state["qkv.W"])
    assert W.shape == (2, 2)
    assert_matches_core(at, params={"W": W})
    at.number_input(key="qkv.pseed").set_value(5).run()
    assert not np.array_equal(at.session_state["qkv.W"], W)
    edit_cell(at, "qkv.W", 0, "1", 3.0)
    W = np.asarray(at.session_state["qkv.W"])
    assert W[0, 0] == 3.0
    assert_matches_core(at, params={"W": W})

    at.radio(key="qkv.score").set_value("additive").run()
    at.number_input(key="qkv.h").set_value(6).run()
    params = {n: np.asarray(at.session_state[f"qkv.{n}"]) for n in ("W_q", "W_k", "w_v")}
    assert params["W_q"].shape == (6, 2) and params["w_v"].shape == (1, 6)
    edit_cell(at, "qkv.w_v", 0, "3", -2.5)
    params = {n: np.asarray(at.session_state[f"qkv.{n}"]) for n in ("W_q", "W_k", "w_v")}
    assert params["w_v"][0, 2] == -2.5
    params["w_v"] = params["w_v"][0]
    assert_matches_core(at, params=params)
    assert link_params(at)["score"] == "additive" and link_params(at)["h"] == "6"

    at.radio(key="qkv.score").set_value("scaled_dot").run()
    at.radio(key="qkv.mask").set_value("valid").run()
    assert at.session_state["qkv.lens"].tolist() == [[4.0, 3.0, 2.0]]
    edit_cell(at, "qkv.lens", 0, "q1", 0)
    assert_matches_core(at, mask=valid_length_mask(3, 4, [0, 3, 2]))
    assert np.all(np.isnan(drawn(at)[1][0]))  # the fully masked row is shown masked
    assert "q1" in texts(at)
    assert link_params(at)["lens"] == "0,3,2"

    # presets: identical keys → even weights; one key dominates; random by seed; reset
    at.radio(key="qkv.mask").set_value("none").run()
    at.button(key="qkv.load.identical").click().run()
    np.testing.assert_allclose(drawn(at)[1], 0.25)
    at.button(key="qkv.load.dominant").click().run()
    assert drawn(at)[1][0, 0] > 0.95
    at.button(key="qkv.load.random").click().run()
    assert link_params(at)["gen"] == "random" and "Q" not in link_params(at)
    first = matrices(at)[0].copy()
    at.button(key="qkv.load.random").click().run()  # again: the next seed
    assert at.session_state["qkv.seed"] == 1 and not np.array_equal(matrices(at)[0], first)
    at.number_input(key="qkv.n_q").set_value(5).run()
    at.number_input(key="qkv.n_k").set_value(6).run()
    at.number_input(key="qkv.d_k").set_value(3).run()
    at.number_input(key="qkv.d_v").set_value(4).run()
    Q, K, V = matrices(at)
    assert Q.shape == (5, 3) and K.shape == (6, 3) and V.shape == (6, 4)
    assert_matches_core(at)
    at.number_input(key="qkv.seed").set_value(42).run()
    params = link_params(at)
    assert params["seed"] == "42" and params["n_q"] == "5" and params["d_k"] == "3"
    at.button(key="qkv.load.default").click().run()
    assert np.array_equal(matrices(at)[0], generate("default", "qkv")["Q"])

    # the three modes: QVV edits one matrix for K and V; VVV is one set X, causal allowed
    at.radio(key="qkv.mode").set_value("qvv").run()
    assert at.session_state["qkv.n_q"] == 2
    edit_cell(at, "qkv.K", 1, "2", -4.0)
    _, K, V = matrices(at)
    assert V is K and K[1, 1] == -4.0
    assert_matches_core(at)
    at.radio(key="qkv.mode").set_value("vvv").run()
    assert matrices(at)[0].shape == (4, 2)
    at.number_input(key="qkv.n_k").set_value(5).run()  # n: rows of X, drawn at random
    at.number_input(key="qkv.d_k").set_value(3).run()  # d: columns of X
    assert matrices(at)[0].shape == (5, 3) and link_params(at)["gen"] == "random"
    assert cat["qkv.mask.causal"] in at.radio(key="qkv.mask").options
    at.radio(key="qkv.mask").set_value("causal").run()
    assert_matches_core(at, mask=causal_mask(5))
    assert np.isnan(drawn(at)[1][0, 1])  # position 1 may not look ahead
    assert link_params(at)["mode"] == "vvv" and link_params(at)["mask"] == "causal"

    at.button(key="qkv.reset").click().run()
    assert at.session_state["qkv.mode"] == "qkv" and at.session_state["qkv.mask"] == "none"
    assert link_params(at) == {"v": "1", "lang": lang}
    assert_ok(at)


def test_dot_score_with_different_lengths_says_why_and_offers_a_fix():
    at = go({"gen": "random", "d_q": "3"})
    assert not any(c.proto.id.endswith("qkv.fig.results") for c in at.get("plotly_chart"))
    assert "d_q = 3" in texts(at) and "d_k = 2" in texts(at)
    at.button(key="qkv.use.additive").click().run()
    assert at.session_state["qkv.score"] == "additive"
    assert at.session_state["qkv.W_q"].shape == (4, 3)  # h × d_q
    assert at.session_state["qkv.W_k"].shape == (4, 2)  # h × d_k
    at.radio(key="qkv.score").set_value("dot").run()
    assert not any(c.proto.id.endswith("qkv.fig.results") for c in at.get("plotly_chart"))
    at.button(key="qkv.use.general").click().run()
    assert at.session_state["qkv.score"] == "general"
    assert at.session_state["qkv.W"].shape == (3, 2)
    assert_matches_core(at, params={"W": np.asarray(at.session_state["qkv.W"])})
    at.selectbox(key="qkv.d_q").set_value(0).run()  # back to d_q = d_k
    assert matrices(at)[0].shape == (3, 2)


# --- editing cells ---------------------------------------------------------------------------


def test_a_cell_edit_recomputes_and_bad_cells_keep_the_last_good_matrix():
    at = go()
    edit_cell(at, "qkv.Q", 0, "1", 5.0)
    assert at.session_state["qkv.Q"][0, 0] == 5.0
    assert_matches_core(at)
    assert link_params(at)["Q"].startswith("5,1;")
    good = np.asarray(at.session_state["qkv.Q"]).copy()
    for bad in ("abc", float("nan"), float("inf"), None):
        edit_cell(at, "qkv.Q", 1, "2", bad)
        assert_ok(at)
        assert np.array_equal(at.session_state["qkv.Q"], good)
        assert at.error, f"no message for {bad!r}"
        assert_matches_core(at)
    edit_cell(at, "qkv.V", 0, "G", 1e9)
    assert at.session_state["qkv.V"][0, 1] == 1e6 and at.warning
    assert_matches_core(at)


# --- large random matrices -------------------------------------------------------------------


def test_random_512_by_64_travels_as_seed_and_size():
    at = go({"gen": "random", "seed": "3", "n_q": "512", "n_k": "512", "d_k": "64", "d_v": "64"})
    Q, K, V = matrices(at)
    assert Q.shape == (512, 64) and V.shape == (512, 64)
    assert np.array_equal(K, generate("random", "qkv", 3, _sizes(512, 512, 64, 64))["K"])
    kinds = [tr["type"] for tr in chart(at, "qkv.fig.results")["data"]]
    assert kinds.count("image") == 3 and "heatmap" not in kinds  # images, not 262 144 numbers
    for name in "QKV":  # too large for the table editor: drawn instead
        assert chart(at, f"qkv.fig.input.{name}")["data"][0]["type"] == "image"
    params = link_params(at)
    assert set(params) == {"v", "lang", "gen", "seed", "n_q", "n_k", "d_k", "d_v"}
    assert len(link(at)) < 200
    res = core(at)
    text = "".join(lx.value for lx in at.latex)
    assert num(res.output[0, 0]) in text and r"\vdots" in text


def _sizes(n_q, n_k, d_k, d_v):
    from app_pages.qkv.data import Sizes

    return Sizes(n_q=n_q, n_k=n_k, d_k=d_k, d_v=d_v)


# --- links -----------------------------------------------------------------------------------


def test_a_shared_link_reopens_the_same_state():
    at = go()
    at.radio(key="qkv.mode").set_value("vvv").run()
    edit_cell(at, "qkv.X", 2, "1", 0.25)
    at.radio(key="qkv.score").set_value("dot").run()
    at.radio(key="qkv.mask").set_value("causal").run()
    at.select_slider(key="qkv.tau").set_value(2.0).run()
    at.selectbox(key="qkv.row").set_value(3).run()
    shared = link_params(at)
    again = go(shared)
    assert np.array_equal(again.session_state["qkv.X"], at.session_state["qkv.X"])
    for a, b in zip(drawn(again), drawn(at), strict=True):
        np.testing.assert_array_equal(a, b)
    assert [lx.value for lx in again.latex] == [lx.value for lx in at.latex]


@pytest.mark.parametrize(
    "query",
    [
        {"Q": "<script>alert(1)</script>", "tau": "nan", "mode": "xyz", "n_q": "1e9"},
        {"K": "1,2;3", "V": "9" * 100_000, "row": "-3", "score": "additive", "W_q": "1e999"},
        {"mask": "valid", "lens": "nan,1", "gen": "random", "n_k": "abc", "d_v": "99999"},
        {"mask": "causal", "K": "1,2;3,4;5,6", "V": "1;2", "W": "1,2", "row": "7"},
        {"Q": "1e300,1e300", "K": "1e300,1e300", "V": "1", "h": "[1,2]", "seed": "0x10"},
    ],
)
def test_hostile_links_leave_a_working_page_and_a_notice(query):
    at = go(query)
    assert at.warning, "a notice says what was not used"
    shared = link(at)
    assert "<script>" not in shared and "1e999" not in shared and "99999" not in shared
    assert any(c.proto.id.endswith("qkv.fig.results") for c in at.get("plotly_chart"))


# --- presentation mode: one section at a time -----------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_presentation_mode_shows_one_section_and_next_moves_on(lang):
    cat = catalog(lang)
    at = go({"pres": "1", "tau": "0.5", "row": "1"}, lang=lang)
    assert [h.value for h in at.header] == [cat["qkv.modes.title"]]
    assert at.get("plotly_chart") == [] and at.button(key="qkv._sec_prev").disabled
    at.button(key="qkv._sec_next").click().run()
    assert_ok(at)
    assert [h.value for h in at.header] == [cat["qkv.settings.title"]]
    assert link_params(at)["sec"] == "2" and link_params(at)["tau"] == "0.5"
    at.button(key="qkv._sec_next").click().run()
    assert [h.value for h in at.header] == [cat["qkv.results.title"]]
    assert_matches_core(at, work=False)  # drawn from the bound state alone
    # a link to the worked row opens it alone, with the core's numbers for that row
    again = go({**link_params(at), "sec": "4"}, lang=lang)
    assert [h.value for h in again.header] == [cat["qkv.work.title"]]
    assert chart_keys(again) == ["qkv.fig.step"]
    res = core(again)
    text = "".join(lx.value for lx in again.latex)
    assert all(num(w) in text for w in res.weights[1]) and again.session_state["qkv.row"] == 1


def test_presentation_mode_says_why_a_section_has_nothing_to_show():
    at = go({"pres": "1", "sec": "3", "gen": "random", "d_q": "3"}, lang="zh")
    assert at.get("plotly_chart") == []
    assert catalog("zh")["qkv.no_result"] in [i.value for i in at.info]


# --- predict, then reveal: the selected query's weights ----------------------------------------

GUESS = {"mode": "qkv", "row": "2", "tau": "0.5"}  # the default example, query q3, τ = 0.5


def test_guessing_hides_the_weights_and_the_guess_travels_in_the_link():
    at = go(GUESS)
    at.toggle(key="qkv.guess").set_value(True).run()
    assert_ok(at)
    keys = chart_keys(at)
    assert "qkv.fig.results" not in keys and "qkv.fig.scores" in keys  # scores only
    assert not any(k.startswith("qkv.download.weights") for k in download_keys(at))
    for i, share in enumerate((1.0, 6.0, 2.0, 1.0)):
        at.slider(key=f"qkv._guess_share{i}").set_value(share)
    at.run()
    shared = link_params(at)
    assert shared["guess"] == "1" and shared["g"] == "1,6,2,1" and shared["row"] == "2"
    again = go(shared)
    assert_ok(again)
    assert [again.slider(key=f"qkv._guess_share{i}").value for i in range(4)] == [1, 6, 2, 1]
    assert "qkv.fig.results" not in chart_keys(again)
    again.button(key="qkv._step_next").click().run()  # scores → scale: still shown
    again.button(key="qkv._step_next").click().run()
    again.button(key="qkv._step_next").click().run()  # softmax: the answer, hidden
    assert "qkv.fig.step" not in chart_keys(again)
    assert catalog("en")["qkv.guess.hidden"] in [i.value for i in again.info]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_reveal_scores_the_guess_against_the_cores_weights(lang):
    at = go({**GUESS, "guess": "1", "g": "1,6,2,1"}, lang=lang)
    at.button(key="qkv._guess_reveal").click().run()
    assert_ok(at)
    assert "qkv.fig.results" in chart_keys(at) and "qkv.fig.guess" in chart_keys(at)
    a = core(at).weights[2]  # (4,)
    g = np.array([1.0, 6.0, 2.0, 1.0]) / 10.0
    tv = 0.5 * np.abs(g - a).sum()
    label = catalog(lang)["app.guess.tv"]
    assert [m.value for m in at.metric if m.label == label] == [f"{tv:.3f}"]
    # why: the best key's lead over the next, as the ratio of their weights e^(gap/τ)
    s = core(at).scores[2]
    first, second = np.argsort(-s)[:2]
    why = " ".join(m.value for m in at.markdown)
    assert f"{a[first] / a[second]:.4g}" in why and f"k{first + 1}" in why
    assert f"{s[first] - s[second]:.4g}" in why
    assert link_params(at)["rev"] == "1"
    reopened = go(link_params(at), lang=lang)
    assert [m.value for m in reopened.metric if m.label == label] == [f"{tv:.3f}"]


@pytest.mark.parametrize(
    "query",
    [
        {"guess": "1", "g": "1,2"},  # another number of keys
        {"guess": "1", "g": "-1,2,3,4"},
        {"guess": "1", "g": "0,0,0,0"},
        {"guess": "1", "g": "<b>1</b>,nan"},
        {"step": "99"},
        {"step": "-2"},
        {"step": "two"},
    ],
)
def test_hostile_guess_or_step_values_give_a_notice_and_a_working_page(query):
    at = go(query)
    assert at.warning, "a notice says what was not used"
    name = "g" if "g" in query else "step"
    assert link_params(at).get(name) != query[name]
    assert any(c.proto.id.endswith("qkv.fig.step") for c in at.get("plotly_chart"))
    assert "<b>" not in link(at)


# --- step through one query's computation ----------------------------------------------------


def step_text(at) -> str:
    """The step's own formula (in presentation mode the first on the worked row's slide)."""
    return at.latex[0].value


def test_each_step_writes_the_cores_numbers_and_highlights_what_it_uses():
    at = go({"pres": "1", "sec": "4", "tau": "2", "row": "1", "mask": "valid", "lens": "4,2,3"})
    assert_ok(at)
    Q, K, _ = matrices(at)
    mask = valid_length_mask(3, 4, [4, 2, 3])
    res = core(at, mask=mask)
    raw = score(Q, K, "dot")[1]  # q2ᵀk_j before ÷ √d_k
    expected = [
        [num(x) for x in raw],
        [num(x) for x in res.scores[1, :2] / 2.0],  # the visible keys' scores ÷ τ
        [r"\left[1,\ 1,\ 0,\ 0\right]"],  # q2 sees k1 and k2
        [num(x) for x in res.weights[1]],
        [num(x) for x in res.output[1]],
    ]
    texts = []
    for n, numbers in enumerate(expected, start=1):
        assert link_params(at).get("step", "1") == str(n)
        text = step_text(at)
        assert all(x in text for x in numbers), (n, numbers, text)
        fig = chart(at, "qkv.fig.step")
        frames = [s for s in fig["layout"]["shapes"] if s.get("line", {}).get("width") == 3]
        assert frames and all(  # the selected query's row framed, or a whole matrix read
            (f["y0"], f["y1"]) == (0.5, 1.5) or f["y0"] == -0.5 for f in frames
        )
        texts.append(text)
        if n < 5:
            at.button(key="qkv._step_next").click().run()
            assert_ok(at)
    # one step at a time, not all of them: the output's symbol only in the last
    assert [r"\mathbf{o}" in text for text in texts] == [False] * 4 + [True]
    assert len(set(texts)) == 5
