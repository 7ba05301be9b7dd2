"""Every code a person may see has a label from the one catalogue (issue 18: words, not codes).

A new alert, task, trigger, state, recommendation or phenotype group added to `pathway` without
a label fails here, before it reaches a screen as a bare code."""

from dataclasses import replace

import pytest

from pathway import catalogue, codes, machine, phenotype
from pathway.definition import default_definition
from pathway.findings import worded
from pathway.labels import KINDS, LABELS, count, days, field_label, label, labelled
from pathway.validation import CHOICES, RANGES

CATALOGUES = {
    "alert": codes.ALERTS,
    "task": codes.TASKS,
    "recommendation": codes.RECOMMENDATIONS,
    "trigger": machine.TRIGGERS,
    "state": machine.STATES,
    "phenotype_group": phenotype.PHENOTYPE_GROUPS,
    "agent": catalogue.AGENT_CLASS,
    "procedure": catalogue.PROCEDURES,
    "vaccination": catalogue.VACCINATIONS,
}


@pytest.mark.parametrize("kind", sorted(CATALOGUES))
def test_every_code_of_the_pathway_has_a_label(kind: str) -> None:
    missing = sorted(set(CATALOGUES[kind]) - set(LABELS[kind]))
    assert missing == [], f"{kind} codes without a label in pathway.labels: {missing}"


@pytest.mark.parametrize("kind", sorted(CATALOGUES))
def test_the_catalogue_labels_no_code_the_pathway_does_not_know(kind: str) -> None:
    assert sorted(set(LABELS[kind]) - set(CATALOGUES[kind])) == []


def test_every_recommendation_the_definition_can_propose_has_a_label() -> None:
    definition = default_definition()
    proposed = {code for codes_ in definition.recommendations.values() for code in codes_}
    assert proposed <= set(LABELS["recommendation"])


def test_every_checked_field_and_its_values_have_labels() -> None:
    fields = set(RANGES) | set(CHOICES) - {"analyte"}
    assert sorted(fields - set(LABELS["field"])) == []
    values = {
        *catalogue.DIAGNOSES,
        *catalogue.ANTI_BODY_STATUSES,
        *catalogue.ILD_COURSES,
        *catalogue.OXYGEN_REQUIREMENTS,
        *catalogue.PHENOTYPE_FLAGS,
        *catalogue.CLOSING_REASONS,
        *catalogue.REFERRAL_OUTCOMES,
        *catalogue.ROUTES,
        *catalogue.SEXES,
    }
    assert sorted(values - set(LABELS["value"])) == []


def test_a_code_known_under_two_kinds_reads_the_same_under_both() -> None:
    seen: dict[str, str] = {}
    for kind in KINDS:
        for code, text in LABELS[kind].items():
            assert seen.setdefault(code, text) == text, f"{code} reads two ways"


def test_labels_are_words_not_codes() -> None:
    for kind in KINDS:
        for code, text in LABELS[kind].items():
            assert text and text[0] == text[0].upper(), (kind, code, text)
            assert "_" not in text, (kind, code, text)


def test_a_label_asked_by_kind_or_not_reads_the_same() -> None:
    assert label("cmv_test", "task") == label("cmv_test") == "CMV test"
    assert label("ADD_CNI") == "Add a calcineurin inhibitor"
    assert label("detect_progression") == "Progression detected"
    assert label("A", "phenotype_group") == "Anti-MDA5 positive"


def test_an_unlabelled_code_still_reads_as_words() -> None:
    assert label("some_new_code") == "Some new code"
    assert label(None) == ""


def test_a_label_with_its_code_as_text_for_a_terminal() -> None:
    assert labelled("cmv_test") == "CMV test (cmv_test)"
    assert labelled(None) == ""


def test_the_ild_course_is_named_as_at_presentation() -> None:
    assert field_label("ild_course") == "ILD course at presentation"


def test_a_dotted_field_is_named_by_its_last_part() -> None:
    assert field_label("observation.fvc_pct") == "FVC % predicted"


def test_day_counts_agree_with_their_number() -> None:
    assert days(1) == "1 day"
    assert days(0) == "0 days"
    assert days(3) == "3 days"
    assert count(1, "entry", "entries") == "1 entry"
    assert count(2, "entry", "entries") == "2 entries"


def test_a_window_of_one_day_reads_one_day_in_the_message_that_names_it() -> None:
    one_day = replace(default_definition(), plasma_exchange_window_days=1)
    message = worded(codes.ALERTS["PLASMA_EXCHANGE_OVERDUE"].message, one_day)
    assert "within 1 day of the refractory date" in message
    assert "within 14 days" in worded(
        codes.ALERTS["PLASMA_EXCHANGE_OVERDUE"].message, default_definition()
    )
