"""CNN vs self-attention page: every control, both languages, hostile links, numbers = core."""

import json

import numpy as np
import pytest

from app_pages.cnn_vs_attention import data, images
from attn_core.convolution import conv2d, conv_as_attention, receptive_field
from attn_core.vision import attention_spread, global_attention_map, local_attention_map
from tests.app.conftest import assert_ok, open_page
from tests.helpers import chart_keys, editor_key, link, link_params
from ui.i18n import catalog

PAGE = "app_pages/cnn_vs_attention/page.py"
NO_ROWS = {"added_rows": [], "deleted_rows": []}
CHARTS = (
    "picture",
    "rf",
    "attention",
    "static",
    "heads",
    "error",
    "outputs",
    "pretraining",
    "table2",
)


def metrics(at) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for m in at.metric:
        out.setdefault(m.label, []).append(m.value)
    return out


def spread_cells(at) -> dict[str, list[str]]:
    """The table under the attention maps: column label → [global, local]."""
    frame = at.table[0].value
    return {str(c): [str(v) for v in frame[c]] for c in frame.columns}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_renders_in_both_languages(lang):
    at = open_page(PAGE, lang=lang)
    assert_ok(at)
    text = catalog(lang)
    assert at.title[0].value == text["cnn_vs_attention.title"]
    assert chart_keys(at) == [f"cnn_vs_attention.fig.{c}" for c in CHARTS]
    assert [h.value for h in at.header][:2] == [
        text["cnn_vs_attention.pick.title"],
        text["cnn_vs_attention.cnn.title"],
    ]
    assert text["cnn_vs_attention.attn.n90"] in spread_cells(at)
    assert not at.error and not at.warning


def test_the_pages_numbers_are_the_cores():
    query = {
        "img": "cat",
        "size": "24",
        "row": "5",
        "col": "7",
        "tau": "0.1",
        "pos": "1.5",
        "window": "5",
        "alpha": "3",
        "kernel": "0,-1,0;-1,5,-1;0,-1,0",
        "layers": "3,2,1;5,1,2",
        "cmp": "checkerboard",
    }
    at = open_page(PAGE, query=query)
    assert_ok(at)
    rgb = images.builtin("cat", 24)
    x = images.to_unit(rgb)
    g = global_attention_map(x, (5, 7), tau=0.1, position_weight=1.5)
    loc = local_attention_map(x, (5, 7), window=5, tau=0.1, position_weight=1.5)
    m = metrics(at)
    cells = spread_cells(at)
    en = catalog("en")
    assert cells[en["cnn_vs_attention.attn.self"]] == [f"{g[5, 7]:.3f}", f"{loc[5, 7]:.3f}"]
    assert cells[en["cnn_vs_attention.attn.n90"]][0] == str(attention_spread(g, (5, 7)).n90)
    dist = attention_spread(loc, (5, 7)).mean_distance
    assert cells[en["cnn_vs_attention.attn.dist"]][1] == f"{dist:.1f}"
    # the receptive field formula ends with the core's size
    rf = receptive_field([3, 5], [2, 1], [1, 2])
    assert at.latex[1].value.rstrip("$\n ").endswith(f"= {rf[-1]}")
    assert f"{rf[0]} × {rf[0]} → {rf[1]} × {rf[1]}" in at.markdown[4].value
    # the construction: largest error and the value at the pixel
    k = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=float)
    grey = images.grey(rgb)
    built = conv_as_attention(grey, k, 3.0, query=(5, 7))
    err = np.abs(built.output - conv2d(grey, k)).max()
    assert m[en["cnn_vs_attention.cordonnier.max_err"]] == [f"{err:.3g}"]
    assert f"{built.output[5, 7]:.6f}"[:6] in at.latex[5].value
    # static vs dynamic: same kernel numbers, attention moved
    other = global_attention_map(
        images.to_unit(images.builtin("checkerboard", 24)), (5, 7), tau=0.1, position_weight=1.5
    )
    moved = 0.5 * np.abs(g - other).sum()
    static_text = next(md.value for md in at.markdown if "**0**" in md.value)
    assert f"**{moved:.3f}**" in static_text
    assert "kernel=0,-1,0;-1,5,-1;0,-1,0" in link(at) and "img=cat" in link(at)


def test_attention_becomes_the_convolution_at_alpha_50():
    k = data.kernel("random", 5, seed=11)
    cells = ";".join(",".join(f"{v:g}" for v in row) for row in k)
    at = open_page(PAGE, query={"img": "coffee", "size": "64", "alpha": "50", "kernel": cells})
    assert_ok(at)
    err = float(metrics(at)[catalog("en")["cnn_vs_attention.cordonnier.max_err"]][0])
    assert err < 1e-9
    heads = metrics(at)[catalog("en")["cnn_vs_attention.cordonnier.heads_n"]]
    assert heads == ["25"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_control_changes_the_state_and_the_link(lang):
    at = open_page(PAGE, lang=lang)
    text = catalog(lang)
    at.session_state["cnn_vs_attention.img"] = "gradient"  # its label is translated: set the value
    at.select_slider(key="cnn_vs_attention.size").set_value(48.0).run()
    assert at.session_state["cnn_vs_attention.row"] == 9  # a larger picture keeps the pixel
    at.slider(key="cnn_vs_attention.row").set_value(40)
    at.slider(key="cnn_vs_attention.col").set_value(3)
    at.select_slider(key="cnn_vs_attention.tau").set_value(0.2)
    at.slider(key="cnn_vs_attention.pos").set_value(2.0)
    at.select_slider(key="cnn_vs_attention.window").set_value(9.0)
    at.session_state["cnn_vs_attention.cmp"] = "astronaut"
    at.select_slider(key="cnn_vs_attention.alpha").set_value(10.0)
    at.run()
    assert_ok(at)
    for part in (
        "img=gradient",
        "size=48",
        "row=40",
        "col=3",
        "tau=0.2",
        "pos=2",
        "window=9",
        "cmp=astronaut",
        "alpha=10",
    ):
        assert part in link(at), part
    # the CNN: number of layers, the three stacks, an edit in the table
    at.slider(key="cnn_vs_attention._n_layers").set_value(5).run()
    assert at.session_state["cnn_vs_attention.layers"].shape == (5, 3)
    at.button(key="cnn_vs_attention.stack.dilated").click().run()
    assert at.session_state["cnn_vs_attention.layers"][:, 2].tolist() == [1, 2, 4, 8, 16]
    at.button(key="cnn_vs_attention.stack.strided").click().run()
    assert at.session_state["cnn_vs_attention.layers"][:, 1].tolist() == [2] * 5
    at.button(key="cnn_vs_attention.stack.plain").click().run()
    key = editor_key(at, "cnn_vs_attention.layers")
    at.session_state[key] = {
        "edited_rows": {0: {text["cnn_vs_attention.cnn.col.kernel"]: 5.0}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert_ok(at)
    assert at.session_state["cnn_vs_attention.layers"][0].tolist() == [5, 1, 1]
    assert "layers=5,1,1;3,1,1;3,1,1;3,1,1;3,1,1" in link(at)
    # the kernel: size, every preset, an edit
    at.radio(key="cnn_vs_attention._ksize").set_value(5).run()
    assert np.allclose(at.session_state["cnn_vs_attention.kernel"], data.kernel("blur", 5))
    for name in data.KERNELS:
        at.button(key=f"cnn_vs_attention.kbtn.{name}").click().run()
        assert_ok(at)
        seed = at.session_state["cnn_vs_attention.seed"]
        assert np.allclose(at.session_state["cnn_vs_attention.kernel"], data.kernel(name, 5, seed))
    assert seed == 1 and "seed=1" in link(at)
    key = editor_key(at, "cnn_vs_attention.kernel")
    at.session_state[key] = {
        "edited_rows": {2: {"Δc=0": 3.0}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert_ok(at)
    assert at.session_state["cnn_vs_attention.kernel"][2, 2] == 3.0
    assert any(text["cnn_vs_attention.kernel.edited"] in c.value for c in at.caption)
    at.radio(key="cnn_vs_attention._ksize").set_value(3).run()  # an edited kernel keeps its centre
    assert at.session_state["cnn_vs_attention.kernel"][1, 1] == 3.0
    assert chart_keys(at) == [f"cnn_vs_attention.fig.{c}" for c in CHARTS]


def test_smaller_picture_moves_the_pixel_inside():
    at = open_page(PAGE, query={"size": "64", "row": "60", "col": "50"})
    at.select_slider(key="cnn_vs_attention.size").set_value(16.0).run()
    assert_ok(at)
    assert (at.session_state["cnn_vs_attention.row"], at.session_state["cnn_vs_attention.col"]) == (
        15,
        15,
    )
    assert any("16 × 16" in c.value for c in at.caption)


def test_hostile_links_give_notices_not_exceptions():
    query = {
        "img": "<script>alert(1)</script>",
        "size": "1e308",
        "row": "NaN",
        "col": "-7",
        "tau": "-1",
        "pos": "abc",
        "window": "4",
        "alpha": "1e9",
        "seed": "1.5",
        "cmp": "upload",
        "kernel": "1,2;3",
        "layers": "3,1;" * 30_000,
    }
    at = open_page(PAGE, query=query)
    assert_ok(at)
    notices = " ".join(w.value for w in at.warning)
    names = (
        "img",
        "size",
        "row",
        "col",
        "tau",
        "pos",
        "window",
        "alpha",
        "seed",
        "kernel",
        "layers",
    )
    for name in names:
        assert f"`{name}`" in notices, name
    assert "`kernel`" in notices and "`layers`" in notices
    assert "<script>" not in notices
    assert (
        at.session_state["cnn_vs_attention.size"] == 64.0
        and at.session_state["cnn_vs_attention.window"] == 5.0
    )
    assert at.session_state["cnn_vs_attention.cmp"] == "stripes"  # no upload to compare with
    assert chart_keys(at) == [f"cnn_vs_attention.fig.{c}" for c in CHARTS]


def test_link_with_a_kernel_or_layers_of_the_wrong_shape():
    query = {"kernel": "1,2,3,4;5,6,7,8;1,1,1,1", "layers": "2.5,1,0;3,9,1"}
    at = open_page(PAGE, query=query, lang="zh")
    assert_ok(at)
    notices = " ".join(w.value for w in at.warning)
    assert "3 × 4" in notices
    assert np.allclose(at.session_state["cnn_vs_attention.kernel"], data.kernel("blur", 3))
    assert at.session_state["cnn_vs_attention.layers"].tolist() == [[2, 1, 1], [3, 4, 1]]  # 2.5 → 2


def test_uploaded_picture_is_used_and_left_out_of_the_link():
    at = open_page(PAGE, query={"img": "upload"})
    assert_ok(at)
    assert any(
        catalog("en")["cnn_vs_attention.img.shapes"] in i.value for i in at.info
    )  # placeholder
    picture = np.zeros((20, 40, 3), dtype=np.uint8)
    picture[:, 20:] = 255
    at.session_state["cnn_vs_attention._upload"] = ("abc", picture)
    at.slider(key="cnn_vs_attention.col").set_value(30)
    at.run()
    assert_ok(at)
    assert not at.info
    assert "img=" not in link(at)
    left_out = [c.value for c in at.sidebar.caption]
    assert any("img" in c for c in left_out)
    g = global_attention_map(images.to_unit(images.fit(picture, 32)), (9, 30), tau=0.05)
    assert spread_cells(at)[catalog("en")["cnn_vs_attention.attn.self"]][0] == f"{g[9, 30]:.3f}"
    assert (
        catalog("en")["cnn_vs_attention.img.upload"]
        in at.selectbox(key="cnn_vs_attention.cmp").options
    )


# The charts of each section, in screen order (presentation mode shows one section at a time).
SECTION_CHARTS = (
    ("picture",),
    ("rf",),
    ("attention",),
    ("static",),
    ("heads", "error", "outputs"),
    ("pretraining", "table2"),
)


def test_presentation_mode_shows_one_section_at_a_time_with_its_explanation_folded():
    assert [c for group in SECTION_CHARTS for c in group] == list(CHARTS)
    zh = catalog("zh")
    at = open_page(PAGE, query={"pres": "1", "row": "4"}, lang="zh")
    for number, charts in enumerate(SECTION_CHARTS, start=1):
        assert_ok(at)
        assert [h.value for h in at.header] == [zh[f"cnn_vs_attention.{TITLES[number - 1]}.title"]]
        assert chart_keys(at) == [f"cnn_vs_attention.fig.{c}" for c in charts]
        assert zh["app.explanation"] in [e.label for e in at.expander]  # folded
        spec = json.loads(at.get("plotly_chart")[0].proto.spec)
        assert spec["layout"]["font"]["size"] == 20  # the projector's type size
        assert link_params(at).get("sec", "1") == str(number)  # 1, the default, is left out
        if number < len(SECTION_CHARTS):
            at.button(key="cnn_vs_attention._sec_next").click().run()
    assert at.button(key="cnn_vs_attention._sec_next").disabled
    assert link_params(at)["row"] == "4"  # the view travels along
    # the link of section 2 reopens section 2
    second = open_page(PAGE, query={"pres": "1", "sec": "2"}, lang="zh")
    assert chart_keys(second) == ["cnn_vs_attention.fig.rf"]


TITLES = ("pick", "cnn", "attn", "static", "cordonnier", "data")
