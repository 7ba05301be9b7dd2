"""How long a patient's daily judgement stays what it is: the quiet horizon.

The daily run judges every active patient every day, yet on most days nothing about most
patients can change: no entry is dated today, no task falls due, no window closes. The rules
depend on the day they are asked about in few ways:

- an entry counts from the day it is recorded, and takes effect from its clinical date, which
  is never in the future (§11): the state, agents and phenotype of a day, the observations up
  to it;
- a task opens, falls due (overdue the day after) and closes on dates the ledgers work out,
  and which the evaluation lists;
- a window is reckoned from the day asked: each rule that reckons one declares it beside
  itself (`window.Window`), and `windows.WINDOWS` gathers them all — today the triple-therapy
  deadline (§7), the high risk that follows detected progression and the yearly influenza
  task (§8).

So judging the same record again says nothing new until the first of those dates after the day
judged, or the day after one of them. A rule that reckons another window from the day asked
declares it in its own module: `tests/unit/test_rules_declare_their_windows.py` fails when it
does not, and `tests/integration/test_quiet_horizon.py` replays every day of the scenarios and
of a synthetic cohort and fails on any change inside a horizon. The caller also bounds the
horizon whatever the dates say (``latest``).
"""

import hashlib
from collections.abc import Iterator
from datetime import date, timedelta
from itertools import chain

from .definition import PathwayDefinition
from .evaluation import Evaluation
from .record import PatientRecord
from .windows import WINDOWS

__all__ = ["basis", "quiet_until"]

_ONE_DAY = timedelta(days=1)


def _dates_of_the_day(record: PatientRecord, evaluation: Evaluation) -> Iterator[date]:
    """Dates whose day, or the day after, may change the judgement."""
    yield record.enrolled_on
    for entry in record.entries():
        yield entry.on
        yield entry.recorded_on
    for alert in record.alerts:
        yield alert.raised_on
    for action in record.task_actions:
        yield action.recorded_on
    for task in evaluation.tasks:
        yield task.opened_on
        yield task.due_on
        if task.rescheduled_to is not None:  # overdue counts from it (§8 Acting on a task)
            yield task.rescheduled_to
        if task.closed_on is not None:
            yield task.closed_on


def _ends_of_windows(
    record: PatientRecord, day: date, definition: PathwayDefinition
) -> Iterator[date]:
    """``start + days`` of every window the rules declare (`windows.WINDOWS`): the day on
    which, or the day after which, a rule's answer may change."""
    for window in WINDOWS:
        for start, days in window.spans(record, day, definition):
            yield start + timedelta(days)  # given by position: faster than ``days=``


def quiet_until(
    record: PatientRecord, evaluation: Evaluation, definition: PathwayDefinition, latest: date
) -> date:
    """The last day through which judging ``record`` again says what ``evaluation`` (of
    ``evaluation.as_of``) said: no new alert, the same tasks. No later than ``latest``;
    ``evaluation.as_of`` itself when tomorrow may already differ.

    One pass over the dates, without collecting them, that stops at a date of the day itself
    (nothing can be quieter): the daily run asks this of every patient it judges."""
    day = evaluation.as_of
    quiet = max(latest, day)
    ends = _ends_of_windows(record, day, definition)
    for moment in chain(_dates_of_the_day(record, evaluation), ends):
        if day < moment <= quiet:
            quiet = moment - _ONE_DAY
        elif moment == day:  # tomorrow is the day after one of its dates
            return day
    return quiet


def basis(definition: PathwayDefinition, longest: int) -> str:
    """What a stored horizon was worked out under: the definition's every value and the cap.
    A horizon from another definition says nothing about this one."""
    text = f"{definition!r}|longest={longest}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
