"""The Chinese text uses the seed articles' terms, the same way in every catalog.

The glossary (``assets/locales/glossary.json``) pairs each English term with the Chinese term of
the seeds and lists the variants that must not appear. Two checks run over every key:

- no forbidden variant appears in any Chinese string (e.g. 打分函数 where the seeds say
  注意力评分函数, 掩码 where the book the seeds follow says 掩蔽);
- where the English string uses a term, the Chinese string of the same key uses the seeds' term,
  unless the glossary's ``exceptions`` name that key and term with a reason.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from ui.i18n import LOCALES_DIR, catalog

GLOSSARY_PATH = LOCALES_DIR / "glossary.json"
SEEDS_DIR = Path(__file__).resolve().parents[2] / "shared" / "seeds"
# LaTeX, Markdown code and {placeholders} are not prose: "\operatorname{softmax}" or `attn_core.
# complexity` must not count as the English word.
NOT_PROSE = re.compile(r"\$[^$]*\$|`[^`]*`|\{[^{}]*\}")


@cache
def glossary() -> dict:
    return json.loads(GLOSSARY_PATH.read_text(encoding="utf-8"))


def terms() -> list[dict]:
    return glossary()["terms"]


def prose(text: str) -> str:
    return NOT_PROSE.sub(" ", text)


def uses_term(zh: str, term: dict) -> bool:
    if "zh_pattern" in term:
        return re.search(term["zh_pattern"], zh) is not None
    return any(form in zh for form in term.get("zh_accept", [term["zh"]]))


def missing_terms(en: dict[str, str], zh: dict[str, str], term: dict) -> list[str]:
    """Keys whose English uses the term while the Chinese does not."""
    pattern = re.compile(term["en_pattern"], re.IGNORECASE)
    return sorted(
        k for k, text in en.items() if pattern.search(prose(text)) and not uses_term(zh[k], term)
    )


def forbidden_uses(zh: dict[str, str], term: dict) -> list[tuple[str, str]]:
    return sorted((k, bad) for k, text in zh.items() for bad in term["forbidden"] if bad in text)


def excepted(term_id: str) -> set[str]:
    return {e["key"] for e in glossary()["exceptions"] if e["term"] == term_id}


# --- the glossary itself ------------------------------------------------------------------------


def test_glossary_is_well_formed():
    ids = [t["id"] for t in terms()]
    assert len(ids) == len(set(ids)), "duplicate ids"
    for term in terms():
        re.compile(term["en_pattern"])
        if "zh_pattern" in term:
            re.compile(term["zh_pattern"])
        assert term["zh"] and isinstance(term["forbidden"], list)
        # a term never forbids its own accepted forms
        accepted = term.get("zh_accept", [term["zh"]])
        assert not [b for b in term["forbidden"] if any(b in a for a in accepted)], term["id"]
        assert term.get("seed") or term.get("note"), f"{term['id']}: say where the term comes from"
    for e in glossary()["exceptions"]:
        assert e["term"] in ids and e.get("why"), e
        assert e["key"] in catalog("en"), f"exception for a key that no longer exists: {e['key']}"


def test_the_english_patterns_find_their_terms():
    for term in terms():
        assert re.search(term["en_pattern"], term["en"], re.IGNORECASE), term["id"]


@pytest.mark.skipif(not SEEDS_DIR.is_dir(), reason="the seed articles are not next to the project")
def test_each_term_is_in_the_seed_it_cites():
    seeds = {p.name[:3]: p.read_text(encoding="utf-8") for p in SEEDS_DIR.glob("*.txt")}
    for term in terms():
        if term.get("seed") is None:
            continue
        text = seeds[term["seed"]]
        assert term.get("seed_has", term["zh"]) in text, term["id"]
        if term.get("quote"):
            assert term["quote"] in text, f"{term['id']}: the quote is not in seed {term['seed']}"
            assert term.get("seed_has", term["zh"]) in term["quote"], term["id"]


# --- the catalogs -------------------------------------------------------------------------------


@pytest.mark.parametrize("term", terms(), ids=lambda t: t["id"])
def test_no_forbidden_variant_in_chinese(term):
    assert forbidden_uses(catalog("zh"), term) == []


@pytest.mark.parametrize("term", terms(), ids=lambda t: t["id"])
def test_chinese_uses_the_seed_term_where_english_uses_the_term(term):
    missing = missing_terms(catalog("en"), catalog("zh"), term)
    assert [k for k in missing if k not in excepted(term["id"])] == []


def test_every_exception_is_still_needed():
    """An exception whose Chinese now uses the term (or whose English dropped it) is removed."""
    by_id = {t["id"]: t for t in terms()}
    stale = [
        (e["key"], e["term"])
        for e in glossary()["exceptions"]
        if e["key"] not in missing_terms(catalog("en"), catalog("zh"), by_id[e["term"]])
    ]
    assert stale == []


def test_both_cue_names_on_the_overview():
    """The overview names the pair in each language (volitional / non-volitional cues)."""
    en = " ".join(v for k, v in catalog("en").items() if k.startswith("overview."))
    zh = " ".join(v for k, v in catalog("zh").items() if k.startswith("overview."))
    assert re.search(r"(?<!non-)\bvolitional cue", en) and "non-volitional cue" in en
    assert re.search("(?<!非)自主性提示", zh) and "非自主性提示" in zh


def test_the_checks_catch_a_wrong_term():
    """The helpers flag a planted error (so a pass above means something)."""
    by_id = {t["id"]: t for t in terms()}
    en = {"k": "The score function compares a query with a key."}
    zh = {"k": "打分函数比较查询和键。"}
    assert missing_terms(en, zh, by_id["score_function"]) == ["k"]
    assert forbidden_uses(zh, by_id["score_function"]) == [("k", "打分")]
    assert missing_terms(en, {"k": "注意力评分函数比较查询和键。"}, by_id["score_function"]) == []
    # LaTeX is not prose: \operatorname{softmax} alone does not ask for the word
    assert (
        missing_terms({"k": r"$\operatorname{softmax}(x)$"}, {"k": "公式"}, by_id["softmax"]) == []
    )
