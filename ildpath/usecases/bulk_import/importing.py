"""The import: every line decided before anything is written, then the patients written a
batch per transaction by the one writer, then judged once as of today.

The history is judged as known today: its entries are recorded today with their clinical
dates, so an alert that holds today is raised today, never back-dated. A patient already in
the database is skipped, so an import stopped half-way is finished by running it again.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pathway.errors import ClinicalError, InvalidValue
from pathway.patient_identifier import folded_id
from persistence.changes import Actor, PatientChanges

from ...bootstrap import App
from ...errors import DuplicatePatient
from ..daily_run import run_daily_evaluation
from ..heap import collector_paused, heap_set_aside, set_aside_too
from .planning import Planner
from .reading import MAX_PROBLEMS, ImportRefused, lines_of, parsed
from .spool import Spool

__all__ = ["BATCH", "ImportReport", "import_histories"]

BATCH = 1000
"""Patients per transaction."""


@dataclass(frozen=True)
class ImportReport:
    patients: int
    events: int
    skipped: list[str]
    """Ids already in the database (imported before), left as they are."""


def _enrolled_otherwise(app: App, lines: dict[str, tuple[int, str]]) -> list[tuple[int, str]]:
    """The lines whose id is enrolled already with other capitals (``demo-1`` while
    ``DEMO-1`` is), each with its refusal: importing it would enrol a look-alike. An id
    enrolled exactly as written is not one: that patient is skipped (an import run again)."""
    found: list[tuple[int, str]] = []
    given = [external_id for _, external_id in lines.values()]
    for start in range(0, len(given), BATCH):
        with app.unit_of_work() as uow:
            enrolled = uow.patients.enrolled_as(given[start : start + BATCH])
        for external_id, stored in enrolled.items():
            if stored != external_id:
                number = lines[folded_id(external_id)][0]
                found.append((number, str(DuplicatePatient(external_id, stored))))
    return sorted(found)


def _check_file(
    app: App, planner: Planner, read: Callable[[], Iterable[str]], batch: int, spool: Spool
) -> dict[str, int]:
    """Decide every line; keep the decided patients a batch at a time, and how many events
    each line held; refuse the whole file, naming each bad line, if any is wrong (an id
    repeated in the file or enrolled already with other capitals among them)."""
    problems: list[tuple[int, str]] = []
    count = 0
    events: dict[str, int] = {}
    lines: dict[str, tuple[int, str]] = {}  # id as compared -> its line, the id as written
    pending: list[PatientChanges] = []
    for number, line in lines_of(read):
        try:
            changes, held = planner.plan(parsed(line))
            external_id = changes.patient.columns["external_id"]  # type: ignore[union-attr]
            key = folded_id(external_id)
            if key in lines:
                first, written = lines[key]
                raise InvalidValue(
                    "id",
                    external_id,
                    "an id that appears once in the file, whatever the case (line "
                    f"{first} has {written!r})",
                )
        except ClinicalError as error:
            count += 1
            if len(problems) < MAX_PROBLEMS:
                problems.append((number, str(error)))
            continue
        lines[key] = (number, external_id)
        events[external_id] = held
        if not count:
            pending.append(changes)
            set_aside_too()  # kept to the end: never worth scanning again
            if len(pending) >= batch:
                spool.keep(pending)
                pending = []
    clashes = _enrolled_otherwise(app, lines)
    count += len(clashes)
    if count:
        shown = sorted(problems + clashes)[:MAX_PROBLEMS]
        raise ImportRefused([f"line {number}: {said}" for number, said in shown], count)
    if pending:
        spool.keep(pending)
    return events


def import_histories(
    app: App,
    read: Callable[[], Iterable[str]],
    actor: Actor,
    *,
    batch: int = BATCH,
    judge: bool = True,
) -> ImportReport:
    """Check every line, then write the patients a batch at a time and judge them once.
    ``read`` gives the file's lines (read once: the decided histories are spooled for
    writing). ``judge=False`` leaves the judging to the next daily run (the benchmark times
    it apart)."""
    today = app.clock.today()
    planner = Planner(actor, today, app.definition, app.settings.patient_id_rule())
    patients = events = 0
    skipped: list[str] = []
    first_id: int | None = None
    spool = Spool()
    try:
        with heap_set_aside():
            held = _check_file(app, planner, read, batch, spool)
            for changes in spool.batches():
                with collector_paused(), app.unit_of_work() as uow:
                    wanted = [c.patient.columns["external_id"] for c in changes]  # type: ignore[union-attr]
                    present = uow.patients.present(wanted)
                    fresh = [
                        c for c, pid in zip(changes, wanted, strict=True) if pid not in present
                    ]
                    skipped += sorted(present)
                    written = uow.patients.write(fresh, app.clock.now) if fresh else []
                if written and first_id is None:
                    first_id = written[0].patient.id
                patients += len(written)
                events += sum(held[w.patient.external_id] for w in written)
    finally:
        spool.close()
    if judge and first_id is not None:
        run_daily_evaluation(app, today, from_id=first_id)
    return ImportReport(patients, events, skipped)
