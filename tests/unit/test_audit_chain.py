"""The one audit chainer: links are signed with the audit key (a hash pinned under a known key
does not move), chains written before the key still verify as they were written (for their
migration), and any change to a chained event is found."""

from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from persistence.audit import first_break
from persistence.audit_chain import (
    ChainHead,
    EventColumns,
    EventNote,
    canonical_json,
    chain_events,
    event_hash,
    event_material,
    link_hash,
)
from persistence.audit_key import AuditKeyring

NOON = datetime(2026, 3, 2, 12, 0, 0, 5, tzinfo=UTC)
KEYS = AuditKeyring("k1", {"k1": bytes(range(32))})
PINNED_FIRST = "bbf76d1a5c046ba4035cd49cd88817633b7b430b0038ca8277a5e876ffd84e49"
PINNED_SECOND = "6b5e55dc89ca123b41e5be24099d81d5d5b2a3e5fb56fbee409bd69954ceaf00"
OTHER_KEYS = AuditKeyring("k1", {"k1": bytes(range(1, 33))})


def _note(
    kind: str, payload: dict[str, Any], on: date | None, actor: str, at: datetime
) -> EventNote:
    role = "system" if actor == "ildpath-engine" else "clinician"
    return EventNote(kind, payload, on, actor, role, at, "2026.11-2")


def test_an_event_signed_under_a_known_key_keeps_its_hash():
    head = ChainHead(7, 0, "")
    chained = EventColumns()
    chain_events(
        head,
        [
            _note(
                "observation_recorded",
                {"id": 12, "kind": "pft", "fvc_pct": 61.0, "note": "é ✓"},
                date(2026, 3, 1),
                "dr-test",
                NOON,
            ),
            _note(
                "alert_raised",
                {"alert_id": 3, "raised_on": date(2026, 3, 2)},
                None,
                "ildpath-engine",
                NOON.replace(microsecond=6),
            ),
        ],
        chained,
        KEYS,
    )
    first, second = chained.rows()
    assert first["payload"] == '{"fvc_pct":61.0,"id":12,"kind":"pft","note":"\\u00e9 \\u2713"}'
    assert first["key_id"] == "k1"
    assert first["hash"] == PINNED_FIRST
    assert second["hash"] == PINNED_SECOND
    assert (head.seq, head.hash) == (2, second["hash"])
    assert event_hash(first, KEYS) == first["hash"]
    assert event_hash(first, OTHER_KEYS) != first["hash"]


def test_an_event_chained_before_the_key_still_verifies_as_written():
    """Migration 0014 verifies old chains with the unkeyed hash before signing them again."""
    from persistence.audit_rekey import _legacy_event_hash, _legacy_view_hash

    old = SimpleNamespace(
        patient_id=7,
        seq=1,
        kind="observation_recorded",
        actor="dr-test",
        role="clinician",
        clinical_on=date(2026, 3, 1),
        recorded_at=NOON,
        pathway_version="2026.11-2",
        payload='{"fvc_pct":61.0,"id":12,"kind":"pft","note":"\\u00e9 \\u2713"}',
        prev_hash="0" * 64,
    )
    assert (
        _legacy_event_hash(old)
        == "ec8bdfad6e623a516ef666993c863e09f01303f27f53c5f38ee9f6e06787c4a9"
    )
    view = SimpleNamespace(
        patient_id=7,
        seq=1,
        actor="a",
        role="clinician",
        via="web",
        what="patient record",
        viewed_at="2026-03-02T12:00:00.000000",
        prev_hash="0" * 64,
    )
    assert (
        _legacy_view_hash(view)
        == "7f3fb5bdb195f9fdf01198bcfe4827a937abcdbe5befd2deb9bf19be6f2390a8"
    )


def test_a_link_signed_under_another_key_does_not_verify():
    material = {"patient_id": 7, "seq": 1, "prev_hash": "0" * 64}
    assert link_hash(material, KEYS, "k1") != link_hash(material, OTHER_KEYS, "k1")


def _chained(head: ChainHead, notes: list[EventNote]) -> list[dict[str, Any]]:
    chained = EventColumns()
    chain_events(head, notes, chained, KEYS)
    return chained.rows()


def _signed(event: Any) -> str:
    return event_hash(event, KEYS)


_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
_payloads = st.dictionaries(st.text(max_size=12), _values | st.dates(), min_size=1, max_size=5)


@given(st.lists(_payloads, min_size=1, max_size=6), st.data())
def test_changing_any_payload_of_a_chain_is_found(payloads, data):
    head = ChainHead(1, 0, "")
    notes = [_note("observation_recorded", p, None, "dr-test", NOON) for p in payloads]
    events = [SimpleNamespace(id=n, **e) for n, e in enumerate(_chained(head, notes), 1)]
    patient = SimpleNamespace(id=1, external_id="P-1")
    assert first_break(patient, events, _signed, "event", (head.seq, head.hash)) is None  # type: ignore[arg-type]

    altered = data.draw(st.integers(0, len(events) - 1))
    events[altered].payload += " "
    found = first_break(patient, events, _signed, "event", (head.seq, head.hash))  # type: ignore[arg-type]
    assert found is not None and found.seq == altered + 1 and "altered" in found.problem


def test_an_event_deleted_from_the_end_is_found_by_the_patients_head():
    head = ChainHead(1, 0, "")
    notes = [_note("task_opened", {"n": n}, None, "ildpath-engine", NOON) for n in range(3)]
    events = [SimpleNamespace(id=n, **e) for n, e in enumerate(_chained(head, notes), 1)]
    patient = SimpleNamespace(id=1, external_id="P-1")
    found = first_break(patient, events[:2], _signed, "event", (head.seq, head.hash))  # type: ignore[arg-type]
    assert found is not None and "deleted from the end" in found.problem


_texts = st.text() | st.none()


@given(
    st.fixed_dictionaries(
        {
            "patient_id": st.integers(1, 10**9),
            "seq": st.integers(1, 10**6),
            "kind": st.text(),
            "actor": st.text(),
            "role": st.text(),
            "clinical_on": st.dates() | st.none(),
            "recorded_at": st.text(),
            "pathway_version": st.text(),
            "payload": st.text(),
            "record": st.text(),
            "key_id": st.text(),
            "prev_hash": st.text(),
        }
    )
)
def test_an_events_canonical_form_is_canonical_json_of_its_fields(fields):
    assert event_material(fields) == canonical_json(fields)
