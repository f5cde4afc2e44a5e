"""Follow the teacher: a class whose students' apps follow the teacher's view live.

The teacher clicks "Start a class" (sidebar): the app makes a class code, a secret kept only in
the teacher's session, and a student link (the app's address with ``class=<code>``, also as a QR
code). Every change the teacher makes (page, controls, presentation section ``sec``, step
``step``, reveal ``rev``) is published by :func:`publish` (called by ``sections.draw_share``
after each run): the page's URL path and the view's URL parameters, versioned. A student who
opens the class link polls the class's version number (a fragment with ``run_every``; one cheap
store read) and, when it changed, applies the teacher's view the way a share link is applied:
``state.load_view`` puts the parameters in the URL and every page binding reads them again,
with the same checks and notices. Personal values are never overwritten: the language
(``lang``), the student's own guess (``g``) and the class code. "Explore on my own" stops
following; "Follow the teacher" goes back to the teacher's current view.

The class store (:class:`MemoryStore` by default: one server, nothing to install, thread-safe;
:class:`RedisStore` when ``REDIS_URL`` is set, so that replicas behind nginx share classes):

- codes: 16 characters from a 32-letter alphabet (80 bits from :mod:`secrets`); only the
  SHA-256 of the teacher's 256-bit secret is stored, and only its holder can publish, read
  the class's guesses or end the class;
- a class expires after ``ATTN_CLASS_TTL_S`` seconds without activity (default 4 hours);
- caps: a published view of at most :data:`MAX_STATE_BYTES`, :data:`MAX_CLASSES` classes per
  store, :data:`MAX_QUESTIONS` questions per class and :data:`MAX_GUESSERS` guesses per question,
  :data:`MAX_GUESS_LEN` numbers per guess;
- a bad class code, an unknown or ended class, a view that fails the checks, or a store that
  does not answer: a clear notice, and the student's view is kept.

For predict-then-reveal (``ui/guess.py``):

- :func:`role` → ``"teacher"``, ``"student"`` or ``None`` (not in a class);
- :func:`submit_guess(question, value)` → a student's latest guess of ``question`` (a list of
  floats) is stored for the class (sent only when it changed; ignored outside a class);
- :func:`class_guesses(question)` → every student's latest guess of ``question``, for the
  teacher only (``[]`` for anyone else).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import math
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal, Protocol

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from ui import layout, qr, state
from ui.i18n import t
from ui.navigation import available

CODE_PARAM: Final = "class"
CODE_ALPHABET: Final = "abcdefghijkmnpqrstuvwxyz23456789"  # 32 letters: 5 bits each, no l/o/0/1
CODE_LEN: Final = 16  # 80 bits
_CODE_RE: Final = re.compile(rf"[{CODE_ALPHABET}]{{{CODE_LEN}}}")
_QUESTION_RE: Final = re.compile(r"[A-Za-z0-9_.\-]{1,80}")
_PARAM_RE: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,31}")
TTL_S: Final = int(os.environ.get("ATTN_CLASS_TTL_S", str(4 * 3600)))
MAX_CLASSES: Final = 500
MAX_STATE_BYTES: Final = 16_384  # nginx refuses links over 16 KB anyway
MAX_PARAMS: Final = 64
MAX_QUESTIONS: Final = 64
MAX_GUESSERS: Final = 200
MAX_GUESS_LEN: Final = 64
POLL_S: Final = 0.5  # students' version check; a change shows in ≤ POLL_S + one rerun
TOUCH_S: Final = 60.0  # the teacher's session keeps an unchanged class alive this often
# Never taken from the teacher: the student's language, own guess and class code.
PERSONAL: Final = ("lang", "g", CODE_PARAM)

_TEACHER: Final = "_class.teacher"  # {"code", "secret"}: only in the teacher's session
_JOINED: Final = "_class.joined"  # the code of the class this student session found
_MEMBER: Final = "_class.member"  # a random id per student session (one guess each)
_APPLIED: Final = "_class.applied"  # the class version this student last applied
_PENDING: Final = "_class.pending"  # … and the one being applied (until a full run ends)
_EXPLORE: Final = "_class.explore"
_SENT: Final = "_class.sent"  # teacher: (view json, time) last published
_GUESSED: Final = "_class.guessed"  # student: {question: value json} last sent


class StoreUnavailable(RuntimeError):
    """The class store (Redis) did not answer."""


class Store(Protocol):
    """Where classes live. ``secret_hash`` is the SHA-256 hex of the teacher's secret."""

    def create(self, code: str, secret_hash: str) -> bool:
        """Make a class; False when the store holds :data:`MAX_CLASSES` already or ``code``
        is taken."""
        ...

    def end(self, code: str, secret_hash: str) -> bool: ...

    def version(self, code: str) -> int | None:
        """The class's version number (0 before the first publish); None: no such class."""
        ...

    def view(self, code: str) -> tuple[int, str] | None:
        """``(version, view json)`` ("" before the first publish); None: no such class."""
        ...

    def publish(self, code: str, secret_hash: str, view: str) -> int | None:
        """Store ``view`` (a new version when it changed) and keep the class alive; None when
        the class is gone or the secret is wrong."""
        ...

    def submit_guess(self, code: str, member: str, question: str, value: str) -> bool:
        """Keep ``member``'s latest guess; False when the class is gone or a cap is reached."""
        ...

    def guesses(self, code: str, secret_hash: str, question: str) -> list[str] | None:
        """Every member's latest guess of ``question``; None when not the teacher's."""
        ...

    def count(self) -> int: ...


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LEN))


def valid_code(code: object) -> bool:
    return isinstance(code, str) and _CODE_RE.fullmatch(code) is not None


def valid_question(question: object) -> bool:
    return isinstance(question, str) and _QUESTION_RE.fullmatch(question) is not None


# --- in-process store ----------------------------------------------------------------------


@dataclass
class _Class:
    secret_hash: str
    expires: float
    version: int = 0
    view: str = ""
    guesses: dict[str, dict[str, str]] = field(default_factory=dict)


class MemoryStore:
    """Classes in this process's memory (one server). Thread-safe: sessions run in threads."""

    def __init__(self, ttl_s: float = TTL_S, max_classes: int = MAX_CLASSES,
                 clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self.ttl_s = ttl_s
        self.max_classes = max_classes
        self._clock = clock
        self._lock = threading.Lock()
        self._classes: dict[str, _Class] = {}

    def _live(self, code: str) -> _Class | None:
        c = self._classes.get(code)
        if c is not None and c.expires <= self._clock():
            del self._classes[code]
            return None
        return c

    def _purge(self) -> None:
        now = self._clock()
        for code in [k for k, c in self._classes.items() if c.expires <= now]:
            del self._classes[code]

    def create(self, code: str, secret_hash: str) -> bool:
        with self._lock:
            self._purge()
            if len(self._classes) >= self.max_classes or code in self._classes:
                return False
            self._classes[code] = _Class(secret_hash, self._clock() + self.ttl_s)
            return True

    def end(self, code: str, secret_hash: str) -> bool:
        with self._lock:
            c = self._live(code)
            if c is None or not hmac.compare_digest(c.secret_hash, secret_hash):
                return False
            del self._classes[code]
            return True

    def version(self, code: str) -> int | None:
        with self._lock:
            c = self._live(code)
            return None if c is None else c.version

    def view(self, code: str) -> tuple[int, str] | None:
        with self._lock:
            c = self._live(code)
            return None if c is None else (c.version, c.view)

    def publish(self, code: str, secret_hash: str, view: str) -> int | None:
        with self._lock:
            c = self._live(code)
            if c is None or not hmac.compare_digest(c.secret_hash, secret_hash):
                return None
            c.expires = self._clock() + self.ttl_s
            if view != c.view:
                c.view = view
                c.version += 1
            return c.version

    def submit_guess(self, code: str, member: str, question: str, value: str) -> bool:
        with self._lock:
            c = self._live(code)
            if c is None:
                return False
            answers = c.guesses.get(question)
            if answers is None:
                if len(c.guesses) >= MAX_QUESTIONS:
                    return False
                answers = c.guesses[question] = {}
            if member not in answers and len(answers) >= MAX_GUESSERS:
                return False
            answers[member] = value
            c.expires = self._clock() + self.ttl_s
            return True

    def guesses(self, code: str, secret_hash: str, question: str) -> list[str] | None:
        with self._lock:
            c = self._live(code)
            if c is None or not hmac.compare_digest(c.secret_hash, secret_hash):
                return None
            return list(c.guesses.get(question, {}).values())

    def count(self) -> int:
        with self._lock:
            self._purge()
            return len(self._classes)


# --- Redis store ---------------------------------------------------------------------------

# Each operation is one Lua script: atomic, one round trip. Keys: "<prefix>c:<code>" (hash:
# s = secret hash, v = version, st = view), "<prefix>q:<code>" (set of questions),
# "<prefix>g:<code>:<question>" (hash member → guess), "<prefix>classes" (sorted set code →
# expiry time, for the class count).
_CREATE: Final = """
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[3]) then return 0 end
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 's', ARGV[4], 'v', 0, 'st', '')
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], tonumber(ARGV[1]) + tonumber(ARGV[2]), ARGV[5])
return 1
"""
_PUBLISH: Final = """
local s = redis.call('HGET', KEYS[1], 's')
if not s or s ~= ARGV[1] then return -1 end
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[3], ARGV[4])
redis.call('ZADD', KEYS[2], tonumber(ARGV[3]) + tonumber(ARGV[4]), ARGV[5])
if redis.call('HGET', KEYS[1], 'st') == ARGV[2] then
  return tonumber(redis.call('HGET', KEYS[1], 'v'))
end
redis.call('HSET', KEYS[1], 'st', ARGV[2])
return redis.call('HINCRBY', KEYS[1], 'v', 1)
"""
_GUESS: Final = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 0 then
  if redis.call('SCARD', KEYS[2]) >= tonumber(ARGV[5]) then return 0 end
  redis.call('SADD', KEYS[2], ARGV[1])
end
if redis.call('HEXISTS', KEYS[3], ARGV[2]) == 0 and
   redis.call('HLEN', KEYS[3]) >= tonumber(ARGV[6]) then return 0 end
redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])
redis.call('EXPIRE', KEYS[3], ARGV[4])
return 1
"""
_GUESSES: Final = """
local s = redis.call('HGET', KEYS[1], 's')
if not s or s ~= ARGV[1] then return false end
return redis.call('HVALS', KEYS[2])
"""
_END: Final = """
local s = redis.call('HGET', KEYS[1], 's')
if not s or s ~= ARGV[1] then return 0 end
for _, q in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  redis.call('DEL', ARGV[2] .. q)
end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('ZREM', KEYS[3], ARGV[3])
return 1
"""


class RedisStore:
    """Classes in Redis (``REDIS_URL``): every replica behind the proxy sees the same ones."""

    def __init__(self, url: str, ttl_s: int = TTL_S, max_classes: int = MAX_CLASSES,
                 prefix: str = "attn:") -> None:  # fmt: skip
        import redis  # only when REDIS_URL is set

        self._errors = (redis.RedisError, OSError)
        self.r = redis.Redis.from_url(
            url, decode_responses=True, socket_timeout=2.0, socket_connect_timeout=2.0,
            health_check_interval=30,
        )  # fmt: skip
        self.ttl_s = max(1, int(ttl_s))
        self.max_classes = max_classes
        self.p = prefix
        self._create = self.r.register_script(_CREATE)
        self._publish = self.r.register_script(_PUBLISH)
        self._guess = self.r.register_script(_GUESS)
        self._guesses = self.r.register_script(_GUESSES)
        self._end = self.r.register_script(_END)

    def _call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except self._errors as err:
            raise StoreUnavailable(str(err)) from err

    def _k(self, code: str) -> str:
        return f"{self.p}c:{code}"

    def _q(self, code: str) -> str:
        return f"{self.p}q:{code}"

    def _g(self, code: str, question: str = "") -> str:
        return f"{self.p}g:{code}:{question}"

    def create(self, code: str, secret_hash: str) -> bool:
        keys = [self._k(code), f"{self.p}classes"]
        args = [time.time(), self.ttl_s, self.max_classes, secret_hash, code]
        return self._call(self._create, keys=keys, args=args) == 1

    def end(self, code: str, secret_hash: str) -> bool:
        keys = [self._k(code), self._q(code), f"{self.p}classes"]
        return self._call(self._end, keys=keys, args=[secret_hash, self._g(code), code]) == 1

    def version(self, code: str) -> int | None:
        v = self._call(self.r.hget, self._k(code), "v")
        return None if v is None else int(v)

    def view(self, code: str) -> tuple[int, str] | None:
        v, view = self._call(self.r.hmget, self._k(code), ["v", "st"])
        return None if v is None else (int(v), view or "")

    def publish(self, code: str, secret_hash: str, view: str) -> int | None:
        keys = [self._k(code), f"{self.p}classes", self._q(code)]
        args = [secret_hash, view, time.time(), self.ttl_s, code]
        v = self._call(self._publish, keys=keys, args=args)
        return None if v is None or int(v) < 0 else int(v)

    def submit_guess(self, code: str, member: str, question: str, value: str) -> bool:
        keys = [self._k(code), self._q(code), self._g(code, question)]
        args = [question, member, value, self.ttl_s, MAX_QUESTIONS, MAX_GUESSERS]
        return self._call(self._guess, keys=keys, args=args) == 1

    def guesses(self, code: str, secret_hash: str, question: str) -> list[str] | None:
        keys = [self._k(code), self._g(code, question)]
        got = self._call(self._guesses, keys=keys, args=[secret_hash])
        return None if got is None else list(got)

    def count(self) -> int:
        key = f"{self.p}classes"
        self._call(self.r.zremrangebyscore, key, "-inf", time.time())
        return int(self._call(self.r.zcard, key))


_STORE: Store | None = None
_STORE_LOCK: Final = threading.Lock()


def store() -> Store:
    """The process's class store: Redis when ``REDIS_URL`` is set, else in-process."""
    global _STORE
    with _STORE_LOCK:
        if _STORE is None:
            url = os.environ.get("REDIS_URL", "").strip()
            _STORE = RedisStore(url) if url else MemoryStore()
        return _STORE


# --- a published view ----------------------------------------------------------------------


class BadView(ValueError):
    """A published view that fails the checks (the message is translated)."""


def encode_view(path: str, params: dict[str, str]) -> str:
    """The JSON of a view: the page's URL path and its parameters, personal ones left out."""
    shared = {k: v for k, v in params.items() if k not in PERSONAL}
    return json.dumps({"path": path, "params": shared}, separators=(",", ":"), sort_keys=True)


def decode_view(raw: str) -> tuple[str, dict[str, str]]:
    """``(page URL path, parameters)`` of a published view, checked like a share link's
    outline (known page, at most :data:`MAX_PARAMS` plain names with text values, the size
    cap); the values themselves are checked by the pages' bindings as a link's are."""
    if not isinstance(raw, str) or len(raw.encode()) > MAX_STATE_BYTES:
        raise BadView(t("app.class.notice.bad_view"))
    try:
        view = json.loads(raw)
    except ValueError:
        raise BadView(t("app.class.notice.bad_view")) from None
    if not isinstance(view, dict) or set(view) != {"path", "params"}:
        raise BadView(t("app.class.notice.bad_view"))
    path, params = view["path"], view["params"]
    if path not in {p.url_path for p in available()}:
        raise BadView(t("app.class.notice.bad_view"))
    if (
        not isinstance(params, dict)
        or len(params) > MAX_PARAMS
        or not all(isinstance(k, str) and _PARAM_RE.fullmatch(k) for k in params)
        or not all(isinstance(v, str) and len(v) <= state.MAX_RAW_LEN for v in params.values())
    ):
        raise BadView(t("app.class.notice.bad_view"))
    return path, {k: v for k, v in params.items() if k not in PERSONAL}


# --- sessions --------------------------------------------------------------------------------


def role() -> Literal["teacher", "student"] | None:
    """``"teacher"`` in the session that started the running class, ``"student"`` in a session
    that joined one (following or exploring), else None."""
    if st.session_state.get(_TEACHER):
        return "teacher"
    if st.session_state.get(_JOINED):
        return "student"
    return None


def submit_guess(question: str, value: Sequence[float]) -> None:
    """Send a student's latest guess of ``question`` to the class (only when it changed).

    ``question`` is a :class:`ui.guess.Question` key (letters, digits, ``_ . -``, ≤ 80);
    ``value`` at most :data:`MAX_GUESS_LEN` finite numbers. Outside a class nothing happens;
    a full class (caps) or an unreachable store gives a notice and keeps the guess local.
    """
    code = st.session_state.get(_JOINED)
    if not code or st.session_state.get(_TEACHER):
        return
    if not valid_question(question):
        raise ValueError(f"bad question key: {question!r}")
    numbers = [float(v) for v in value]
    if len(numbers) > MAX_GUESS_LEN or not all(math.isfinite(v) for v in numbers):
        raise ValueError("a guess is at most 64 finite numbers")
    raw = json.dumps(numbers)
    sent: dict[str, str] = st.session_state.setdefault(_GUESSED, {})
    if sent.get(question) == raw:
        return
    member = st.session_state.setdefault(_MEMBER, secrets.token_hex(8))
    try:
        ok = store().submit_guess(code, member, question, raw)
    except StoreUnavailable:
        state.flash(t("app.class.notice.unavailable"))
        return
    if ok:
        sent[question] = raw
    else:
        state.flash(t("app.class.notice.guess_full"))


def class_guesses(question: str) -> list[list[float]]:
    """Every student's latest guess of ``question`` — for the teacher only, ``[]`` otherwise."""
    teacher = st.session_state.get(_TEACHER)
    if not teacher or not valid_question(question):
        return []
    try:
        got = store().guesses(teacher["code"], secret_hash(teacher["secret"]), question)
    except StoreUnavailable:
        return []
    out: list[list[float]] = []
    for raw in got or []:
        try:
            value = json.loads(raw)
        except ValueError:
            continue
        if (
            isinstance(value, list)
            and len(value) <= MAX_GUESS_LEN
            and all(isinstance(v, (int, float)) and math.isfinite(v) for v in value)
        ):
            out.append([float(v) for v in value])
    return out


def publish(params: dict[str, str]) -> None:
    """The teacher's view of this run, sent to the class (``sections.draw_share`` calls it
    after every run with the URL parameters it wrote). Nothing outside a teacher's session."""
    if _in_a_group_of_a_full_run():
        return
    if not fragment_run() and _PENDING in st.session_state:
        # a student's full run with the teacher's view is over: that version is shown (a poll
        # that interrupted the run before this point finds it still pending, and applies it)
        st.session_state[_APPLIED] = st.session_state.pop(_PENDING)
    teacher = st.session_state.get(_TEACHER)
    if not teacher:
        return
    view = encode_view(st.session_state.get(state._PAGE, ""), params)
    if len(view.encode()) > MAX_STATE_BYTES:
        state.flash(t("app.class.notice.too_large"))
        return
    now = time.monotonic()
    last = st.session_state.get(_SENT)
    if last and last[0] == view and now - last[1] < TOUCH_S:
        return
    try:
        version = store().publish(teacher["code"], secret_hash(teacher["secret"]), view)
    except StoreUnavailable:
        state.flash(t("app.class.notice.unavailable"))
        return
    if version is None:  # expired or ended elsewhere
        del st.session_state[_TEACHER]
        state.flash(t("app.class.notice.ended"))
        return
    st.session_state[_SENT] = (view, now)


def _in_a_group_of_a_full_run() -> bool:
    """Whether this is a section group's fragment drawn as part of a full run: its share link
    is written before the later groups have bound their values (a guess, its reveal), so the
    class gets the view from the full run's last ``draw_share`` (``app.py``) instead."""
    ctx = get_script_run_ctx()
    if ctx is None or ctx.fragment_ids_this_run:
        return False
    try:  # Streamlit's per-thread fragment state (no public API tells it)
        from streamlit.runtime.scriptrunner_utils.script_run_context import ThreadState

        return ThreadState.get().fragment_id is not None
    except (ImportError, AttributeError):
        return False


def student_link(code: str) -> str:
    """The link students open (and the QR code shows): the app's address with the code."""
    return qr.root_link({CODE_PARAM: code})


def sidebar() -> None:
    """The class controls in the sidebar (``app.py`` calls it after ``st.navigation``):
    "Start a class" and the running class for the teacher, following for a student, and the
    join QR code in presentation mode."""
    b = state.bind("class", state.Text(CODE_PARAM, "", max_len=64))
    teacher = st.session_state.get(_TEACHER)
    # a phone folds the sidebar away: a student there sees the class line at the page's top
    on_top = not teacher and bool(b[CODE_PARAM]) and layout.on_phone()
    if on_top:
        with st.container(border=True):
            _student_box(b)
    with st.sidebar:
        st.divider()
        if teacher:
            _teacher_box(teacher)
        elif b[CODE_PARAM]:
            if not on_top:
                _student_box(b)
        else:
            st.session_state.pop(_JOINED, None)
            st.button(
                t("app.class.start"),
                key="class._start",
                on_click=_start,
                args=(b,),
                icon=":material/school:",
                help=t("app.class.start.help"),
                width="stretch",
            )
        if layout.presenting() or teacher:
            st.button(
                t("app.class.qr.button"),
                key="class._qr",
                on_click=_open_qr,
                icon=":material/qr_code_2:",
                width="stretch",
            )
    if st.session_state.pop("_class.qr_open", False):
        _qr_dialog()


def _start(b: state.Binding) -> None:
    secret = secrets.token_urlsafe(32)
    try:
        s = store()
        for _ in range(3):  # a taken code (1 in 2^80): another
            code = new_code()
            if s.create(code, secret_hash(secret)):
                break
        else:
            state.flash(t("app.class.notice.full"))
            return
    except StoreUnavailable:
        state.flash(t("app.class.notice.unavailable"))
        return
    st.session_state[_TEACHER] = {"code": code, "secret": secret}
    st.session_state.pop(_SENT, None)
    st.session_state.pop(_JOINED, None)
    b.set(CODE_PARAM, "")  # a teacher follows no one


def _end() -> None:
    teacher = st.session_state.pop(_TEACHER, None)
    st.session_state.pop(_SENT, None)
    if teacher:
        with contextlib.suppress(StoreUnavailable):  # else it expires by itself
            store().end(teacher["code"], secret_hash(teacher["secret"]))


def _teacher_box(teacher: dict[str, str]) -> None:
    st.markdown(f"**{t('app.class.running')}**")
    st.caption(t("app.class.code", code=teacher["code"]))
    st.code(student_link(teacher["code"]), language=None, wrap_lines=True)
    st.caption(t("app.class.link.help"))
    st.button(t("app.class.end"), key="class._end", on_click=_end, icon=":material/stop_circle:")


def _leave(b: state.Binding) -> None:
    b.set(CODE_PARAM, "")
    for key in (_JOINED, _APPLIED, _PENDING, _EXPLORE):
        st.session_state.pop(key, None)


def _student_box(b: state.Binding) -> None:
    code = b[CODE_PARAM]
    problem = None
    if not valid_code(code):
        problem = t("app.class.notice.bad_code", code=state.shown(code))
    else:
        try:
            if store().version(code) is None:
                problem = t("app.class.notice.not_found")
        except StoreUnavailable:
            problem = t("app.class.notice.unavailable")
    if problem:
        st.session_state.pop(_JOINED, None)
        st.warning(problem, icon="⚠️")
        st.button(t("app.class.leave"), key="class._leave", on_click=_leave, args=(b,))
        return
    if st.session_state.get(_JOINED) != code:
        st.session_state[_JOINED] = code
        st.session_state.pop(_APPLIED, None)
        st.session_state.pop(_PENDING, None)
        st.session_state.pop(_EXPLORE, None)
    st.markdown(f"**{t('app.class.joined')}**")
    if st.session_state.get(_EXPLORE):
        st.caption(t("app.class.exploring"))
        st.button(
            t("app.class.follow"),
            key="class._follow",
            on_click=_follow,
            icon=":material/sync:",
            width="stretch",
        )
    else:
        st.caption(t("app.class.following"))
        st.button(
            t("app.class.explore"),
            key="class._explore",
            on_click=_explore,
            icon=":material/explore:",
            width="stretch",
        )
        st.fragment(lambda: _poll(code), run_every=POLL_S, key="class.poll")()


def _explore() -> None:
    st.session_state[_EXPLORE] = True


def _follow() -> None:
    st.session_state[_EXPLORE] = False
    st.session_state.pop(_APPLIED, None)
    st.session_state.pop(_PENDING, None)  # the next check applies the teacher's current view


def _poll(code: str) -> None:
    """The students' check (every :data:`POLL_S` s, and in each full run): one read of the
    class's version; the teacher's view is applied only when it changed."""
    try:
        version = store().version(code)
    except StoreUnavailable:
        return  # the next poll tries again
    if version is None:
        if fragment_run():
            st.rerun()  # the class ended: the sidebar says so
        return
    if version == st.session_state.get(_APPLIED):
        return
    if version == st.session_state.get(_PENDING) and not fragment_run():
        return  # this full run is the one that shows it
    _apply(code)


def fragment_run() -> bool:
    """Whether this is a fragment's own run (not a full run of the page)."""
    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)


def _apply(code: str) -> None:
    try:
        got = store().view(code)
    except StoreUnavailable:
        return
    if got is None:
        return
    version, raw = got
    if not raw:
        st.session_state[_APPLIED] = version
        return  # nothing published yet
    try:
        path, params = decode_view(raw)
    except BadView as err:
        st.session_state[_APPLIED] = version
        state.add_notice(str(err))
        if fragment_run():
            st.rerun()
        return
    params[CODE_PARAM] = code
    st.session_state[_PENDING] = version
    here = st.session_state.get(state._PAGE)
    state.load_view(params, keep=PERSONAL)
    if path != here:
        target = next(p for p in available() if p.url_path == path)
        st.switch_page(target.path, query_params=params)
    st.rerun()


def _open_qr() -> None:
    st.session_state["_class.qr_open"] = True


def _qr_dialog() -> None:
    """The join QR code, large, with its link under it (a dialog over the page)."""
    teacher = st.session_state.get(_TEACHER)
    if teacher:
        title, link = t("app.class.qr.class", code=teacher["code"]), student_link(teacher["code"])
    else:  # the URL as the last run wrote it: this view's share link
        title, link = t("app.class.qr.view"), qr.page_link(st.query_params.to_dict())
    st.dialog(title, width="medium")(lambda: qr.show(link))()
