"""Everything can be exported under a name that says what it is.

Every figure's camera button saves ``page-figure[-view].png`` at presentation size (not
Plotly's ``plot-image.png``); every matrix, table and figure's data has a CSV download whose
file name says what it holds and whose numbers are the page's (checked against the core).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from app_pages.alignment.data import make_toy
from app_pages.cnn_vs_attention import data as cnn_data
from app_pages.cnn_vs_attention import images
from app_pages.qkv.data import default_lengths, generate, qkv_of
from app_pages.waist_weight import data as kd
from attn_core import (
    complexity,
    dot_product_experiment,
    fit_bandwidth,
    global_attention_map,
    global_weights,
    multi_head_attention,
    random_mha_weights,
    receptive_field,
    score,
    softmax,
    valid_length_mask,
)
from tests.app.conftest import open_page
from ui import layout
from ui.navigation import PAGES
from ui.tokens import embed, labels, tokenize

URL_NAME = {p.path: p.url_path or p.ns for p in PAGES}
URL_NS = {p.path: p.ns for p in PAGES}
EIGHT = [p.path for p in PAGES if not p.path.startswith("app_pages/trained")][:8]


@pytest.fixture
def files(monkeypatch) -> dict[str, tuple[str | None, Callable]]:
    """Every deferred download the app registers: file id → (file name, the bytes' maker)."""
    store: dict[str, tuple[str | None, Callable]] = {}
    original = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kw):
        file_id = original(self, data_callable, mimetype, coordinates, file_name, **kw)
        store[file_id] = (file_name, data_callable)
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return store


def downloads(at: AppTest, files: dict) -> dict[str, tuple[str, bytes]]:
    """The page's download buttons: widget key → (file name, the file's bytes)."""
    found = {}
    for el in at.get("download_button"):
        proto = el.proto
        assert proto.HasField("deferred_file_id"), proto.id  # built on the click only
        name, make = files[proto.deferred_file_id]
        key = proto.id.split("-", 2)[-1]  # "$$ID-<hash>-<the widget's key>"
        found[key] = (name, make())
    return found


def csv_of(data: bytes, index_col: int | None = 0) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", index_col=index_col)


def get(found: dict, key: str, name: str, index_col: int | None = 0) -> pd.DataFrame:
    """The CSV of download ``key``, whose file must be called ``name``."""
    assert key in found, (key, sorted(found))
    file_name, data = found[key]
    assert file_name == name, (key, file_name, name)
    return csv_of(data, index_col)


# --- every page, both languages: PNG names and CSV names -----------------------------------


@pytest.mark.parametrize("page", EIGHT)
@pytest.mark.parametrize(("lang", "pres"), [("en", "0"), ("zh", "1")])
def test_every_figure_and_download_has_a_name_that_says_what_it_is(page, lang, pres, files):
    at = open_page(page, query={"pres": pres}, lang=lang)
    assert not at.exception, [e.value for e in at.exception]
    url = URL_NAME[page]
    charts = at.get("plotly_chart")
    found = downloads(at, files)
    # presentation mode shows one section at a time: visit each one
    state = at.session_state  # AppTest's session state has no get()
    counts = state["_sections.count"] if "_sections.count" in state else {}  # noqa: SIM401
    for sec in range(2, counts.get(URL_NS[page], 0) + 1 if pres == "1" else 0):
        at = open_page(page, query={"pres": pres, "sec": str(sec)}, lang=lang)
        assert not at.exception, [e.value for e in at.exception]
        charts += at.get("plotly_chart")
        found |= downloads(at, files)
    assert charts, page
    names = []
    for chart in charts:
        options = json.loads(chart.proto.config)["toImageButtonOptions"]
        name = options["filename"]
        assert name.startswith(f"{url}-"), (chart.proto.id, name)
        assert name != "plot-image" and name.isascii() and " " not in name, name
        assert name.endswith("-zh") == (lang == "zh"), name
        assert options["format"] == "png" and options["scale"] == 2
        assert options["width"] == layout.EXPORT_WIDTH
        height = json.loads(chart.proto.spec)["layout"].get("height") or 450
        grow = 1.0 if pres == "1" else layout.PRESENTATION_GROWTH
        assert options["height"] == round(height * grow), (name, options["height"], height)
        names.append(name)
    assert len(set(names)) == len(names), names
    assert found, f"{page} offers no CSV"
    csv_names = [name for name, _ in found.values()]
    assert len(set(csv_names)) == len(csv_names), csv_names
    for key, (name, data) in found.items():
        assert name.startswith(f"{url}-") and name.endswith(".csv"), (key, name)
        assert name.isascii() and " " not in name, name
        frame = csv_of(data)
        assert frame.size > 0, (key, name)


# --- the numbers in the files are the page's --------------------------------------------------


def test_overview_toy_and_cues(files):
    at = open_page("app_pages/overview/page.py")
    found = downloads(at, files)
    steps = get(found, "overview.dl.steps", "overview-steps.csv")
    keys = steps[["sweet (key)", "sour (key)"]].to_numpy()
    q = np.array([1.0, 0.0])  # the default query: sweet 1, sour 0
    assert np.allclose(steps["score"], keys @ q)
    assert np.allclose(steps["weight"], softmax(keys @ q))
    assert np.allclose(steps["weight x sugar"], steps["weight"] * steps["sugar (value)"])
    assert list(steps.index) == ["apple", "lemon", "mango", "grape"]
    plane = get(found, "overview.dl.plane", "overview-plane.csv")
    assert np.allclose(plane.loc["q", ["sweet", "sour"]], q)
    assert np.allclose(plane.iloc[1:][["sweet", "sour"]], keys)
    cues = get(found, "overview.dl.cues", "overview-cues-none.csv")
    assert np.allclose(cues["weight"], softmax(cues["score"].to_numpy()))
    at.radio(key="overview.intent").set_value("read").run()
    cues = get(downloads(at, files), "overview.dl.cues", "overview-cues-read.csv")
    assert cues["weight"].idxmax() == "book"


def test_qkv_scores_weights_and_output(files):
    at = open_page("app_pages/qkv/page.py")
    found = downloads(at, files)
    Q, K, V = qkv_of("qkv", generate("default", "qkv"))
    S = score(Q, K, "scaled_dot")
    scores = get(found, "qkv.download.scores", "qkv-scores-scaled-dot.csv")
    assert np.allclose(scores.to_numpy(), S, rtol=1e-9, atol=0)
    assert list(scores.index) == ["q1", "q2", "q3"] and scores.columns[0] == "k1"
    W = softmax(S)
    weights = get(found, "qkv.download.weights", "qkv-weights-scaled-dot-none.csv")
    assert np.allclose(weights.to_numpy(), W, rtol=1e-9, atol=1e-12)
    output = get(found, "qkv.download.output", "qkv-output-scaled-dot-none.csv")
    assert np.allclose(output.to_numpy(), W @ V)
    for name, m in zip("QKV", (Q, K, V), strict=True):
        assert np.array_equal(get(found, f"qkv.download.{name}", f"qkv-{name}.csv").to_numpy(), m)
    assert "qkv.download.mask" not in found  # no mask, nothing to download
    at.radio(key="qkv.mask").set_value("valid").run()
    lens = default_lengths(3, 4)[0].astype(int)
    mask = get(downloads(at, files), "qkv.download.mask", "qkv-mask-valid.csv")
    assert np.array_equal(mask.to_numpy(), valid_length_mask(3, 4, lens))
    at.radio(key="qkv.mask").set_value("none").run()
    at.radio(key="qkv.score").set_value("additive").run()
    found = downloads(at, files)
    params = {
        n: get(found, f"qkv.download.param.{n}", f"qkv-param-additive-{n.replace('_', '-')}.csv")
        for n in ("W_q", "W_k", "w_v")
    }
    p = {n: f.to_numpy() for n, f in params.items()}
    p["w_v"] = p["w_v"][0]
    S = score(Q, K, "additive", p)
    assert np.allclose(get(found, "qkv.download.scores", "qkv-scores-additive.csv"), S)


def test_waist_weight_fit_history_curve_and_weights(files):
    at = open_page("app_pages/waist_weight/page.py", query={"method": "parametric"})
    found = downloads(at, files)
    data = kd.default_dataset()
    fit = fit_bandwidth(data[:, 0], data[:, 1], lr=1.0, epochs=50)
    history = get(found, "waist_weight.dl.history", "waist-weight-fit-history.csv")
    assert history.index.name == "epoch" and list(history.index) == list(range(51))
    assert np.allclose(history["w"], fit.w_history, rtol=1e-9)
    assert np.allclose(history["loss"], fit.loss_history, rtol=1e-9)
    bars = get(found, "waist_weight.dl.bars", "waist-weight-weights-at-57-parametric.csv", None)
    assert np.isclose(bars["alpha"].sum(), 1.0)
    assert np.array_equal(bars["waist (key, cm)"], data[:, 0])
    curve = get(found, "waist_weight.dl.curve", "waist-weight-prediction-parametric.csv", None)
    assert curve.shape == (401, 2)
    table = get(found, "waist_weight.download", "waist-weight-data.csv", None)
    assert np.array_equal(table.to_numpy(), data)
    get(found, "waist_weight.download_weights", "waist-weight-attention-weights-parametric.csv")
    example = get(found, "waist_weight.dl.example", "waist-weight-every-method-at-57.csv")
    assert example.shape[0] == 5  # average, three kernels, the fitted parametric


def test_softmax_weights_jacobian_and_variance_experiment(files):
    at = open_page("app_pages/softmax/page.py")
    found = downloads(at, files)
    x = np.array([2.0, 1.0, 0.5, 0.0, -1.0])  # the example preset, τ = 1
    p = np.exp(x - x.max()) / np.exp(x - x.max()).sum()
    table = get(found, "softmax.dl.weights", "softmax-scores-weights-tau-1.csv")
    assert np.allclose(table["score x"], x) and np.allclose(table["weight p"], p, rtol=1e-12)
    jac = get(found, "softmax.dl.jacobian", "softmax-jacobian-tau-1.csv")
    analytic = np.diag(p) - np.outer(p, p)  # ∂p_i/∂x_j = p_i(δ_ij − p_j) / τ
    assert np.allclose(jac.to_numpy(), analytic, rtol=1e-9, atol=1e-15)
    sweep = get(found, "softmax.dl.temperature", "softmax-temperature.csv")
    assert sweep.shape == (161, 6) and np.allclose(sweep.iloc[:, 1:].sum(axis=1), 1.0)
    seed = get(found, "softmax.dl.seed", "softmax-seed-example.csv")
    assert np.allclose(seed.loc["a", ["p1", "p2"]], softmax(np.array([51.0, 49.0])))
    e = dot_product_experiment(tuple(float(2**i) for i in range(11)), 2000, 8, 0)
    var = get(
        found, "softmax.dl.variance", "softmax-variance-experiment-2000-pairs-8-keys-seed-0.csv"
    )
    assert list(var.index) == [2**i for i in range(11)]
    assert np.allclose(var["variance"], e.variance, rtol=1e-9)
    assert np.allclose(var["variance scaled"], e.scaled_variance, rtol=1e-9)
    assert np.allclose(var["jacobian norm"], e.jacobian_norm, rtol=1e-9)
    samples = get(
        found, "softmax.dl.samples", "softmax-dot-products-d-64-2000-pairs-8-keys-seed-0.csv", None
    )
    assert np.allclose(samples["q.k"], e.flat_scores(6), rtol=1e-9)
    assert np.allclose(samples["q.k / sqrt(d)"], e.flat_scores(6) / 8.0, rtol=1e-9)


def test_self_attention_per_head_weights_and_projections(files):
    at = open_page("app_pages/self_attention/page.py")
    found = downloads(at, files)
    tokens = tokenize("the cat sat on the mat").tokens
    X = embed(tokens, 8)  # the default sentence, d_model = 8, two heads, seed 0
    W = random_mha_weights(8, 8, seed=0)
    result = multi_head_attention(X, X, **W, n_heads=2)
    for h in (1, 2):
        head = get(found, f"self_attention.dl.head.{h}", f"self-attention-head-{h}-weights.csv")
        assert np.allclose(head.to_numpy(), result.weights[h - 1], rtol=1e-9, atol=1e-15)
        assert list(head.index) == list(head.columns) == labels(tokens)
    every = get(found, "self_attention.dl_weights", "self-attention-weights-2-heads.csv", None)
    assert np.allclose(every.iloc[:, -1], result.weights.ravel(), rtol=1e-9, atol=1e-15)
    for name, m in (("Q", result.Q), ("K", result.K), ("V", result.V)):
        frame = get(found, f"self_attention.dl.{name}", f"self-attention-{name}-seed-0.csv")
        assert np.allclose(frame.to_numpy(), m, rtol=1e-9, atol=1e-15)
    concat = get(found, "self_attention.dl.concat", "self-attention-concat-seed-0.csv")
    assert np.allclose(concat.to_numpy(), result.concat, rtol=1e-9, atol=1e-15)
    y = get(found, "self_attention.dl_y", "self-attention-Y-2-heads.csv")
    assert np.allclose(y.to_numpy(), result.output, rtol=1e-9, atol=1e-15)
    at.toggle(key="self_attention.show_w").set_value(True).run()
    at.toggle(key="self_attention.causal").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    found = downloads(at, files)
    for name in ("W_q", "W_k", "W_v", "W_o"):
        frame = get(
            found,
            f"self_attention.dl.{name}",
            f"self-attention-{name.replace('_', '-')}-seed-0.csv",
        )
        assert np.allclose(frame.to_numpy(), W[name], rtol=1e-9, atol=1e-15)
    head = get(found, "self_attention.dl.head.1", "self-attention-head-1-weights-causal.csv")
    assert np.allclose(np.triu(head.to_numpy(), 1), 0.0)


def test_complexity_table(files):
    at = open_page("app_pages/complexity/page.py")
    found = downloads(at, files)
    costs = complexity(100, 512, 3)  # the defaults: n = 100, d = 512, k = 3
    table = get(found, "complexity.dl.table", "complexity-table-n-100-d-512-k-3.csv")
    assert sorted(table.index) == sorted(costs)
    for layer, cost in costs.items():
        assert table.loc[layer, "operations per layer"] == cost.per_layer
        assert table.loc[layer, "sequential operations"] == cost.sequential
        assert table.loc[layer, "maximum path length"] == cost.max_path
    ops = get(found, "complexity.dl.ops", "complexity-ops-d-512-k-3.csv")
    n = ops.index.to_numpy(dtype=float)
    assert np.allclose(ops["self_attention"], n**2 * 512, rtol=1e-5)  # as drawn: O(n²·d)
    path = get(found, "complexity.dl.path", "complexity-path-n-9-k-3.csv")
    assert path["maximum path length"].to_dict() == {
        layer: cost.max_path for layer, cost in complexity(9, 2, 3).items()
    }


def test_cnn_vs_attention_maps_and_kernel(files):
    at = open_page("app_pages/cnn_vs_attention/page.py")
    found = downloads(at, files)
    x = images.to_unit(images.builtin("shapes", 32))
    expected = global_attention_map(x, (9, 9), tau=0.05, position_weight=0.0)
    name = "cnn-vs-attention-attention-global-shapes-r9-c9.csv"
    g = get(found, "cnn_vs_attention.dl.attention-global", name)
    assert np.allclose(g.to_numpy(), expected, rtol=1e-9, atol=1e-300)
    kernel = get(found, "cnn_vs_attention.dl.kernel", "cnn-vs-attention-kernel-3x3.csv")
    assert np.allclose(kernel.to_numpy(), cnn_data.kernel("blur", 3))
    rf = get(
        found,
        "cnn_vs_attention.dl.receptive-field",
        "cnn-vs-attention-receptive-field-r9-c9.csv",
    )
    assert list(rf["receptive field"]) == list(receptive_field([3, 3, 3]))


def test_alignment_weights_at_step_t(files):
    at = open_page("app_pages/alignment/page.py")
    found = downloads(at, files)
    toy = make_toy(30, 3, 0)  # S = 30, shift 3, seed 0; step t = 10
    weights = get(found, "alignment.dl.weights", "alignment-weights-t-10.csv")
    assert np.allclose(weights["global"], global_weights(toy.scores)[10], rtol=1e-9)
    assert np.isclose(weights["local_m"].sum(), 1.0)
    for v in ("global", "local_m", "local_p"):
        m = get(found, f"alignment.dl.map.{v}", f"alignment-map-{v.replace('_', '-')}.csv")
        assert m.shape == (30, 30) and np.allclose(m.iloc[10], weights[v])
    error = get(found, "alignment.dl.error", "alignment-error-global-t-10-N-200-seed-0.csv")
    assert error.shape == (200, 2)
