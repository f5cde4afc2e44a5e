"""A class through AppTest: a teacher session starts a class and every change it makes is
published; a student session (its own AppTest, the same process and so the same in-process
store) opens the class link and follows: page, controls, presentation section; explore and
follow again; hostile ``class=`` values; what only the teacher may do."""

from __future__ import annotations

import io
import json
import socket

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import assert_ok, open_page
from tests.helpers import link_params
from tests.hostile import PAYLOADS
from ui import classroom
from ui.i18n import catalog

EN = catalog("en")
SOFTMAX = "app_pages/softmax/page.py"


def start_class(at: AppTest) -> dict[str, str]:
    at.button(key="class._start").click().run()
    assert_ok(at)
    teacher = at.session_state[classroom._TEACHER]
    assert classroom.valid_code(teacher["code"])
    return teacher


def published(code: str) -> tuple[int, str, dict[str, str]]:
    got = classroom.store().view(code)
    assert got is not None
    version, raw = got
    view = json.loads(raw)
    return version, view["path"], view["params"]


def student(code: str, **query: str) -> AppTest:
    return open_page(query={"class": code, **query})


def test_starting_a_class_publishes_the_teachers_view_and_shows_the_student_link():
    at = open_page()
    teacher = start_class(at)
    code, secret = teacher["code"], teacher["secret"]
    version, path, params = published(code)
    assert version >= 1 and path == "" and "lang" not in params
    codes = [c.value for c in at.sidebar.code]
    student_link = next(c for c in codes if f"class={code}" in c)
    assert secret not in student_link and secret not in " ".join(codes)
    assert classroom.secret_hash(secret) not in student_link
    assert at.session_state["class.class"] == ""  # the teacher follows no one
    # a control moved: a new version with the new value
    at.slider(key="overview.sweet").set_value(2.0).run()
    v2, _, params = published(code)
    assert v2 == version + 1 and params["sweet"] == "2"
    # an unchanged rerun publishes nothing new
    at.run()
    assert published(code)[0] == v2


def test_a_student_follows_page_controls_and_section_but_keeps_their_language():
    teacher_at = open_page(lang="zh")
    code = start_class(teacher_at)["code"]
    stud = student(code)
    assert_ok(stud)
    assert stud.session_state[classroom._JOINED] == code
    assert stud.title[0].value == EN["overview.title"]  # the student's own language
    # the teacher moves a control on the overview: the student's next check applies it
    teacher_at.slider(key="overview.sweet").set_value(-1.5).run()
    stud.run()
    assert_ok(stud)
    assert stud.session_state["overview.sweet"] == -1.5
    assert stud.title[0].value == EN["overview.title"]
    params = link_params(stud)
    assert params["sweet"] == "-1.5" and params["class"] == code and params["lang"] == "en"
    # the teacher goes to another page in presentation mode, section 2
    teacher_at.switch_page(SOFTMAX).run()
    teacher_at.session_state["app.pres"] = True
    teacher_at.session_state["softmax.sec"] = 2
    teacher_at.run()
    assert_ok(teacher_at)
    _, path, tparams = published(code)
    assert path == "softmax" and tparams["sec"] == "2" and tparams["pres"] == "1"
    stud.run()
    assert_ok(stud)
    assert stud.title[0].value == EN["softmax.title"]
    assert stud.session_state["softmax.sec"] == 2 and stud.session_state["app.pres"] is True
    assert stud.session_state["app.lang"] == "en"


def test_explore_on_my_own_then_follow_the_teacher_again():
    teacher_at = open_page()
    code = start_class(teacher_at)["code"]
    stud = student(code)
    stud.button(key="class._explore").click().run()
    assert_ok(stud)
    assert stud.session_state[classroom._EXPLORE] is True
    stud.slider(key="overview.sweet").set_value(0.5).run()
    teacher_at.slider(key="overview.sweet").set_value(1.5).run()
    stud.run()
    assert stud.session_state["overview.sweet"] == 0.5  # exploring: the student's own view
    assert EN["app.class.exploring"] in [c.value for c in stud.sidebar.caption]
    stud.button(key="class._follow").click().run()
    assert_ok(stud)
    assert stud.session_state["overview.sweet"] == 1.5  # back to the teacher's current view
    assert EN["app.class.following"] in [c.value for c in stud.sidebar.caption]


def test_a_student_link_cannot_publish_and_a_teacher_secret_is_needed():
    teacher_at = open_page()
    teacher = start_class(teacher_at)
    stud = student(teacher["code"])
    before = published(teacher["code"])
    stud.slider(key="overview.sweet").set_value(-2.0).run()  # a follower moves a control
    assert published(teacher["code"]) == before  # … and nothing reaches the class
    assert classroom.role.__doc__  # documented
    assert classroom.store().publish(teacher["code"], classroom.secret_hash("guess"), "{}") is None


def test_ending_the_class_tells_the_students():
    teacher_at = open_page()
    code = start_class(teacher_at)["code"]
    stud = student(code)
    teacher_at.button(key="class._end").click().run()
    assert classroom.store().version(code) is None
    stud.run()
    assert_ok(stud)
    assert EN["app.class.notice.not_found"] in [w.value for w in stud.sidebar.warning]
    stud.button(key="class._leave").click().run()
    assert_ok(stud)
    assert "class" not in link_params(stud)


@pytest.mark.parametrize(
    "raw",
    ["abc", "A" * 16, "x" * 5000, "../../admin", "<script>alert(1)</script>", "*", *PAYLOADS[:6]],
)
def test_hostile_class_codes_get_a_notice_and_break_nothing(raw):
    at = open_page(query={"class": raw, "sweet": "1.5"})
    assert_ok(at)
    warnings = [w.value for w in at.sidebar.warning]
    assert len(warnings) == 1 and "<script>" not in warnings[0]
    assert at.session_state["overview.sweet"] == 1.5  # the rest of the link still applies
    assert classroom._JOINED not in at.session_state


def test_an_unknown_class_says_so():
    at = open_page(query={"class": classroom.new_code()})
    assert_ok(at)
    assert [w.value for w in at.sidebar.warning] == [EN["app.class.notice.not_found"]]


def test_a_hostile_published_view_is_refused_with_a_notice():
    s = classroom.store()
    code, secret = classroom.new_code(), "s" * 43
    assert s.create(code, classroom.secret_hash(secret))
    stud = student(code, sweet="0.5")
    for raw in ['{"path":"../x","params":{}}', "not json", json.dumps({"path": "", "params": 7})]:
        assert s.publish(code, classroom.secret_hash(secret), raw) is not None
        stud.run()
        assert_ok(stud)
        assert EN["app.class.notice.bad_view"] in [w.value for w in stud.warning]
        assert stud.session_state["overview.sweet"] == 0.5  # the view is kept
    # a view with values out of range: applied through the share link's checks (clamped, said)
    s.publish(
        code, classroom.secret_hash(secret), json.dumps({"path": "", "params": {"sweet": "99"}})
    )
    stud.run()
    assert_ok(stud)
    assert stud.session_state["overview.sweet"] == 2.0
    assert any("sweet" in w.value for w in stud.warning)


def _guess_app() -> None:
    """A run that sends this session's guess (if any) and reads the class's guesses."""
    import streamlit as st

    from ui import classroom

    q, value = st.session_state.get("q", "q"), st.session_state.get("value")
    if value is not None:
        classroom.submit_guess(q, value)
    st.session_state["role"] = classroom.role()
    st.session_state["seen"] = classroom.class_guesses(q)


def guess_session(**state) -> AppTest:
    at = AppTest.from_function(_guess_app, default_timeout=30)
    for k, v in state.items():
        at.session_state[k] = v
    return at


def test_guesses_go_from_students_to_the_teacher_only():
    s = classroom.store()
    code, secret = classroom.new_code(), "t" * 43
    assert s.create(code, classroom.secret_hash(secret))
    q = "qkv.weights.row0"
    teacher = guess_session(q=q, **{classroom._TEACHER: {"code": code, "secret": secret}})
    a = guess_session(q=q, value=[0.5, 0.5], **{classroom._JOINED: code})
    b = guess_session(q=q, value=[0.5, 0.4], **{classroom._JOINED: code})
    a.run()
    b.run()
    a.session_state["value"] = [0.25, 0.75]  # a's latest guess replaces its first
    a.run()
    teacher.run()
    assert not (a.exception or b.exception or teacher.exception)
    assert sorted(teacher.session_state["seen"]) == [[0.25, 0.75], [0.5, 0.4]]
    assert a.session_state["seen"] == [] and b.session_state["seen"] == []  # teacher only
    assert teacher.session_state["role"] == "teacher" and a.session_state["role"] == "student"
    # a wrong secret in a session reads nothing; no class: no role, nothing sent
    forged = guess_session(q=q, **{classroom._TEACHER: {"code": code, "secret": "x" * 43}})
    forged.run()
    assert forged.session_state["seen"] == []
    alone = guess_session(q=q, value=[1.0])
    alone.run()
    assert alone.session_state["role"] is None and not alone.exception
    # a bad guess is refused loudly (a programming error in the caller)
    for bad in (
        {"value": [float("nan")]},
        {"value": [0.0] * 65},
        {"q": "bad key!", "value": [1.0]},
    ):
        at = guess_session(**{"q": q, classroom._JOINED: code, **bad})
        at.run()
        assert at.exception
    teacher.run()
    assert len(teacher.session_state["seen"]) == 2


def _view_app() -> None:
    """A page with two bound values; a button loads a view the way a follower does."""
    import streamlit as st

    from ui import state

    state.begin_run()
    b = state.bind("p", state.Float("x", 0.0, lo=-5, hi=5), state.Text("g", ""))
    st.slider("x", -5.0, 5.0, key=b.key("x"))
    st.text_input("g", key=b.key("g"))
    if st.session_state.pop("load", None):
        state.load_view(st.session_state["view"], keep=("g",))
        st.rerun()
    state.publish()
    st.session_state["notices"] = state.notices()


def test_load_view_reads_the_url_again_but_keeps_personal_values():
    at = AppTest.from_function(_view_app, default_timeout=30)
    at.run()
    at.slider[0].set_value(1.0).run()
    at.text_input[0].input("my guess").run()
    assert at.session_state["p.x"] == 1.0
    at.session_state["view"] = {"v": "1", "x": "99", "g": "the teacher's"}
    at.session_state["load"] = True
    at.run()
    assert not at.exception
    assert at.session_state["p.x"] == 5.0  # from the URL, through the same checks (clamped)
    assert any("x" in n for n in at.session_state["notices"])  # … and said
    assert at.session_state["p.g"] == "my guess"  # personal: kept
    assert at.query_params["x"] == "5" and at.query_params["g"] == "my guess"


def test_a_class_store_that_does_not_answer_gives_a_notice_and_breaks_nothing(monkeypatch):
    with socket.socket() as sock:  # a port nothing listens on: Redis is down
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setattr(classroom, "_STORE", classroom.RedisStore(f"redis://127.0.0.1:{port}/0"))
    unavailable = EN["app.class.notice.unavailable"]
    stud = open_page(query={"class": classroom.new_code(), "sweet": "1.5"})
    assert_ok(stud)
    assert [w.value for w in stud.sidebar.warning] == [unavailable]
    assert stud.session_state["overview.sweet"] == 1.5
    teacher_at = open_page()
    teacher_at.button(key="class._start").click().run()
    assert_ok(teacher_at)
    assert classroom._TEACHER not in teacher_at.session_state  # no class without a store
    assert unavailable in [w.value for w in teacher_at.warning]


def test_public_url_starts_the_share_link_the_student_link_and_the_qr_code(monkeypatch):
    monkeypatch.setenv("PUBLIC_URL", "https://school.example/attention/")
    at = open_page(query={"sweet": "1.5"})
    assert_ok(at)
    assert at.sidebar.code[0].value == "https://school.example/attention/?v=1&lang=en&sweet=1.5"
    code = start_class(at)["code"]
    codes = [c.value for c in at.sidebar.code]
    assert f"https://school.example/attention/?class={code}" in codes
    # the QR code is made of exactly that link (decoded from its SVG drawn as an image)
    import zxingcpp
    from PIL import Image

    from ui import qr

    png = _svg_to_png(qr.svg(f"https://school.example/attention/?class={code}"))
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))
    assert [f.text for f in found] == [f"https://school.example/attention/?class={code}"]


def _svg_to_png(svg: str) -> bytes:
    """Rasterise segno's SVG (only axis-aligned path segments) with Pillow."""
    import re

    from PIL import Image, ImageDraw

    size = int(re.search(r'width="(\d+)"', svg).group(1))
    scale = float(re.search(r"scale\(([\d.]+)\)", svg).group(1)) if "scale(" in svg else 1.0
    img = Image.new("L", (size, size), 255)
    draw = ImageDraw.Draw(img)
    path = re.search(r'<path[^>]*class="qrline"[^>]*d="([^"]+)"', svg) or re.search(
        r'<path[^>]*d="([^"]+)"', svg
    )
    x = y = 0.0
    for cmd, a, b in re.findall(r"([MmHhVv])(-?[\d.]+)(?:[ ,](-?[\d.]+))?", path.group(1)):
        if cmd in "Mm":
            x, y = (float(a), float(b)) if cmd == "M" else (x + float(a), y + float(b))
        elif cmd in "Hh":
            x2 = float(a) if cmd == "H" else x + float(a)
            draw.rectangle([min(x, x2) * scale, (y - 0.5) * scale, max(x, x2) * scale - 1,
                            (y + 0.5) * scale - 1], fill=0)  # fmt: skip
            x = x2
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def test_a_malformed_public_url_is_ignored(monkeypatch):
    for bad in ("javascript:alert(1)", "school.example", "https://x.example/?a=1", "ftp://x"):
        monkeypatch.setenv("PUBLIC_URL", bad)
        at = open_page()
        assert_ok(at)
        assert at.sidebar.code[0].value == "?v=1&lang=en"  # as without it (no browser URL here)
