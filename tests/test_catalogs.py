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
    *sorted((ROOT / "app_pages").glob("*/*.py")),  # pages that are a package
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


# A widget's label, help or placeholder written as a literal string would not translate. The one
# literal is the language switch, labelled in both languages so that either reader finds it.
WIDGET_CALL = re.compile(
    r"\.(?:button|checkbox|data_editor|download_button|expander|file_uploader|metric|multiselect|"
    r"number_input|pills|radio|segmented_control|select_slider|selectbox|slider|text_area|"
    r"text_input|toggle|progress|spinner|popover|tabs)\(\s*f?[\"']"
)
LITERAL_TEXT_ARG = re.compile(
    r"\b(?:help|placeholder|label|caption|text)=\s*f?[\"'][^\"']*[A-Za-z]"
)
ALLOWED_LITERALS = {("app.py", '"Language · 语言"')}


def literal_widget_texts(source: str) -> list[str]:
    hits = []
    for m in (*WIDGET_CALL.finditer(source), *LITERAL_TEXT_ARG.finditer(source)):
        line = source[: m.start()].count("\n") + 1
        hits.append(f"{line}: {source[m.start() : m.end() + 30].splitlines()[0]}")
    return hits


def test_widget_texts_go_through_t():
    found = []
    for src in SOURCES:
        text = src.read_text(encoding="utf-8")
        for label_file, literal in ALLOWED_LITERALS:
            if src.name == label_file:
                text = text.replace(literal, "t(...)")
        found += [f"{src.name}:{hit}" for hit in literal_widget_texts(text)]
    assert found == []


def test_the_literal_scan_finds_a_literal_label():
    assert literal_widget_texts('st.slider("Temperature", 0, 1)')
    assert literal_widget_texts('st.text_input(t("x"), help="Type here")')
    assert (
        literal_widget_texts('st.slider(t("softmax.tau"), 0, 1, help=t("softmax.tau.help"))') == []
    )


def test_the_chinese_help_says_which_widget_words_stay_english():
    """Streamlit draws some words itself (“Browse files”); the sidebar help says so, in Chinese."""
    zh = catalog("zh")["app.language.help"]
    assert "Streamlit" in zh and "Browse files" in zh and "英文" in zh


NUMBER = re.compile(r"(?<![\w{])\d+(?:[.,]\d+)*")
# Numbers the Chinese says in words or in its own units: "2-D" is 二维, "rounded to 0.01" is
# 保留两位小数, and millions become 万 / 亿 (1.3 M = 130 万, 14 M = 1400 万, 303 M = 3.03 亿).
NUMBERS_SAID_OTHERWISE = {
    "alignment.hard.after": {"2"},
    "cnn_vs_attention.kernel.random.help": {"0.01"},
    "cnn_vs_attention.data.count.0": {"1.3"},
    "cnn_vs_attention.data.count.1": {"14"},
    "cnn_vs_attention.data.count.2": {"303"},
}


def numbers(text: str) -> set[str]:
    """The literal numbers of a text, placeholders left out, thousands separators dropped."""
    return {n.replace(",", "") for n in NUMBER.findall(re.sub(r"\{[^{}]*\}", " ", text))}


def test_every_number_in_english_is_in_chinese():
    en, zh = catalog("en"), catalog("zh")
    lost = {
        k: sorted(numbers(v) - numbers(zh[k]) - NUMBERS_SAID_OTHERWISE.get(k, set()))
        for k, v in en.items()
        if k in zh
    }
    assert {k: v for k, v in lost.items() if v} == {}


def test_the_number_check_sees_a_wrong_number():
    assert numbers("at most 1,000 rows and 1 MB, d = {d}") == {"1000", "1"}
    assert numbers("最多 100 行") - numbers("at most 1,000 rows") == {"100"}


FORMULA = re.compile(r"\$[^$]+\$")


def test_chinese_keeps_the_formulas_of_the_english():
    """Every $…$ formula of the English is in the Chinese of the same key, and no other."""
    en, zh = catalog("en"), catalog("zh")
    differ = {
        k: set(FORMULA.findall(v)) ^ set(FORMULA.findall(zh[k]))
        for k, v in en.items()
        if k in zh and set(FORMULA.findall(v)) != set(FORMULA.findall(zh[k]))
    }
    assert differ == {}


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_markdown_marks_come_in_pairs(lang):
    """An odd number of **, ` or $ would leave bold, code or a formula open to the end."""
    odd = [
        k
        for k, v in catalog(lang).items()
        if v.count("**") % 2 or v.count("`") % 2 or v.replace(r"\$", "").count("$") % 2
    ]
    assert odd == []
