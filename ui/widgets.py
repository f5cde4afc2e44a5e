"""Widgets the pages share."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import streamlit as st

from ui import layout, state
from ui.i18n import t

T = TypeVar("T")

NICE_MANTISSAS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)  # ~evenly spaced in log


def control(
    widget: Callable[..., T],
    b: state.Binding,
    name: str,
    *args: Any,
    label_key: str | None = None,
    help: bool | str = False,
    named_options: bool = False,
    **kwargs: Any,
) -> T:
    """Draw ``widget`` (``st.slider``, ``c1.radio``, …) for the page's parameter ``name``.

    The catalog keys follow the session key ``<page>.<name>``: the label is ``t("<page>.<name>")``
    (or ``t(label_key)``), ``help=True`` adds ``t("<page>.<name>.help")`` (a string: that catalog
    key), and ``named_options=True`` shows each option ``o`` of ``args[0]`` as
    ``t("<page>.<name>.<o>")``. Everything else goes to the widget as it is.
    """
    key = b.key(name)
    if help:
        kwargs["help"] = t(f"{key}.help" if help is True else help)
    if named_options:
        options = kwargs.get("options", args[0] if args else ())
        kwargs["format_func"] = {o: t(f"{key}.{o}") for o in options}.__getitem__
    return widget(t(label_key or key), *args, key=key, **kwargs)


def export_csv(
    ns: str,
    name: str,
    frame: pd.DataFrame | Callable[[], pd.DataFrame],
    *view: object,
    index: bool = True,
) -> None:
    """The CSV download of a table (``layout.download_csv``) by the catalog convention: label
    ``t("<ns>.export.<name>")``, file ``layout.export_name("<ns>.<name>", *view)`` + ``.csv``,
    widget key ``<ns>.dl.<name>``."""
    layout.download_csv(
        t(f"{ns}.export.{name}"),
        frame,
        f"{layout.export_name(f'{ns}.{name}', *view)}.csv",
        key=f"{ns}.dl.{name}",
        index=index,
    )


def log_grid(lo: float, hi: float) -> tuple[float, ...]:
    """Round numbers from ``lo`` to ``hi``, roughly evenly spaced on a log scale.

    About ten steps per factor of ten (…, 0.5, 0.6, 0.8, 1, 1.2, 1.5, 2, …), so values a
    teacher would type (0.1, 0.5, 1, 2, 10) are all on the slider.
    """
    out = {float(f"{lo:.3g}"), float(f"{hi:.3g}")}
    for decade in range(int(np.floor(np.log10(lo))), int(np.ceil(np.log10(hi))) + 1):
        for m in NICE_MANTISSAS:
            v = float(f"{m * 10.0**decade:.3g}")
            if lo <= v <= hi:
                out.add(v)
    return tuple(sorted(out))


def log_slider(
    label: str, key: str, grid: tuple[float, ...], help: str | None = None, **kwargs: Any
) -> float:
    """A slider whose steps are evenly spaced on a log scale (the value is in session state);
    ``kwargs`` (``on_change``, ``disabled`` …) go to the slider."""
    return float(
        st.select_slider(
            label, options=grid, key=key, format_func=lambda v: f"{v:g}", help=help, **kwargs
        )
    )


def _number(value: Any) -> float | None:
    """``value`` as a finite number (``8``, ``"8"``, ``8.0``, ``np.int64(8)``); else ``None``."""
    if value is None or isinstance(value, (bool, np.bool_)):
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _is_number(option: Any) -> bool:
    return isinstance(option, (int, float, np.integer, np.floating)) and not isinstance(
        option, (bool, np.bool_)
    )


def _label(format_func: Callable[[Any], Any], value: Any) -> str | None:
    try:
        return str(format_func(value))
    except Exception:
        return None


def as_option(
    value: Any, options: Sequence[T], format_func: Callable[[Any], Any] = str
) -> T | None:
    """The option that ``value`` stands for, whatever its type; ``None`` when there is none.

    A widget hands back its value as the browser sent it: the option itself, its number as
    text (``"8"``), or its label when the options changed under a quick click.
    """
    for option in options:  # the usual case: the option itself
        if type(option) is type(value) and option == value:
            return option
    x = _number(value)
    for option in options:
        if x is not None and _is_number(option) and float(option) == x:
            return option
        if isinstance(value, str) and not _is_number(option) and str(option) == value:
            return option
    if isinstance(value, str):  # a label of an option
        for option in options:
            if _label(format_func, option) == value:
                return option
    return None


def snap_choice(
    key: str,
    options: Sequence[T],
    *,
    label: str,
    format_func: Callable[[Any], Any] = str,
    pick: Callable[[float], T | None] | None = None,
    default: T | None = None,
    reason: Callable[[str, str], str] | None = None,
    here: bool = False,
) -> T | None:
    """Make ``st.session_state[key]`` one of ``options`` before its widget is drawn.

    Call it before the radio, selectbox, select_slider or segmented control whose options
    depend on other controls. A value that is an option in another type (``"8"`` for ``8``)
    becomes that option. A value that is not (or no longer) an option is replaced by
    ``pick(old number)`` when the old value is a number and ``pick`` is given, else by the
    nearest numeric option, else by ``default`` (or the first option), and a notice names the
    old and the new value: ``reason(old, new)`` or a generic sentence with ``label``. The
    notice is drawn here (``here=True``, for a widget below the page's header) or at the top
    of the page for this run (in callbacks and before the header). Returns the value.
    """
    opts = list(options)
    if not opts or key not in st.session_state:
        return None
    value = st.session_state[key]
    option = as_option(value, opts, format_func)
    if option is not None:
        if option is not value:
            st.session_state[key] = option  # the same choice, in the options' own type
        return option
    x = _number(value)
    new: T | None = None
    if x is not None and pick is not None:
        try:
            new = as_option(pick(x), opts, format_func)
        except (TypeError, ValueError):
            new = None
    if new is None and x is not None and all(_is_number(o) for o in opts):
        new = min(opts, key=lambda o: (abs(float(o) - x), float(o)))  # ties: the smaller
    if new is None:
        new = default if default is not None and as_option(default, opts) is not None else opts[0]
    st.session_state[key] = new
    if value is None:
        old_text = "—"
    elif x is not None:
        old_text = f"{x:g}"
    else:  # a name of an option that is gone ("causal") reads as its label
        old_text = _label(format_func, value) or str(value)
    new_text = _label(format_func, new) or str(new)
    old_text, new_text = state.shown(old_text), state.shown(new_text)
    if reason is not None:
        text = reason(old_text, new_text)
    else:
        text = t("app.notice.choice", label=label, old=old_text, new=new_text)
    if here:
        st.warning(text, icon="⚠️")
    else:
        state.flash(text)
    return new
