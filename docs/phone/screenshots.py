"""Screenshots of every page on a phone (an iPhone 13: 390 × 664 CSS px of page, a mobile
browser's user agent), in English and Chinese.

    .venv/bin/python docs/phone/screenshots.py            # every page, both languages
    .venv/bin/python docs/phone/screenshots.py --only qkv,softmax --lang zh
    .venv/bin/python docs/phone/screenshots.py --figures /tmp/phone   # every figure, to check

Starts the app on a free port, opens each page with ``?lang=…`` in headless Chromium and saves
what the phone shows into ``docs/phone/<page>-<lang>.png``: the screen, scrolled so that the
page's first figure is in view (at a device scale of 2, as a phone draws it). ``--figures DIR``
also saves each figure of each page on its own (``<page>-<lang>-<n>.png``) for a closer look.
PNGs are reduced to a 256-colour palette.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, free_port, open_app, start_server  # noqa: E402
from tests.e2e.test_labels_e2e import figures_drawn  # noqa: E402
from tests.e2e.test_phone_e2e import PHONE  # noqa: E402
from ui.navigation import available  # noqa: E402

OUT = ROOT / "docs" / "phone"
LANGS = ("en", "zh")
HEADER_PX = 60  # the app's top bar covers this much of the screen

# Scroll so the first figure is in view: its top just under the top bar.
SCROLL_TO_FIGURE = """
(header) => {
  const main = document.querySelector('[data-testid="stMain"]');
  const fig = document.querySelector('[data-testid="stPlotlyChart"]');
  if (!main || !fig) return 0;
  main.scrollBy(0, Math.max(0, fig.getBoundingClientRect().top - header));
  return main.scrollTop;
}
"""


def name(url_path: str) -> str:
    return url_path or "overview"


def save(png: bytes, target: Path) -> Path:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.quantize(colors=256, dither=Image.Dither.NONE).save(target, optimize=True)
    return target


def shoot(pages: list[str], langs: list[str], figures_dir: Path | None = None) -> list[Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server = start_server(port)
    saved = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            device = {**pw.devices[PHONE], "device_scale_factor": 2}
            device.pop("default_browser_type", None)
            page = browser.new_context(**device).new_page()
            for lang in langs:
                for path in pages:
                    open_app(page, f"http://127.0.0.1:{port}/{path}?lang={lang}")
                    figures_drawn(page)
                    if figures_dir is not None:
                        figures_dir.mkdir(parents=True, exist_ok=True)
                        page.set_viewport_size({"width": 390, "height": 2400})  # whole figures
                        page.wait_for_timeout(500)
                        charts = page.locator('[data-testid="stPlotlyChart"]')
                        for i in range(charts.count()):
                            charts.nth(i).scroll_into_view_if_needed()
                            page.wait_for_timeout(200)
                            shot = figures_dir / f"{name(path)}-{lang}-{i}.png"
                            save(charts.nth(i).screenshot(), shot)
                        page.set_viewport_size(device["viewport"])
                        open_app(page, f"http://127.0.0.1:{port}/{path}?lang={lang}")
                        figures_drawn(page)
                    page.evaluate(SCROLL_TO_FIGURE, HEADER_PX)
                    page.wait_for_timeout(500)
                    target = save(page.screenshot(), OUT / f"{name(path)}-{lang}.png")
                    saved.append(target)
                    print(f"{target.relative_to(ROOT)}  {target.stat().st_size // 1024} KB")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", help="URL names, comma-separated (overview for /)")
    parser.add_argument("--lang", choices=LANGS, help="one language (default: both)")
    parser.add_argument("--figures", type=Path, help="also save every figure into this folder")
    args = parser.parse_args()
    pages = [p.url_path for p in available()]
    if args.only:
        wanted = {"" if w == "overview" else w for w in args.only.split(",")}
        pages = [p for p in pages if p in wanted]
    shoot(pages, [args.lang] if args.lang else list(LANGS), args.figures)


if __name__ == "__main__":
    main()
