"""CMV_REACTIVATION judged in the unit the laboratory reported and with its comparator (§8,
revision 2): a threshold per unit (IU/mL, copies/mL; never converted), and a result reported
below a limit ("< 35 IU/mL") is not above the threshold; the one judgement also clears the
alert (§7a)."""

import dataclasses

import pytest

from pathway import default_definition
from pathway.frozen import FrozenDict
from pathway.observations import CmvLoad
from tests.unit.builders import alert_codes, evaluate_on, patient, plus

D = "2026-03-02"


def immunosuppressed():
    return patient(enrolled=D).start(D, "prednisone", dose=60).start(D, "tacrolimus", dose=4)


def thresholds(iu: float = 0, copies: float = 0):
    return dataclasses.replace(
        default_definition(), cmv_thresholds=FrozenDict({"iu_per_ml": iu, "copies_per_ml": copies})
    )


@pytest.mark.parametrize(
    ("comparator", "value", "threshold", "above"),
    [
        (None, 0, 0, False),
        (None, 0.5, 0, True),
        (None, 1000, 1000, False),
        ("<", 35, 0, False),
        ("<=", 35, 0, False),
        ("<", 5000, 1000, False),
        (">", 0, 0, True),
        (">", 1000, 1000, True),
        (">", 100, 1000, False),
        (">=", 0, 0, False),
        (">=", 1001, 1000, True),
    ],
)
def test_a_load_is_above_its_threshold_only_when_what_was_reported_says_so(
    comparator, value, threshold, above
):
    assert CmvLoad(value, "iu_per_ml", comparator).exceeds(threshold) is above


def test_a_load_reads_as_the_laboratory_wrote_it():
    assert str(CmvLoad(35, "iu_per_ml", "<")) == "< 35 IU/mL"
    assert str(CmvLoad(500, "copies_per_ml")) == "500 copies/mL"


@pytest.mark.parametrize(
    ("reported", "raised"),
    [
        ({"iu": 35, "comparator": "<"}, False),
        ({"copies": 200, "comparator": "<="}, False),
        ({"copies": 500}, True),
        ({"iu": 500}, True),
        ({"copies": 0}, False),
        ({"copies": 10**6, "comparator": ">"}, True),
    ],
)
def test_cmv_reactivation_follows_the_reported_unit_and_comparator(reported, raised):
    record = immunosuppressed().cmv_reported(plus(D, 7), **reported).build()

    codes = alert_codes(evaluate_on(record, plus(D, 7)))

    assert ("CMV_REACTIVATION" in codes) is raised


def test_each_unit_has_its_own_configurable_threshold_and_none_is_converted():
    copies_500 = immunosuppressed().cmv_reported(plus(D, 7), copies=500).build()
    iu_500 = immunosuppressed().cmv_reported(plus(D, 7), iu=500).build()
    strict_copies = thresholds(copies=1000)

    assert "CMV_REACTIVATION" not in alert_codes(evaluate_on(copies_500, plus(D, 7), strict_copies))
    assert "CMV_REACTIVATION" in alert_codes(evaluate_on(iu_500, plus(D, 7), strict_copies))
    strict_iu = thresholds(iu=1000)
    assert "CMV_REACTIVATION" in alert_codes(evaluate_on(copies_500, plus(D, 7), strict_iu))
    assert "CMV_REACTIVATION" not in alert_codes(evaluate_on(iu_500, plus(D, 7), strict_iu))


def test_the_shipped_definition_reads_any_detected_load_in_either_unit():
    assert default_definition().cmv_thresholds == {"iu_per_ml": 0, "copies_per_ml": 0}


def test_a_result_in_copies_closes_the_cmv_test_as_one_in_iu_does():
    record = immunosuppressed().cmv_reported(plus(D, 5), copies=200, comparator="<").build()

    tasks = [t for t in evaluate_on(record, plus(D, 5)).tasks if t.kind == "cmv_test"]

    assert [t.status for t in tasks] == ["done", "open"]
