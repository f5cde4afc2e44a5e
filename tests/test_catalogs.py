"""The English and Chinese catalogs are complete and every key the code uses exists."""

import re
import string
from pathlib import Path

import pytest

from ui.i18n import LANGUAGES, catalog

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [
    ROOT / "app.py",
    *sorted((ROOT / "app_pages").glob("*.py")),
    *sorted((ROOT / "ui").glob("*.py")),
]
LITERAL_KEY = re.compile(r"""\bt\(\s*["']([a-z_]+\.[A-Za-z0-9_.]+)["']""")


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_the_same_keys():
    en, zh = catalog("en"), catalog("zh")
    assert set(en) - set(zh) == set(), "missing in zh"
    assert set(zh) - set(en) == set(), "missing in en"


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_no_empty_text(lang):
    assert [k for k, v in catalog(lang).items() if not v.strip()] == []


def test_placeholders_agree_between_languages():
    en, zh = catalog("en"), catalog("zh")
    assert {k: fields(v) for k, v in en.items()} == {k: fields(zh[k]) for k in en}


def test_every_literal_key_in_the_code_exists():
    en = catalog("en")
    used = {m for src in SOURCES for m in LITERAL_KEY.findall(src.read_text(encoding="utf-8"))}
    assert used, "the scan found no keys at all"
    assert sorted(k for k in used if k not in en) == []
