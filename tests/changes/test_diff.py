"""The pure exposure diff: what appeared, what went, which fix showed up."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from fixright.changes.diff import FIX_AVAILABLE, NEW_EXPOSURE, RESOLVED, Exposed, diff, updated


def _e(device: int, advisory: str, fix: str | None = None, severity: str = "high") -> Exposed:
    return Exposed(device, advisory, f"S{device}", f"h{device}", "M", "1.0", severity, False, fix)


def test_new_resolved_and_fix_available() -> None:
    before = {e.key: e for e in (_e(1, "a"), _e(2, "a"), _e(3, "b"))}
    after = {e.key: e for e in (_e(1, "a"), _e(3, "b", fix="2.0"), _e(4, "a"))}
    assert [(c.kind, c.exposure.key) for c in diff(before, after)] == [
        (RESOLVED, (2, "a")), (FIX_AVAILABLE, (3, "b")), (NEW_EXPOSURE, (4, "a"))]
    assert updated(before, after) == [_e(3, "b", fix="2.0")]


def test_a_severity_change_is_no_event_but_refreshes_the_snapshot() -> None:
    before = {(1, "a"): _e(1, "a")}
    after = {(1, "a"): replace(_e(1, "a"), severity="critical")}
    assert diff(before, after) == []
    assert updated(before, after) == [after[(1, "a")]]


keys = st.tuples(st.integers(1, 6), st.sampled_from("abc"))


@given(st.dictionaries(keys, st.none() | st.just("9.9")),
       st.dictionaries(keys, st.none() | st.just("9.9")))
def test_applying_the_diff_yields_the_new_key_set(old: dict, new: dict) -> None:
    before = {k: _e(*k, fix=f) for k, f in old.items()}
    after = {k: _e(*k, fix=f) for k, f in new.items()}
    changes = diff(before, after)
    keys_now = set(before)
    for change in changes:
        if change.kind == NEW_EXPOSURE:
            keys_now.add(change.exposure.key)
        elif change.kind == RESOLVED:
            keys_now.discard(change.exposure.key)
    assert keys_now == set(after)
    assert diff(after, after) == []
