"""The class store (ui/classroom.py): the same tests on the in-process store and on Redis (a
real redis-server on a free port, tests/redis_server.py), plus the checks of a published view.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from tests.hostile import PAYLOADS
from tests.redis_server import redis_server, require_redis
from ui import classroom
from ui.classroom import BadView, MemoryStore, RedisStore, decode_view, encode_view, secret_hash
from ui.navigation import available

SECRET = secret_hash("the teacher's secret")
OTHER = secret_hash("a guess at the secret")


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with redis_server(require_redis()) as url:
        yield url


_PREFIX = iter(range(10**6))


@pytest.fixture(params=["memory", "redis"])
def make_store(request: pytest.FixtureRequest) -> Callable[..., classroom.Store]:
    """A fresh store of either kind (Redis: its own key prefix on the module's server)."""
    if request.param == "memory":
        return lambda **kw: MemoryStore(**kw)
    url = request.getfixturevalue("redis_url")
    return lambda **kw: RedisStore(url, prefix=f"t{next(_PREFIX)}:", **kw)


def test_publish_versions_a_view_only_when_it_changes(make_store):
    s = make_store()
    code = classroom.new_code()
    assert s.create(code, SECRET)
    assert s.version(code) == 0
    assert s.view(code) == (0, "")
    assert s.publish(code, SECRET, '{"a":1}') == 1
    assert s.publish(code, SECRET, '{"a":1}') == 1  # the same view: no new version
    assert s.publish(code, SECRET, '{"a":2}') == 2
    assert s.version(code) == 2
    assert s.view(code) == (2, '{"a":2}')
    assert s.count() == 1


def test_only_the_secret_holder_publishes_reads_guesses_and_ends(make_store):
    s = make_store()
    code = classroom.new_code()
    assert s.create(code, SECRET)
    assert s.publish(code, SECRET, "mine") == 1
    assert s.publish(code, OTHER, "theirs") is None
    assert s.view(code) == (1, "mine")
    assert s.submit_guess(code, "m1", "q.a", "[0.5]")
    assert s.guesses(code, OTHER, "q.a") is None
    assert s.guesses(code, SECRET, "q.a") == ["[0.5]"]
    assert not s.end(code, OTHER)
    assert s.version(code) == 1
    assert s.end(code, SECRET)
    assert s.version(code) is None
    assert s.publish(code, SECRET, "again") is None  # an ended class stays ended
    assert not s.submit_guess(code, "m1", "q.a", "[0.5]")


def test_unknown_and_hostile_codes_find_nothing(make_store):
    s = make_store()
    code = classroom.new_code()
    assert s.create(code, SECRET)
    for bad in [classroom.new_code(), "", "*", code + "*", code[:-1], "a:b", *PAYLOADS[:20]]:
        assert s.version(bad) is None
        assert s.view(bad) is None
        assert s.publish(bad, SECRET, "x") is None
        assert not s.submit_guess(bad, "m", "q", "[1]")
        assert s.guesses(bad, SECRET, "q") is None
    assert s.version(code) == 0  # untouched


def test_a_class_expires_after_its_time_without_activity(make_store):
    s = make_store(ttl_s=1)
    quiet, busy = classroom.new_code(), classroom.new_code()
    assert s.create(quiet, SECRET) and s.create(busy, SECRET)
    time.sleep(0.6)
    assert s.publish(busy, SECRET, "still here") == 1  # activity keeps it alive
    time.sleep(0.6)
    assert s.version(quiet) is None  # 1.2 s without activity
    assert s.version(busy) == 1
    time.sleep(1.1)
    assert s.version(busy) is None
    assert s.count() == 0


def test_the_number_of_classes_is_capped(make_store):
    s = make_store(max_classes=3)
    codes = [classroom.new_code() for _ in range(4)]
    assert [s.create(c, SECRET) for c in codes] == [True, True, True, False]
    assert s.version(codes[3]) is None
    assert s.end(codes[0], SECRET)
    assert s.create(codes[3], SECRET)
    assert not s.create(codes[3], OTHER)  # a code in use is never handed out again
    assert s.count() == 3


def test_guesses_keep_each_members_latest_and_are_capped(make_store):
    s = make_store()
    code = classroom.new_code()
    assert s.create(code, SECRET)
    assert s.submit_guess(code, "m1", "q.a", "[1]")
    assert s.submit_guess(code, "m1", "q.a", "[2]")  # replaces m1's guess
    assert s.submit_guess(code, "m2", "q.a", "[3]")
    assert sorted(s.guesses(code, SECRET, "q.a")) == ["[2]", "[3]"]
    assert s.guesses(code, SECRET, "q.b") == []
    for i in range(3, classroom.MAX_GUESSERS + 1):
        assert s.submit_guess(code, f"m{i}", "q.a", "[0]")
    assert not s.submit_guess(code, "late", "q.a", "[0]")  # the question is full
    assert s.submit_guess(code, "m1", "q.a", "[9]")  # a member already in still updates
    assert len(s.guesses(code, SECRET, "q.a")) == classroom.MAX_GUESSERS
    for i in range(1, classroom.MAX_QUESTIONS):
        assert s.submit_guess(code, "m1", f"q{i}", "[0]")
    assert not s.submit_guess(code, "m1", "one.too.many", "[0]")


def test_concurrent_publishers_and_readers_see_consistent_versions(make_store):
    s = make_store()
    code = classroom.new_code()
    assert s.create(code, SECRET)
    seen: list[int] = []
    errors: list[BaseException] = []

    def publisher(k: int) -> None:
        try:
            for i in range(25):
                s.publish(code, SECRET, f"{k}-{i}")
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    def reader() -> None:
        for _ in range(50):
            v = s.version(code)
            assert v is not None
            seen.append(v)

    threads = [threading.Thread(target=publisher, args=(k,)) for k in range(4)]
    threads += [threading.Thread(target=reader) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    assert s.version(code) == 100  # every publish was a different view
    assert all(0 <= v <= 100 for v in seen)


def test_codes_are_long_random_and_checked():
    codes = {classroom.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(classroom.valid_code(c) for c in codes)
    assert len(classroom.CODE_ALPHABET) ** classroom.CODE_LEN >= 2**80
    assert set("".join(codes)) == set(classroom.CODE_ALPHABET)  # every letter in use
    code = next(iter(codes))
    for bad in [
        "", code[:-1], code + "a", code.upper(), code[:-1] + "0", code[:-1] + "l",
        " " + code[1:], code[:-1] + "\n", None, 12, *PAYLOADS,
    ]:  # fmt: skip
        assert not classroom.valid_code(bad), bad


def test_a_published_view_is_checked_and_personal_values_never_travel():
    path = next(p.url_path for p in available() if p.url_path)
    raw = encode_view(path, {"v": "1", "lang": "zh", "g": "1,2", "class": "x", "sweet": "2"})
    assert json.loads(raw) == {"path": path, "params": {"v": "1", "sweet": "2"}}
    assert decode_view(raw) == (path, {"v": "1", "sweet": "2"})
    # a hostile view smuggling personal values: they are dropped on the way in as well
    sneaky = json.dumps({"path": path, "params": {"lang": "en", "g": "9", "x": "1"}})
    assert decode_view(sneaky) == (path, {"x": "1"})
    bad_views = [
        "",
        "not json",
        "[]",
        json.dumps({"path": path}),
        json.dumps({"path": "../../etc/passwd", "params": {}}),
        json.dumps({"path": "no-such-page", "params": {}}),
        json.dumps({"path": path, "params": [["a", "b"]]}),
        json.dumps({"path": path, "params": {"a": 1}}),
        json.dumps({"path": path, "params": {"a b": "1"}}),
        json.dumps({"path": path, "params": {"<img>": "1"}}),
        json.dumps({"path": path, "params": {f"p{i}": "1" for i in range(100)}}),
        json.dumps({"path": path, "params": {"a": "x" * 20_000}}),
        json.dumps({"path": path, "params": {}, "extra": 1}),
    ]
    for raw in bad_views:
        with pytest.raises(BadView):
            decode_view(raw)


def test_a_redis_that_does_not_answer_raises_store_unavailable():
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dead = RedisStore(f"redis://127.0.0.1:{port}/0")
    code = classroom.new_code()
    calls = [
        lambda: dead.create(code, SECRET),
        lambda: dead.version(code),
        lambda: dead.view(code),
        lambda: dead.publish(code, SECRET, "x"),
        lambda: dead.submit_guess(code, "m", "q", "[1]"),
        lambda: dead.guesses(code, SECRET, "q"),
        lambda: dead.end(code, SECRET),
        dead.count,
    ]
    for call in calls:
        with pytest.raises(classroom.StoreUnavailable):
            call()
