"""Screenshots of every page in presentation mode at 1280 × 720, in English and Chinese.

    .venv/bin/python docs/screenshots.py            # every page, both languages
    .venv/bin/python docs/screenshots.py --only qkv,softmax --lang zh

Starts the app on a free port, opens each page with ``?pres=1&lang=…`` in headless Chromium
(``/usr/bin/chromium``; Chinese needs a CJK font such as Debian's ``fonts-noto-cjk``) and saves
what a projector shows into ``docs/presentation/<page>-<lang>.png``: the viewport, scrolled so
that the page's first figure is in view under its controls. PNGs are reduced to a 256-colour
palette (each stays well under 300 KB).
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, free_port, open_app, start_server  # noqa: E402
from tests.e2e.test_presentation_e2e import ALL_DRAWN, VIEWPORT  # noqa: E402
from ui.navigation import available  # noqa: E402

OUT = ROOT / "docs" / "presentation"
LANGS = ("en", "zh")
HEADER_PX = 60  # the app's top bar in presentation mode covers this much of the viewport

# Scroll the page so its first figure is in view: its bottom at the bottom of the screen when
# it fits (the controls above it stay in view), else its top just under the top bar.
SCROLL_TO_FIGURE = """
(header) => {
  const main = document.querySelector('[data-testid="stMain"]');
  const fig = document.querySelector('[data-testid="stPlotlyChart"]');
  if (!main || !fig) return 0;
  const box = fig.getBoundingClientRect();
  const room = window.innerHeight - header;
  const shift = box.height <= room ? box.bottom + 12 - window.innerHeight : box.top - header;
  main.scrollBy(0, Math.max(0, shift));
  return main.scrollTop;
}
"""


def name(url_path: str) -> str:
    return url_path or "overview"


def shoot(pages: list[str], langs: list[str]) -> list[Path]:
    from PIL import Image

    OUT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server = start_server(port)
    saved = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport=VIEWPORT)
            for lang in langs:
                for path in pages:
                    open_app(page, f"http://127.0.0.1:{port}/{path}?pres=1&lang={lang}")
                    page.locator('[data-testid="stMain"] h1').first.wait_for()
                    page.wait_for_function(ALL_DRAWN, timeout=30_000)
                    page.wait_for_timeout(600)
                    page.evaluate(SCROLL_TO_FIGURE, HEADER_PX)
                    page.wait_for_timeout(400)
                    png = page.screenshot()
                    image = Image.open(io.BytesIO(png)).convert("RGB")
                    target = OUT / f"{name(path)}-{lang}.png"
                    image.quantize(colors=256, dither=Image.Dither.NONE).save(target, optimize=True)
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
    args = parser.parse_args()
    pages = [p.url_path for p in available()]
    if args.only:
        wanted = set(args.only.split(","))
        pages = [p for p in pages if name(p) in wanted]
    shoot(pages, [args.lang] if args.lang else list(LANGS))


if __name__ == "__main__":
    main()
