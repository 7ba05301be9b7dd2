"""`chained_events` (the bulk writers' spelling of the audit chain) gives exactly the events,
hashes included, that `next_event` gives one at a time, so `verify_chains` accepts both."""

from datetime import UTC, date, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from persistence.audit import (
    EVENT_COLUMNS,
    ChainHead,
    _digest,
    canonical_json,
    chained_events,
    next_event,
)

_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
_payloads = st.dictionaries(st.text(max_size=12), _values | st.dates(), max_size=5)
_instants = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
) | st.datetimes(min_value=datetime(1990, 1, 2), max_value=datetime(2099, 12, 30)).map(
    lambda d: d.replace(tzinfo=timezone(timedelta(hours=-5)))
)
_notes = st.lists(
    st.tuples(st.text(min_size=1, max_size=20), _payloads, st.none() | st.dates(), _instants),
    max_size=6,
)


@given(
    notes=_notes,
    patient_id=st.integers(min_value=1, max_value=2**40),
    seq=st.integers(min_value=0, max_value=1000),
    previous=st.sampled_from(["", "a" * 64, "0f" * 32]),
    who=st.tuples(st.text(max_size=10), st.text(max_size=10), st.text(max_size=10)),
)
def test_chained_events_are_next_events(
    notes: list[tuple[str, dict[str, Any], date | None, datetime]],
    patient_id: int,
    seq: int,
    previous: str,
    who: tuple[str, str, str],
) -> None:
    actor, role, version = who
    one_by_one = ChainHead(patient_id, seq, previous)
    expected = [
        next_event(
            one_by_one,
            kind=kind,
            actor=actor,
            role=role,
            recorded_at=recorded_at,
            pathway_version=version,
            payload=payload,
            clinical_on=clinical_on,
        )
        for kind, payload, clinical_on, recorded_at in notes
    ]
    in_bulk = ChainHead(patient_id, seq, previous)
    events = chained_events(in_bulk, notes, actor=actor, role=role, pathway_version=version)
    assert [dict(zip(EVENT_COLUMNS, event, strict=True)) for event in events] == expected
    assert (in_bulk.seq, in_bulk.hash) == (one_by_one.seq, one_by_one.hash)


def test_a_clinical_day_given_as_iso_text_hashes_as_the_day() -> None:
    """The bulk import hands SQLite its days as ISO text: the hash is the same."""
    at = datetime(2026, 11, 21, 12, 0, 0, 7, tzinfo=UTC)
    notes_as_dates = [("observation_recorded", {"id": 1, "fvc_pct": 70.0}, date(2026, 1, 2), at)]
    notes_as_text = [("observation_recorded", {"id": 1, "fvc_pct": 70.0}, "2026-01-02", at)]
    as_dates = chained_events(
        ChainHead(3, 0, ""), notes_as_dates, actor="a", role="r", pathway_version="v"
    )  # type: ignore[arg-type]
    as_text = chained_events(
        ChainHead(3, 0, ""), notes_as_text, actor="a", role="r", pathway_version="v"
    )  # type: ignore[arg-type]
    assert as_dates[0][-1] == as_text[0][-1]
    row = SimpleNamespace(**dict(zip(EVENT_COLUMNS, as_text[0], strict=True)))
    assert _digest(row) == row.hash and row.payload == canonical_json({"fvc_pct": 70.0, "id": 1})
