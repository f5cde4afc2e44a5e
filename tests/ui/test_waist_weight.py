"""Pure helpers of the waist → weight page: reading and checking data, the link, text, figures."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.io as pio
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app_pages.waist_weight import data as kd
from app_pages.waist_weight import figures
from app_pages.waist_weight import text as latex
from attn_core import average_pooling, nadaraya_watson
from attn_core.kernel_regression import uncovered_intervals
from tests.helpers import decode

SEED_PAIR = [(56.0, 43.0), (58.0, 48.0)]
TEXT = {
    k: k
    for k in ("title", "x", "y", "data", "curve", "query", "gap", "baseline", "none", "loss", "w")
}


def codes(result: kd.ParseResult) -> list[str]:
    return [p.code for p in result.problems]


# --- the shipped toy table ---------------------------------------------------------------------


def test_default_dataset_is_a_dozen_plausible_people_with_the_seed_pair():
    data = kd.default_dataset()
    assert data.shape == (12, 2)
    rows = {tuple(r) for r in data}
    assert set(SEED_PAIR) <= rows
    assert np.all((data[:, 0] >= 50) & (data[:, 0] <= 110))  # adult waists, cm
    assert np.all((data[:, 1] >= 40) & (data[:, 1] <= 100))  # adult weights, kg
    assert not data.flags.writeable
    # the seed's two neighbours of 57 cm are the nearest keys
    nearest = sorted(data, key=lambda r: abs(r[0] - 57))[:2]
    assert {tuple(r) for r in nearest} == set(SEED_PAIR)


# --- CSV files -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "waist,weight\n56,43\n58,48\n70,60\n",
        "Waist (cm),Weight (kg)\r\n56,43\r\n58,48\r\n70,60\r\n",
        "腰围,体重\n56,43\n58,48\n70,60\n",
        "腰围（厘米）,体重（千克）\n56,43\n58,48\n70,60\n",
        "name,weight,waist\nA,43,56\nB,48,58\nC,60,70\n",
        "waist;weight\n56;43\n58;48\n70;60\n",
        "waist\tweight\n56\t43\n58\t48\n70\t60\n",
        "\n waist , weight \n56, 43\n\n58 ,48\n70,60\n\n",
    ],
)
def test_good_csv_files_are_read(text):
    result = kd.parse_csv(text.encode("utf-8"))
    assert result.ok, result.problems
    np.testing.assert_array_equal(result.data, [[56, 43], [58, 48], [70, 60]])


def test_excel_style_files_are_read():
    with_bom = "\ufeff腰围,体重\n56,43\n58,48\n".encode()
    gbk = "腰围,体重\n56,43\n58,48\n".encode("gb18030")
    for raw in (with_bom, gbk):
        assert kd.parse_csv(raw).ok


def test_extra_columns_and_blank_lines_are_reported():
    result = kd.parse_csv(b"name,waist,weight\nA,56,43\n\nB,58,48\n")
    assert result.ignored == ("name",)
    assert result.skipped == 1


def test_downloaded_table_reads_back_in_both_languages():
    from ui.layout import csv_bytes

    data = kd.default_dataset()
    for lang in ("en", "zh"):
        raw = csv_bytes(kd.csv_frame(data, lang), index=False)
        result = kd.parse_csv(raw)
        np.testing.assert_array_equal(result.data, data)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"", "empty_file"),
        (b"   \n\n", "empty_file"),
        (b"waist,weight\n", "too_few_rows"),
        (b"waist,weight\n56,43\n", "too_few_rows"),
        (b"height,mass\n170,60\n180,70\n", "missing_columns"),
        (b"waist\n56\n58\n", "missing_columns"),
        (b"waist,weight,waist\n56,43,1\n58,48,2\n", "duplicate_column"),
        (b"waist,weight\n56,heavy\n58,48\n", "not_number"),
        (b"waist,weight\n56,43\n58,\n", "empty_cell"),
        (b"waist,weight\n56,43\n58\n", "empty_cell"),
        (b"waist,weight\nnan,43\n58,48\n", "not_number"),
        (b"waist,weight\ninf,43\n58,48\n", "not_number"),
        (b"waist,weight\n1e999,43\n58,48\n", "not_number"),
        (b"waist,weight\n0,43\n58,48\n", "out_of_range"),
        (b"waist,weight\n10000,43\n58,48\n", "out_of_range"),
        (b"waist,weight\n-56,43\n58,48\n", "out_of_range"),
        (b"waist,weight\n56,-43\n58,48\n", "out_of_range"),
        (b"waist,weight\n56,4300\n58,48\n", "out_of_range"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (bytes(range(256)) * 40, "binary"),
        (b"waist,weight\n\x01\x02,43\n", "binary"),
    ],
)
def test_bad_csv_files_are_refused_with_a_reason(raw, code):
    result = kd.parse_csv(raw)
    assert not result.ok
    assert codes(result)[0] == code


def test_a_10_mb_file_is_refused_before_reading():
    result = kd.parse_csv(b"waist,weight\n" + b"56,43\n" * 1_800_000)
    assert codes(result) == ["too_big"]
    assert result.problems[0].n > kd.MAX_BYTES


def test_100_000_rows_are_refused_quickly():
    import time

    raw = b"waist,weight\n" + b"56,43\n" * 100_000  # 600 kB: under 1 MB, far over 1,000 rows
    start = time.perf_counter()
    result = kd.parse_csv(raw)
    assert codes(result) == ["too_many_rows"]
    assert result.problems[0].n == 100_000
    assert time.perf_counter() - start < 1.0


def test_1000_rows_are_accepted_1001_are_not():
    body = b"".join(b"%d,%d\n" % (50 + i % 50, 45 + i % 40) for i in range(1000))
    assert kd.parse_csv(b"waist,weight\n" + body).data.shape == (1000, 2)
    assert codes(kd.parse_csv(b"waist,weight\n" + body + b"60,50\n")) == ["too_many_rows"]


def test_many_bad_cells_are_listed_up_to_a_limit_with_their_lines():
    raw = b"waist,weight\n" + b"x,43\n" * 20
    result = kd.parse_csv(raw)
    assert len(result.problems) == kd.MAX_PROBLEMS and result.more
    assert [p.row for p in result.problems] == [2, 3, 4, 5, 6]  # file lines, header is 1


# --- the edited table ---------------------------------------------------------------------------


def frame(rows):
    return pd.DataFrame(rows, columns=["waist", "weight"], dtype="float64")


def test_table_with_a_new_empty_row_is_read_without_it():
    result = kd.read_table(frame([[56, 43], [58, 48], [np.nan, np.nan]]))
    assert result.ok and result.skipped == 1
    assert result.data.shape == (2, 2)


@pytest.mark.parametrize(
    ("rows", "code"),
    [
        ([[56, 43], [58, np.nan]], "empty_cell"),
        ([[56, 43], [0, 48]], "out_of_range"),
        ([[56, 43], [58, 1e6]], "out_of_range"),
        ([[56, 43], [np.inf, 48]], "empty_cell"),
        ([[56, 43]], "too_few_rows"),
        ([], "too_few_rows"),
    ],
)
def test_bad_tables_are_refused(rows, code):
    result = kd.read_table(frame(rows))
    assert not result.ok and codes(result)[0] == code


def test_table_problem_names_its_row():
    result = kd.read_table(frame([[56, 43], [58, 48], [500, 60]]))
    assert result.problems[0].row == 3 and result.problems[0].col == "waist"


# --- the link ------------------------------------------------------------------------------------

waists = st.floats(40, 200, allow_nan=False).map(lambda x: round(x, 3))
weights = st.floats(20, 300, allow_nan=False).map(lambda x: round(x, 3))


@given(st.lists(st.tuples(waists, weights), min_size=2, max_size=kd.URL_MAX_ROWS))
def test_link_round_trip_is_exact(rows):
    data = np.array(rows, dtype=np.float64)
    text = kd.encode_url(data)
    assert text is not None
    np.testing.assert_array_equal(kd.parse_url(text).data, data)


def test_large_table_stays_out_of_the_link():
    data = np.tile(kd.default_dataset(), (9, 1))  # 108 rows
    assert kd.encode_url(data) is None
    assert kd.encode_url(data[: kd.URL_MAX_ROWS]) is not None


@pytest.mark.parametrize(
    "raw",
    [
        "<script>alert(1)</script>",
        "56,43",
        "56,43;58",
        "56,43,1;58,48",
        "56,43;58,1e999",
        "56,43;nan,48",
        "0,43;58,48",
        ";".join(["56,43"] * (kd.URL_MAX_ROWS + 1)),
        "",
        "x" * 5000,
    ],
)
def test_hostile_link_values_are_refused(raw):
    assert not kd.parse_url(raw).ok


# --- query range, grids, gaps ----------------------------------------------------------------


def test_query_range_covers_the_data_and_a_bit_more():
    lo, hi = kd.query_range(np.array([56.0, 95.0]))
    assert lo <= 51 and hi >= 100 and lo == int(lo) and hi == int(hi)
    lo, hi = kd.query_range(np.array([70.0, 70.0]))  # one waist only: still a range
    assert lo < 70 < hi


@given(st.floats(0, 250), st.floats(0.5, 300))
def test_query_grid_is_short_round_and_inside(lo, span):
    grid = kd.query_grid(lo, lo + span)
    assert 1 <= len(grid) <= 48
    assert grid[0] >= lo - 1e-9 and grid[-1] <= lo + span + 1e-9
    assert np.all(np.diff(grid) > 0)


# --- LaTeX -------------------------------------------------------------------------------------


def test_pair_formula_is_the_seed_example_computed():
    r = average_pooling([57.0], [43.0, 48.0])
    tex = latex.pair_formula(57.0, (56.0, 58.0), (43.0, 48.0), r.weights[0], r.prediction[0])
    assert tex.endswith("= 45.5")
    assert r"0.5 \cdot 43 + 0.5 \cdot 48" in tex


def test_weighted_terms_write_the_heaviest_terms_and_the_prediction():
    data = kd.default_dataset()
    r = nadaraya_watson([57.0], data[:, 0], data[:, 1], "gaussian", 5.0)
    tex, n_rest, rest = latex.weighted_terms(57.0, r.weights[0], data[:, 1], r.prediction[0])
    assert tex.startswith("f(57) = ") and tex.endswith(f"= {r.prediction[0]:.2f}")
    assert n_rest == 8
    top = np.sort(r.weights[0])[::-1]
    assert rest == pytest.approx(top[4:].sum())
    assert f"{top[0]:.3f}" in tex
    # every weight written, times its value, plus the rest, gives the prediction
    shown = np.argsort(-r.weights[0], kind="stable")[:4]
    partial = float(r.weights[0][shown] @ data[shown, 1])
    rest_part = float(np.delete(r.weights[0], shown) @ np.delete(data[:, 1], shown))
    assert partial + rest_part == pytest.approx(r.prediction[0])


@pytest.mark.parametrize("method", ["average", "nw", "parametric"])
def test_formulas_are_valid_latex_fragments(method):
    tex = latex.general_formula(method, "epanechnikov")
    assert tex.count("{") == tex.count("}")
    step = latex.key_step(method, "boxcar", 57.0, 56.0, 0.5, 12, 2.0)
    assert step.count("{") == step.count("}") and "nan" not in step


# --- figures -----------------------------------------------------------------------------------


def spec(fig) -> dict:
    """The figure's spec as the browser receives it, its arrays as lists."""
    return decode(json.loads(pio.to_json(fig)), lists=True)


def test_curve_has_a_gap_where_no_key_reaches_and_no_nan():
    data = kd.default_dataset()
    keys, values = data[:, 0], data[:, 1]
    grid = np.linspace(40, 110, 141)
    r = nadaraya_watson(np.concatenate([[57.0], grid]), keys, values, "boxcar", 2.0)
    gaps = uncovered_intervals(keys, 2.0, 40, 110)
    fig = figures.data_curve(
        keys, values, r.weights[0], grid, r.prediction[1:], 57.0, r.prediction[0], gaps, text=TEXT
    )
    text = pio.to_json(fig)
    assert "NaN" not in text
    s = spec(fig)
    curve = next(t for t in s["data"] if t.get("meta") == "curve")
    assert [y is None for y in curve["y"]] == list(r.uncovered[1:])
    assert len([sh for sh in s["layout"]["shapes"] if sh["type"] == "rect"]) == len(gaps)
    people = next(t for t in s["data"] if t.get("meta") == "data")
    assert np.argmax(people["marker"]["size"]) == np.argmax(r.weights[0])


def test_uncovered_query_draws_no_prediction_marker():
    data = kd.default_dataset()
    r = nadaraya_watson([120.0], data[:, 0], data[:, 1], "boxcar", 1.0)
    grid = np.linspace(50, 120, 11)
    fig = figures.data_curve(
        data[:, 0], data[:, 1], r.weights[0], grid, grid * np.nan, 120.0, r.prediction[0], [],
        text=TEXT,
    )  # fmt: skip
    assert all(t.get("meta") != "query" for t in spec(fig)["data"])
    bars = spec(figures.weight_bars(data[:, 0], r.weights[0], 120.0, (50, 120), text=TEXT))
    assert bars["layout"]["annotations"][0]["text"] == "none"


def test_bars_sum_the_weights_of_people_with_the_same_waist():
    keys = np.array([60.0, 56.0, 60.0])
    fig = figures.weight_bars(keys, np.array([0.25, 0.5, 0.25]), 58.0, (50, 70), text=TEXT)
    bar = spec(fig)["data"][0]
    assert bar["x"] == ["56", "60"]
    np.testing.assert_allclose(bar["y"], [0.5, 0.5])
    many = np.linspace(50, 100, 40)
    bar = spec(figures.weight_bars(many, np.full(40, 1 / 40), 70.0, (45, 105), text=TEXT))
    assert isinstance(bar["data"][0]["x"][0], float) and "texttemplate" not in bar["data"][0]


def test_heatmap_sorts_keys_and_greys_uncovered_rows():
    keys = np.array([70.0, 56.0, 63.0, 56.0])
    values = np.array([60.0, 43.0, 52.0, 45.0])
    queries = np.array([50.0, 56.0, 63.0, 70.0])
    r = nadaraya_watson(queries, keys, values, "boxcar", 2.0)
    s = spec(figures.weight_heatmap(keys, queries, r.weights, r.uncovered, 63.0, text=TEXT))
    trace = s["data"][0]
    assert trace["x"] == ["56", "56 (2)", "63", "70"]
    assert trace["z"][0] == [None] * 4  # 50 cm: nobody within 2 cm
    np.testing.assert_allclose(trace["z"][1], [0.5, 0.5, 0, 0])
    assert s["layout"]["shapes"][0]["y0"] == 1.5  # the row of 63 cm is outlined


def test_heatmap_of_many_keys_is_an_image():
    keys = np.linspace(50, 120, 200)
    queries = np.linspace(50, 120, 30)
    r = nadaraya_watson(queries, keys, keys * 0.8, "gaussian", 3.0)
    s = spec(figures.weight_heatmap(keys, queries, r.weights, r.uncovered, 60.0, text=TEXT))
    assert s["data"][0]["type"] == "image"


def test_loss_curve_draws_the_history_on_two_axes():
    fig = figures.loss_curve(np.array([3.0, 2.0, 1.5]), np.array([0.1, 0.2, 0.25]), text=TEXT)
    s = spec(fig)
    assert s["data"][0]["y"] == [3.0, 2.0, 1.5] and s["data"][1]["yaxis"] == "y2"


def test_unique_labels():
    assert figures.unique_labels([56.0, 58.5, 56.0, 56.0]) == ["56", "58.5", "56 (2)", "56 (3)"]


def test_table_keeps_every_digit_typed():
    frame = kd.table_frame(np.array([[56.1234567, 43.0000001], [58.0, 48.5]]))
    result = kd.read_table(frame)
    assert result.data[0, 0] == 56.1234567 and result.data[0, 1] == 43.0000001


def test_a_refused_cell_names_the_value_the_figures_still_use():
    last_good = np.array([[56.0, 43.0], [58.0, 48.0]])
    frame = kd.table_frame(np.array([[56.0, 43.0], [500.0, 48.0]]))
    result = kd.with_kept(kd.read_table(frame), last_good, len(frame))
    assert result.problems[0].value == 500.0 and result.problems[0].kept == 58.0
    # rows that no longer line up (one deleted, one blank) claim nothing
    shorter = kd.read_table(kd.table_frame(np.array([[500.0, 48.0]])))
    assert kd.with_kept(shorter, last_good, 1).problems[0].kept is None


def test_csv_blank_lines_are_named_by_line():
    result = kd.parse_csv(b"waist,weight\n56,43\n\n58,48\n\n")
    assert result.skipped_at == (3, 5) and len(result.data) == 2
