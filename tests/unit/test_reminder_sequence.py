"""Issue 21: a task's next reminder on a channel follows from the newest one it got there,
never catching up on the days missed."""

from datetime import date, timedelta

from scheduler.reminder_sequence import LastReminder, days_overdue, next_kind, repeat_of

DUE = date(2026, 1, 2)
CADENCE = 7


def _day(offset: int) -> date:
    return DUE + timedelta(days=offset)


def test_the_first_reminder_is_due_on_the_due_date_and_overdue_on_any_later_day() -> None:
    assert next_kind(DUE, _day(-1), CADENCE, None) is None
    assert next_kind(DUE, DUE, CADENCE, None) == "due"
    assert next_kind(DUE, _day(1), CADENCE, None) == "overdue"
    assert next_kind(DUE, _day(700), CADENCE, None) == "overdue"  # a two-year-old task: one


def test_nothing_more_while_the_last_one_is_pending() -> None:
    pending = LastReminder("overdue", None)
    assert next_kind(DUE, _day(400), CADENCE, pending) is None


def test_after_due_the_overdue_one_comes_the_day_after_both_due_date_and_delivery() -> None:
    delivered_on_time = LastReminder("due", DUE)
    assert next_kind(DUE, DUE, CADENCE, delivered_on_time) is None
    assert next_kind(DUE, _day(1), CADENCE, delivered_on_time) == "overdue"
    delivered_late = LastReminder("due", _day(2))  # receiver down for two days
    assert next_kind(DUE, _day(2), CADENCE, delivered_late) is None
    assert next_kind(DUE, _day(3), CADENCE, delivered_late) == "overdue"


def test_repeats_count_the_cadence_from_the_last_delivery_and_never_catch_up() -> None:
    sent = LastReminder("overdue", _day(1))
    assert next_kind(DUE, _day(7), CADENCE, sent) is None
    assert next_kind(DUE, _day(8), CADENCE, sent) == "overdue-repeat-1"
    # down for 20 days after it: one repeat, numbered after the last, not three
    assert next_kind(DUE, _day(29), CADENCE, sent) == "overdue-repeat-1"
    third = LastReminder("overdue-repeat-2", _day(30))
    assert next_kind(DUE, _day(36), CADENCE, third) is None
    assert next_kind(DUE, _day(37), CADENCE, third) == "overdue-repeat-3"


def test_no_repeat_with_no_cadence() -> None:
    assert next_kind(DUE, _day(90), 0, LastReminder("overdue", _day(1))) is None


def test_numbers_and_days_read_from_the_kinds() -> None:
    assert [repeat_of(k) for k in ("overdue", "overdue-repeat-1", "overdue-repeat-107")] == [
        0,
        1,
        107,
    ]
    assert days_overdue("overdue", DUE, _day(38)) == 38
    assert days_overdue("due", DUE, DUE) is None
