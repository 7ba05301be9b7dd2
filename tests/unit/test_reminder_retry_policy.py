"""The retry policy's waits: five minutes after the first failure, doubling, never more than
six hours apart, however long the endpoint stays down."""

from datetime import UTC, datetime, timedelta

import pytest

from scheduler.retry import RetryPolicy


def test_waits_double_from_the_first_and_stop_at_the_cap() -> None:
    policy = RetryPolicy()
    waits = [policy.wait_after(n).total_seconds() for n in range(1, 10)]
    assert waits == [300, 600, 1200, 2400, 4800, 9600, 19200, 21600, 21600]


def test_a_delivery_failing_for_weeks_waits_the_cap_not_forever() -> None:
    policy = RetryPolicy(first_seconds=60, max_seconds=3600)
    assert policy.wait_after(10_000) == timedelta(hours=1)
    failed_at = datetime(2026, 3, 2, 12, tzinfo=UTC)
    assert policy.next_attempt(1, failed_at) == failed_at + timedelta(minutes=1)


@pytest.mark.parametrize(
    "options", [{"first_seconds": 0}, {"max_seconds": -1}, {"max_age": timedelta(0)}]
)
def test_a_policy_that_would_never_wait_or_never_age_is_refused(options: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="retry policy"):
        RetryPolicy(**options)  # type: ignore[arg-type]
