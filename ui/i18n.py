"""Translated text: ``t(key, **values)`` over the catalogs in ``assets/locales/<lang>/``.

Each catalog file is one namespace: ``assets/locales/en/qkv.json`` holds the keys ``qkv.*``.
Nested objects flatten with dots; a ``"_"`` entry names the object itself. The language is
per session (``st.session_state``), never a process-wide setting, so two browsers can read
the app in two languages at once.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, Final

import streamlit as st

LOCALES_DIR: Final = Path(__file__).resolve().parent.parent / "assets" / "locales"
LANGUAGES: Final = {"en": "English", "zh": "中文"}
DEFAULT_LANGUAGE: Final = "en"
LANG_KEY: Final = "app.lang"


def _flatten(prefix: str, tree: dict[str, Any], out: dict[str, str]) -> None:
    for name, value in tree.items():
        key = prefix if name == "_" else f"{prefix}.{name}"
        if isinstance(value, dict):
            _flatten(key, value, out)
        else:
            out[key] = str(value)


@cache
def catalog(lang: str) -> dict[str, str]:
    """Every key of one language, flattened (read once per process; read-only)."""
    out: dict[str, str] = {}
    for path in sorted((LOCALES_DIR / lang).glob("*.json")):
        _flatten(path.stem, json.loads(path.read_text(encoding="utf-8")), out)
    return out


def language_from_locale(locale: str | None) -> str:
    """Map a browser locale such as ``zh-CN`` to one of our languages."""
    if locale and locale.lower().startswith("zh"):
        return "zh"
    return DEFAULT_LANGUAGE


def current_language() -> str:
    """The language of this session."""
    lang = st.session_state.get(LANG_KEY, DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, /, **values: Any) -> str:
    """The text for ``key`` in this session's language, with ``{name}`` fields filled in.

    A missing key shows as itself (a test fails on any such key), never as an exception.
    """
    text = catalog(current_language()).get(key)
    if text is None:
        text = catalog(DEFAULT_LANGUAGE).get(key, key)
    if values:
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError):
            return text
    return text
