"""Every page against hostile and random links: no exception, the page renders, a notice says
what was not used as it was, and the link the page writes back is clean.

For each page in ``ui.navigation.available()`` (pages that land later are covered without an
edit) the parameters are read from the page's own bindings (``_state.bindings``): those of a
first run, and those bound only in some modes, found by running every option of its choices
once. From their specs (``tests.hostile``) come :data:`CASES` distinct query strings per page:
valid, edge and hostile values for all bound parameters at once, repeated parameters, unknown
parameters. The first ``len(PAYLOADS)`` cases give every parameter every generic payload.

What each run must show: no exception; the page's title; for every parameter bound in that run
whose link value is not usable as it is (``tests.hostile.accepted_as_is``, written from the
rules, not by calling ``parse``), the notice that names it — and no such notice for a usable
one; a value inside the parameter's domain; no injected markup in any Markdown; and a share
link whose every value parses back without a notice.

Speed: a fresh ``open_page`` cost ~270 ms for the overview on this 2-core machine, of which
~50 ms is Streamlit's full garbage collection after each run (``runner.postScriptGC``) and
~30 ms recompiling ``app.py`` and the page. Here each page is opened once with ``open_page``;
then every case runs as a *new session* on the same ``AppTest`` (``conftest.new_session``: a
new browser session opening the page's link, as ``open_page`` itself does), the scripts are
compiled once and the post-run GC is skipped. ``test_harness_opens_the_same_page_as_open_page``
checks that this shows the same page. Even so the pages' own work dominates: 60–230 ms of CPU
per run (measured: kernel, complexity ~60; overview, qkv, self_attention, alignment ~80–100;
softmax ~125; cnn_vs_attention ~210), ~170 s of CPU for 8 × 200 runs. So the 200 cases of a page are
split in :data:`CHUNKS` tests and ``make test`` runs ``pytest -n 2`` (pytest-xdist), which
spreads them over both cores.

Reproduce a failure: the message names the page, the case and its query;
``FUZZ_SEED=<s>`` changes the random cases, ``FUZZ_CASES=<n>`` their number.
"""

from __future__ import annotations

import os
import random
import re
import time
from collections.abc import Iterator
from typing import Any, Final
from urllib.parse import parse_qsl, urlencode, urlsplit

import numpy as np
import pytest
import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.util import patch_config_options

from tests.app.conftest import assert_ok, new_session, open_page
from tests.helpers import link
from tests.hostile import (
    AUTOLINKS,
    INJECTIONS,
    PAYLOADS,
    UNKNOWN_NAMES,
    accepted_as_is,
    in_domain,
    values_for,
)
from ui import state
from ui.i18n import LANGUAGES, catalog
from ui.navigation import PageInfo, available

CASES: Final = int(os.environ.get("FUZZ_CASES", "200"))
CHUNKS: Final = 4
SEED: Final = os.environ.get("FUZZ_SEED", "0")
BINDINGS: Final = "_state.bindings"
PAGES: Final = available()
MAX_QUERY: Final = 400_000  # characters; Streamlit drops a query string over 524,288 unread
MAX_DISCOVERY_RUNS: Final = 40

Query = dict[str, str | list[str]]


# --- a lighter harness ----------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def light_runs() -> Iterator[None]:
    """Compile each script once, skip the post-run full GC, show errors in full."""
    shared = ScriptCache()
    saved = app_test_module.ScriptCache
    app_test_module.ScriptCache = lambda: shared  # type: ignore[assignment,misc]
    options = {"runner.postScriptGC": False, "client.showErrorDetails": "full"}
    try:
        with patch_config_options(options):
            yield
    finally:
        app_test_module.ScriptCache = saved  # type: ignore[misc]


def bindings(at: AppTest) -> list[state.Binding]:
    return list(at.session_state[BINDINGS]) if BINDINGS in at.session_state else []


class PageHarness:
    """One page, opened once; then each query runs as a new session on that page's link."""

    def __init__(self, info: PageInfo):
        self.info = info
        self.at = open_page(info.path if info.url_path else None)
        assert_ok(self.at)
        self.params: dict[str, state.Param] = {}
        self._learn(self.at)
        self._discover()

    def open(self, query: Query) -> AppTest:
        new_session(self.at).query_params = dict(query)
        return self.at.run()

    def _learn(self, at: AppTest) -> None:
        for b in bindings(at):
            for p in b.params.values():
                self.params.setdefault(p.name, p)

    def _discover(self) -> None:
        """Parameters bound only in some modes: run each option of each choice once."""
        runs: list[Query] = []
        for name, p in list(self.params.items()):
            if name == "lang":
                continue
            if isinstance(p, state.Choice):
                runs += [{name: o} for o in p.options if o != p.default]
            elif isinstance(p, state.Flag):
                runs.append({name: "1"})
        for q in runs[:MAX_DISCOVERY_RUNS]:
            at = self.open(q)
            check(self, at, q, where=f"{self.info.ns} discovery {q}")
            self._learn(at)


_harnesses: dict[str, PageHarness] = {}


def harness(info: PageInfo) -> PageHarness:
    if info.ns not in _harnesses:
        _harnesses[info.ns] = PageHarness(info)
    return _harnesses[info.ns]


# --- cases ----------------------------------------------------------------------------------


_cases: dict[tuple[str, int], list[Query]] = {}


def make_cases(h: PageHarness, n: int) -> list[Query]:
    """``n`` distinct query strings for this page (the same ones on every run of the tests)."""
    if (h.info.ns, n) not in _cases:
        _cases[h.info.ns, n] = _make_cases(h, n)
    return _cases[h.info.ns, n]


def _make_cases(h: PageHarness, n: int) -> list[Query]:
    rng = random.Random(f"{SEED}:{h.info.ns}")
    names = sorted(h.params, key=lambda k: (k not in ("lang", "pres"), k))
    names.append(state.VERSION_PARAM)
    made = {
        name: values_for(h.params[name], rng, n=40) if name in h.params else ["1", "999", "x"]
        for name in names
    }
    choices = {name: p for name, p in h.params.items() if isinstance(p, state.Choice)}
    cases: list[Query] = []
    seen: set[str] = set()

    def add(q: Query) -> None:
        key = urlencode(q, doseq=True)
        while len(key) > MAX_QUERY:  # Streamlit would ignore the whole query string
            name = max(q, key=lambda k: len(urlencode({k: q[k]}, doseq=True)))
            q[name] = PAYLOADS[len(key) % 40]
            key = urlencode(q, doseq=True)
        if key not in seen:
            seen.add(key)
            cases.append(q)

    # every generic payload in every parameter, all parameters at once
    for i in range(len(PAYLOADS)):
        add({name: PAYLOADS[(i + 7 * j) % len(PAYLOADS)] for j, name in enumerate(names)})
    attempts = 0
    while len(cases) < n and attempts < 50 * n:
        attempts += 1
        q: Query = {}
        for name in names:
            r = rng.random()
            if r < 0.3:
                continue
            if name in choices and r < 0.6:  # a valid mode, so mode-bound parameters are read
                value = rng.choice(choices[name].options)
            else:
                value = rng.choice(made[name] if r < 0.85 and made[name] else PAYLOADS)
            if rng.random() < 0.08:  # repeated: ?x=a&x=b (the last one counts)
                q[name] = [rng.choice(PAYLOADS), value]
            else:
                q[name] = value
        for _ in range(rng.choice((0, 0, 1, 2))):
            q[rng.choice(UNKNOWN_NAMES)] = rng.choice(PAYLOADS)
        add(q)
    return cases[:n]


# --- what must hold -------------------------------------------------------------------------


def notice_prefixes(name: str) -> tuple[str, ...]:
    """How the notice about link parameter ``name`` starts, in every language."""
    return tuple(
        catalog(lang)["app.notice.param"].split("{raw}")[0].format(name=name) for lang in LANGUAGES
    )


MARKDOWN_KINDS: Final = (
    "markdown",
    "caption",
    "title",
    "header",
    "subheader",
    "warning",
    "error",
    "info",
    "success",
    "toast",
)


def markdown_sources(at: AppTest) -> list[str]:
    """The Markdown source of every element the browser renders as Markdown."""
    out = []
    for kind in MARKDOWN_KINDS:
        out += [str(getattr(e, "value", "")) for e in at.get(kind)]
    return out


def short(q: Query) -> str:
    def cut(v: Any) -> str:
        r = repr(v)
        return r if len(r) <= 80 else r[:60] + f"…({len(r)} chars)"

    return "{" + ", ".join(f"{cut(k)}: {cut(v)}" for k, v in q.items()) + "}"


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(np.array_equal(np.asarray(a), np.asarray(b)))
    except (TypeError, ValueError):
        return bool(a == b)


def check(h: PageHarness, at: AppTest, q: Query, where: str) -> None:
    errors = [f"{e.message}\n" + "\n".join(e.stack_trace[-6:]) for e in at.exception]
    assert not errors, (where, errors)
    assert_ok(at)
    titles = {catalog(lang)[f"{h.info.ns}.title"] for lang in LANGUAGES}
    assert at.title and at.title[0].value in titles, (where, "the page did not render")

    warnings = [w.value for w in at.warning]
    bound = {p.name: (b, p) for b in bindings(at) for p in b.params.values()}
    for name, (b, p) in bound.items():
        if name not in q:
            continue
        raw = q[name][-1] if isinstance(q[name], list) else q[name]
        said = any(w.startswith(notice_prefixes(name)) for w in warnings)
        as_is = accepted_as_is(p, raw)
        if as_is is False:
            assert said, (where, f"no notice for {name}={raw[:80]!r}", warnings)
        elif as_is:
            assert not said, (where, f"a notice for the good {name}={raw[:80]!r}", warnings)
        value = at.session_state[b.key(name)]
        ok = in_domain(p, value, strict=False)
        assert ok is not False or _same(value, p.default), (where, name, value)

    for src in markdown_sources(at):
        for bad in INJECTIONS:
            assert bad not in src, (where, f"unescaped {bad!r} in Markdown", src[:300])
        text = re.sub(r"\\(.)", r"\1", src)  # as rendered: escapes resolved
        for bad in AUTOLINKS:
            assert bad not in text, (where, f"{bad!r} would be a link", src[:300])

    shared = link(at) if at.sidebar.code else ""
    assert shared, (where, "no share link")
    pairs = parse_qsl(urlsplit(shared).query, keep_blank_values=True)
    names = [k for k, _ in pairs]
    assert len(names) == len(set(names)), (where, "a parameter twice in the link", shared)
    for k, v in pairs:
        if k == state.VERSION_PARAM:
            assert v == state.URL_VERSION
            continue
        assert k in bound, (where, f"{k!r} in the link is not a parameter of the page")
        _, notice = bound[k][1].parse(v)
        assert notice is None, (where, f"the link's {k}={v[:80]!r} is not clean: {notice}")


# --- tests ----------------------------------------------------------------------------------


@pytest.mark.parametrize("info", PAGES, ids=[p.ns for p in PAGES])
def test_harness_opens_the_same_page_as_open_page(info: PageInfo):
    h = harness(info)
    rng = random.Random(f"same:{info.ns}")
    q: Query = {"lang": "zh"}
    for name, p in h.params.items():
        if name not in ("lang", "pres") and rng.random() < 0.5:
            q[name] = rng.choice(values_for(p, rng) or ["x"])
    light = h.open(q)
    check(h, light, q, where=f"{info.ns}: {short(q)}")
    full = open_page(info.path if info.url_path else None, query=q, lang="zh")
    assert_ok(full)
    assert full.title[0].value == light.title[0].value
    assert sorted(w.value for w in full.warning) == sorted(w.value for w in light.warning)
    assert link(full) == link(light)
    assert len(full.get("plotly_chart")) == len(light.get("plotly_chart"))


@pytest.mark.parametrize("chunk", range(CHUNKS))
@pytest.mark.parametrize("info", PAGES, ids=[p.ns for p in PAGES])
def test_hostile_links(info: PageInfo, chunk: int):
    h = harness(info)
    cases = make_cases(h, CASES)
    assert len(cases) >= CASES, f"only {len(cases)} distinct cases"
    mine = list(enumerate(cases))[chunk::CHUNKS]
    wall, cpu = time.perf_counter(), time.process_time()
    for i, q in mine:
        at = h.open(q)
        check(h, at, q, where=f"{info.ns} case {i}: {short(q)}")
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"\n{info.ns}[{chunk}]: {len(mine)} links, {wall / len(mine) * 1000:.0f} ms per run "
        f"({cpu / len(mine) * 1000:.0f} ms CPU)"
    )


@pytest.mark.parametrize("info", PAGES, ids=[p.ns for p in PAGES])
def test_hostile_value_echoed_in_a_notice_is_text(info: PageInfo):
    """``?lang=<img …>`` and markup in every parameter of a page come back escaped."""
    h = harness(info)
    q: Query = {"lang": INJECTIONS[0]}
    for i, name in enumerate(h.params):
        q.setdefault(name, INJECTIONS[i % len(INJECTIONS)])
    at = h.open(q)
    check(h, at, q, where=info.ns)
    said = [w.value for w in at.warning if w.value.startswith(notice_prefixes("lang"))]
    assert said, "no notice for the hostile language"
    assert re.search(r"\\<img src=zq9x onerror=alert\\\(1\\\)\\>", said[0]), said
