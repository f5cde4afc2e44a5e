"""The pages of the app, in syllabus order. Titles and blurbs come from the catalogs.

Only pages whose file exists are registered, so the list never shows a placeholder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PageInfo:
    ns: str  # catalog namespace: title is t(f"{ns}.title"), blurb t(f"{ns}.blurb")
    path: str  # file, relative to the project root
    url_path: str  # stable URL path ("" for the default page)
    icon: str


PAGES: Final = (
    PageInfo("overview", "app_pages/overview/page.py", "", ":material/home:"),
    PageInfo("qkv", "app_pages/qkv/page.py", "qkv", ":material/grid_on:"),
    PageInfo(
        "waist_weight", "app_pages/waist_weight/page.py", "waist-weight", ":material/scatter_plot:"
    ),
    PageInfo("softmax", "app_pages/softmax/page.py", "softmax", ":material/thermostat:"),
    PageInfo(
        "alignment",
        "app_pages/alignment/page.py",
        "alignment",
        ":material/align_horizontal_center:",
    ),
    PageInfo(
        "self_attention", "app_pages/self_attention/page.py", "self-attention", ":material/hub:"
    ),
    PageInfo(
        "trained_model", "app_pages/trained_model/page.py", "trained-model", ":material/psychology:"
    ),
    PageInfo(
        "cnn_vs_attention",
        "app_pages/cnn_vs_attention/page.py",
        "cnn-vs-attention",
        ":material/image:",
    ),
    PageInfo("complexity", "app_pages/complexity/page.py", "complexity", ":material/speed:"),
)


def available() -> list[PageInfo]:
    """The pages that exist, in order."""
    return [p for p in PAGES if (ROOT / p.path).is_file()]
