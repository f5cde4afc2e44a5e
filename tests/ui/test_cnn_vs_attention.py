"""Pure helpers of the CNN-vs-attention page: kernels, stacks, formulas and figures."""

import numpy as np
import pytest

from app_pages.cnn_vs_attention import data, figures, images, text
from attn_core import conv2d, conv_as_attention, conv_attention_error, receptive_field


@pytest.mark.parametrize("size", data.KERNEL_SIZES)
@pytest.mark.parametrize("name", data.KERNELS)
def test_every_kernel_is_recognised_by_its_name(name, size):
    k = data.kernel(name, size, seed=7)
    assert k.shape == (size, size)
    assert data.kernel_name(k, seed=7) == name
    assert np.all(np.abs(k) <= data.KERNEL_LIMIT)


def test_kernel_facts():
    assert data.kernel("blur", 3).sum() == pytest.approx(1.0)
    assert data.kernel("sharpen", 5).sum() == pytest.approx(1.0)
    assert data.kernel("sobel_x", 3).tolist() == [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
    assert np.array_equal(data.kernel("sobel_y", 5), data.kernel("sobel_x", 5).T)
    edited = data.kernel("blur", 3) + 0.5
    assert data.kernel_name(edited) is None
    with pytest.raises(ValueError):
        data.kernel("blur", 4)


def test_resizing_a_kernel_keeps_its_centre():
    k = np.arange(25.0).reshape(5, 5)
    small = data.resize_kernel(k, 3)
    assert small.tolist() == k[1:4, 1:4].tolist()
    assert np.array_equal(data.resize_kernel(small, 5)[1:4, 1:4], small)


def test_stacks_and_their_receptive_fields():
    assert receptive_field(*data.stack("plain", 3).T).tolist() == [3, 5, 7]
    assert receptive_field(*data.stack("strided", 3).T).tolist() == [3, 7, 15]
    assert receptive_field(*data.stack("dilated", 3).T).tolist() == [3, 7, 15]
    grown = data.resize_stack(data.stack("dilated", 2), 4)
    assert grown[:, 2].tolist() == [1, 2, 2, 2]
    assert len(data.resize_stack(grown, 1)) == 1


def test_clean_stack_rounds_and_clips():
    out, changed = data.clean_stack(np.array([[2.6, 9.0, 0.0], [3.0, 1.0, 1.0]]))
    assert changed and out.tolist() == [[3, 4, 1], [3, 1, 1]]
    assert data.clean_stack(out)[1] is False


def test_published_numbers_are_the_papers():
    # Dosovitskiy et al. 2021, Table 5 (ImageNet row per pre-training set) and Table 2
    assert data.VIT_TABLE5["ViT-B/16"] == (77.91, 83.97, 84.15)
    assert data.VIT_TABLE5["ViT-L/16"] == (76.53, 85.15, 87.12)
    assert data.VIT_TABLE5["ViT-H/14"][0] is None
    assert [r[2] for r in data.TABLE2] == [88.55, 87.76, 87.54, 85.30]


def test_receptive_sum_ends_with_the_cores_number():
    for k, s, d in (([3, 3, 3], [1, 1, 1], [1, 1, 1]), ([5, 3, 3, 3, 3, 3], [2, 2, 1, 1, 1, 1],
                    [1, 1, 2, 4, 8, 16])):  # fmt: skip
        rule, line = text.receptive_sum(k, s, d)
        assert line.endswith(f"= {receptive_field(k, s, d)[-1]}")
        assert line.startswith(f"r_{{{len(k)}}}") and "J_{l-1}" in rule
    assert r"\dots" in text.receptive_sum([3] * 6, [1] * 6, [1] * 6)[1]


def test_construction_formula_shows_the_arrays_numbers():
    g = images.grey(images.builtin("shapes", 16))
    k = data.kernel("sharpen", 3)
    r = conv_as_attention(g, k, 3.0, query=(5, 6))
    conv = conv2d(g, k)
    score, output = text.construction_formula(3.0, 0.9, conv[5, 6], r.output[5, 6])
    assert "3.00" in score and "0.900000" in score
    assert f"{r.output[5, 6]:.6f}"[:7] in output and f"{conv[5, 6]:.6f}"[:7] in output


@pytest.mark.parametrize("size", [3, 5])
def test_construction_error_is_rounding_at_alpha_50(size):
    g = images.grey(images.builtin("cat", 64))
    k = data.kernel("random", size, seed=3)
    assert conv_attention_error(g, k, [50.0])[0] < 1e-9
    errors = conv_attention_error(g, k, [0.5, 2.0, 8.0, 20.0])
    assert errors[1] > errors[2] > errors[3]


def spec(fig) -> dict:
    """The figure as plain data (arrays stay NumPy arrays)."""
    return fig.to_dict()


def test_panels_send_pictures_as_png_not_numbers():
    rgb = images.builtin("cat", 64)
    m = np.random.default_rng(0).random((64, 64))
    fig = figures.panels(
        [
            figures.overlay_panel(rgb, m / m.sum(), title="a", pixel=(3, 4)),
            figures.matrix_panel(m, title="b", diverging=True),
        ],
        x_title="column",
        y_title="row",
    )
    s = spec(fig)
    images_ = [t for t in s["data"] if t["type"] == "image"]
    assert len(images_) == 2 and all(t["source"].startswith("data:image/png") for t in images_)
    assert len(fig.to_json()) < 60_000  # two 64 × 64 pictures, not 8,192 numbers
    assert s["layout"]["xaxis2"]["anchor"] == "y2" and s["layout"]["yaxis2"]["scaleanchor"] == "x2"
    marks = [t for t in s["data"] if t.get("marker", {}).get("symbol") == "x"]
    assert list(marks[0]["x"]) == [4] and list(marks[0]["y"]) == [3]


def test_panel_grid_domains_stay_inside_the_figure():
    rgb = images.builtin("shapes", 16)
    p = figures.overlay_panel(rgb, np.ones((16, 16)))
    s = spec(figures.panels([p, p, p, p], columns=2))
    for name, axis in s["layout"].items():
        if name.startswith(("xaxis", "yaxis")):
            lo, hi = axis["domain"]
            assert 0 <= lo < hi <= 1


def test_receptive_field_boxes_are_cut_at_the_edge():
    box = figures.clip_box((-2, 4, 3, 20), (16, 16), "layer 3", "#000")
    assert (box.r0, box.r1, box.c0, box.c1, box.dashed) == (0, 4, 3, 15, True)
    inside = figures.clip_box((1, 3, 1, 3), (16, 16), "", "#000")
    assert not inside.dashed


def test_blend_is_opaque_where_the_weight_is_largest():
    rgb = np.full((4, 4, 3), 128, dtype=np.uint8)
    m = np.zeros((4, 4))
    m[1, 1] = 1.0
    out, top = figures.blend(rgb, m)
    assert top == 1.0
    assert not np.array_equal(out[1, 1], out[0, 0])
    assert np.array_equal(out[0, 0], out[3, 3])


def test_head_maps_tile_every_head():
    g = images.grey(images.builtin("gradient", 16))
    r = conv_as_attention(g, np.ones((5, 5)), 4.0, query=(0, 8))  # at the top edge
    fig = figures.head_maps(r.weights, r.offsets, r.query, r.padding, titles=["t"] * 25)
    z = np.array(fig.data[0].z, dtype=float)
    assert z.shape == (5 * 7 + 4, 5 * 7 + 4)
    assert len(fig.data[2].text) == 25
    assert np.nanmax(z) == pytest.approx(r.weights.max())


def test_error_curve_puts_zero_on_the_floor_but_says_zero():
    fig = figures.error_curve(
        np.array([1.0, 50.0]), np.array([0.1, 0.0]), alpha=50.0, error=0.0, rounding=1e-15
    )
    assert fig.data[0].y[1] == pytest.approx(1e-16)
    assert fig.data[0].customdata[1] == 0
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"


def test_published_charts_carry_the_tables():
    fig = figures.pretraining_chart(
        data.PRETRAINING, data.VIT_TABLE5, dataset_labels=["a", "b", "c"]
    )
    assert [t.name for t in fig.data] == list(data.VIT_TABLE5)
    assert list(fig.data[4].y) == [85.13, 88.04]  # ViT-H/14: no ImageNet-only point
    bars = figures.table2_chart(data.TABLE2, labels=["a", "b", "c", "d"])
    assert list(bars.data[0].x) == [88.55, 87.76, 87.54, 85.30]


def test_presentation_mode_wraps_narrow_titles_and_lifts_panel_titles():
    """Builders leave sizes to ``layout.show_figure``; ``big`` only wraps what would run off a
    narrow column and lifts panel titles clear of bigger tick labels."""
    plain, big = (
        figures.pretraining_chart(
            data.PRETRAINING,
            data.VIT_TABLE5,
            title="ViT: ImageNet accuracy against pre-training data (Table 5)",
            x_title="Images seen in pre-training (log scale)",
            dataset_labels=["a", "b", "c"],
            big=flag,
        )
        for flag in (False, True)
    )
    assert "<br>" not in plain.layout.title.text and "<br>" in big.layout.title.text
    assert big.layout.height > plain.layout.height == 440
    assert plain.layout.font.size is None  # sized by layout.show_figure, not here
    rgb = images.builtin("shapes", 16)
    panel = figures.Panel(rgb, "t")
    lift = [figures.panels([panel], big=flag).layout.annotations[0].yshift for flag in (0, 1)]
    assert lift == [6, 13]
    assert figures.picture(rgb, title="t").layout.title.text == "t"  # one panel: the figure's


def test_attention_formula_shows_the_features_drawn():
    from attn_core.vision import global_attention_map, pixel_features

    x = images.to_unit(images.builtin("shapes", 16))
    g = global_attention_map(x, (4, 4), tau=0.2, position_weight=1.0)
    f = pixel_features(x, 1.0)[4, 4]
    rule, numbers = text.attention_formula(f, 0.2, g[4, 4])
    assert r"\tau" in rule and f"{g[4, 4]:.4f}"[:5] in numbers
    assert f"{f[0]:.3f}" in numbers and "0.200" in numbers


def test_every_figure_passes_plotlys_validation():
    """The builders skip validation for speed; Plotly's own check must still accept them."""
    import plotly.graph_objects as go

    rgb = images.builtin("coffee", 24)
    m = np.random.default_rng(4).random((24, 24))
    box = figures.clip_box((2, 6, 3, 9), rgb.shape, "layer 1", "#ffffff")
    g = images.grey(rgb)
    r = conv_as_attention(g, data.kernel("sobel_x", 5), 2.0, query=(3, 3))
    built = [
        figures.picture(rgb, pixel=(3, 4), boxes=[box], title="t", big=True),
        figures.panels(
            [
                figures.overlay_panel(rgb, m, title="a", pixel=(1, 1), boxes=(box,)),
                figures.overlay_panel(rgb, m - 0.5, diverging=True),
                figures.matrix_panel(m, diverging=True, title="c"),
            ],
            columns=2,
        ),
        figures.head_maps(r.weights, r.offsets, r.query, r.padding, titles=["t"] * 25),
        figures.error_curve(
            np.array([1.0, 2.0]), np.array([0.1, 0.0]), alpha=1.0, error=0.1, rounding=1e-15
        ),
        figures.pretraining_chart(
            data.PRETRAINING, data.VIT_TABLE5, dataset_labels=["a", "b", "c"]
        ),
        figures.table2_chart(data.TABLE2, labels=["a", "b", "c", "d"], hover=["h"] * 4),
    ]
    for fig in built:
        go.Figure(fig.to_dict())  # raises ValueError on any invalid property
        assert fig.layout.template.layout.font is not None  # the light template is there
