"""Issue 22 through `ildpath import`: every line's id follows the one id rule, an id is once
in the file whatever the case, an id enrolled already with other capitals is refused (the
same id as enrolled is skipped, so an import run again still finishes), and a date far
outside the accepted range is a refused line; the whole file is refused, each bad line named,
and nothing is written."""

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bench.cohort import patient
from bench.ingest import CLINICIAN
from ildpath.bootstrap import App, bootstrap
from ildpath.clock import SimulatedClock
from ildpath.settings import Settings
from ildpath.usecases.bulk_import import ImportRefused, import_histories

TODAY = date(2026, 11, 21)


def _app(url: str) -> App:
    return bootstrap(Settings(database_url=url), SimulatedClock(TODAY))


def _line(number: int, **changes: Any) -> str:
    data = patient(number, TODAY)
    data.update(changes)
    return json.dumps(data)


def _import(app: App, tmp_path: Path, lines: list[str]) -> Any:
    path = tmp_path / "cohort.ndjson"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return import_histories(app, lambda: path.open(encoding="utf-8"), CLINICIAN, batch=2)


def _written(app: App) -> tuple[int, int]:
    with app.engine.connect() as db:
        patients = db.execute(text("SELECT count(*) FROM patient")).scalar_one()
        events = db.execute(text("SELECT count(*) FROM audit_event")).scalar_one()
    return patients, events


def test_look_alike_ids_and_far_dates_are_named_line_by_line_and_nothing_is_written(
    database_url: str, tmp_path: Path
) -> None:
    app = _app(database_url)
    far = patient(9, TODAY)
    far["events"][0] = {**far["events"][0], "on": "9999-12-31"}
    lines = [
        _line(1),
        _line(2, id="B\u0415NCH-000002"),
        _line(3, id="BENCH-000003 "),
        _line(4, id="BENCH\u2010000004"),
        _line(5, id="BENCH-\u200b000005"),
        _line(6, id="PAT-\u202e1000-TED"),
        _line(7, id="bench-000001"),
        _line(8, birth_date="0001-01-01"),
        json.dumps(far),
    ]
    before = _written(app)

    with pytest.raises(ImportRefused) as refused:
        _import(app, tmp_path, lines)

    said = str(refused.value)
    assert "8 problem(s) in the file, nothing imported" in said
    assert "line 2: id: 'B\u0415NCH-000002' is not allowed" in said
    assert "found CYRILLIC CAPITAL LETTER IE (U+0415) at position 2" in said
    assert "line 3: id: 'BENCH-000003 '" in said and "no space at the start or end" in said
    assert "line 4: id:" in said and "found HYPHEN (U+2010)" in said
    assert "line 5: id:" in said and "found ZERO WIDTH SPACE (U+200B)" in said
    assert "line 6: id:" in said and "found RIGHT-TO-LEFT OVERRIDE (U+202E)" in said
    assert (
        "line 7: id: 'bench-000001' is not allowed; allowed: an id that appears once in the "
        "file, whatever the case (line 1 has 'BENCH-000001')"
    ) in said
    assert "line 8: birth_date: '0001-01-01' is not allowed; allowed: a date from 1900" in said
    assert "line 9: events[0].on: '9999-12-31' is not allowed; allowed: a date from" in said
    assert _written(app) == before


def test_an_id_enrolled_with_other_capitals_refuses_the_file_the_same_id_is_skipped(
    database_url: str, tmp_path: Path
) -> None:
    app = _app(database_url)
    _import(app, tmp_path, [_line(1)])
    before = _written(app)

    with pytest.raises(ImportRefused) as refused:
        _import(app, tmp_path, [_line(2), _line(1, id="bench-000001")])

    assert "line 2: id: 'bench-000001' is already enrolled as 'BENCH-000001'" in str(refused.value)
    assert _written(app) == before
    again = _import(app, tmp_path, [_line(2), _line(1)])
    assert (again.patients, again.skipped) == (1, ["BENCH-000001"])
