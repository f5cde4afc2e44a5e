"""Raw HTML is written only from constants: no ``st.html``, ``unsafe_allow_html=True`` or
``components.html`` gets anything built at run time, so nothing a user supplies can reach it.

Checks the source of the app (``app.py``, ``ui/``, ``app_pages/`` — pages that land later
included): the first argument of every such call must be a string literal, a module-level
name bound once to a string literal, or a ``+`` or ``a if c else b`` of those. Also: the
upload ceiling and XSRF protection are set in the config.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path
from typing import Final

import pytest

ROOT: Final = Path(__file__).resolve().parent.parent
SOURCES: Final = sorted(
    [ROOT / "app.py", *(ROOT / "ui").glob("*.py"), *(ROOT / "app_pages").rglob("*.py")]
)


def _constants(tree: ast.Module) -> dict[str, int]:
    """Module-level names bound to a string literal (name → number of bindings anywhere)."""
    found: dict[str, int] = {}
    for node in tree.body:
        value, targets = None, []
        if isinstance(node, ast.Assign):
            value, targets = node.value, node.targets
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            value, targets = node.value, [node.target]
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            for tgt in targets:
                if isinstance(tgt, ast.Name):
                    found[tgt.id] = 0
    for node in ast.walk(tree):  # a name bound again anywhere is not a constant
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id in found:
            found[node.id] += 1
    return found


def _is_constant(node: ast.expr, constants: dict[str, int]) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.Name):
        return constants.get(node.id) == 1
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _is_constant(node.left, constants) and _is_constant(node.right, constants)
    if isinstance(node, ast.IfExp):  # one constant or another
        return _is_constant(node.body, constants) and _is_constant(node.orelse, constants)
    return False


def raw_html_calls(path: Path) -> list[tuple[int, bool]]:
    """(line, argument is a constant) for every raw-HTML call in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    constants = _constants(tree)
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        unsafe = any(
            kw.arg == "unsafe_allow_html"
            and not (isinstance(kw.value, ast.Constant) and kw.value.value is False)
            for kw in node.keywords
        )
        if name == "html" or unsafe:
            arg = node.args[0] if node.args else None
            if arg is None:
                kws = [kw.value for kw in node.keywords if kw.arg in ("body", "html")]
                arg = kws[0] if kws else None
            out.append((node.lineno, arg is not None and _is_constant(arg, constants)))
    return out


@pytest.mark.parametrize("path", SOURCES, ids=[str(p.relative_to(ROOT)) for p in SOURCES])
def test_raw_html_only_from_constants(path: Path):
    bad = [line for line, constant in raw_html_calls(path) if not constant]
    assert not bad, f"{path.relative_to(ROOT)}: raw HTML built at run time on lines {bad}"


def test_the_checker_sees_what_it_should(tmp_path: Path):
    src = tmp_path / "page.py"
    src.write_text(
        'CSS = "<style></style>"\n'
        "st.html(CSS)\n"
        'st.markdown("<b>x</b>", unsafe_allow_html=True)\n'
        'st.markdown(f"<b>{name}</b>", unsafe_allow_html=True)\n'
        "st.html(user_text)\n"
        "st.markdown(text, unsafe_allow_html=False)\n"
        'components.html("<p>" + CSS)\n'
        'st.html(CSS if big else "")\n'
        "st.html(CSS if big else name)\n",
        encoding="utf-8",
    )
    assert raw_html_calls(src) == [
        (2, True),
        (3, True),
        (4, False),
        (5, False),
        (7, True),
        (8, True),
        (9, False),
    ]


def test_the_shell_uses_raw_html_once_for_its_own_css():
    uses = {p.name: raw_html_calls(p) for p in SOURCES if raw_html_calls(p)}
    assert "layout.py" in uses and all(ok for calls in uses.values() for _, ok in calls)


def test_upload_ceiling_and_xsrf_in_the_config():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    server = config["server"]
    assert 1 <= server["maxUploadSize"] <= 50  # MB; pages check their own, smaller limits too
    assert server["enableXsrfProtection"] is True
    assert server.get("enableCORS", True) is True
