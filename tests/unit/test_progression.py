"""PROGRESSION_SUSPECTED (§5): in monitoring, the latest PFT has FVC % predicted >= 5 points or
DLCO % predicted (Hb-corrected where available) >= 10 points below the best value of the PFTs
within the 365 days before it, inclusive."""

from tests.unit.builders import (
    alert_codes,
    alerts_of,
    evaluate_on,
    open_task,
    patient,
    plus,
    raised,
    simulate,
)

ENROLLED = "2026-01-05"
BASELINE = "2026-02-02"
LATEST = "2026-05-04"


def in_monitoring():
    """A patient induced and in response since early January."""
    return (
        patient(enrolled=ENROLLED)
        .start(ENROLLED, "prednisone", dose=50)
        .start(ENROLLED, "mycophenolate_mofetil", dose=2000)
        .transition(ENROLLED, "start_induction")
        .transition("2026-01-20", "achieve_response")
    )


def suspected(record, as_of=LATEST):
    return "PROGRESSION_SUSPECTED" in alert_codes(evaluate_on(record, as_of))


def test_fvc_decline_of_5_points_raises_progression_suspected():
    record = in_monitoring().pft(BASELINE, fvc=80, dlco=60).pft(LATEST, fvc=75, dlco=60).build()

    assert suspected(record)


def test_fvc_decline_of_4_points_raises_no_progression_alert():
    record = in_monitoring().pft(BASELINE, fvc=80, dlco=60).pft(LATEST, fvc=76, dlco=60).build()

    assert not suspected(record)


def test_fvc_decline_is_measured_from_the_best_pft_in_the_window():
    record = (
        in_monitoring()
        .pft(BASELINE, fvc=82, dlco=60)
        .pft("2026-03-30", fvc=78, dlco=60)
        .pft(LATEST, fvc=77, dlco=60)
        .build()
    )

    assert suspected(record)


def test_dlco_decline_of_10_points_raises_progression_suspected():
    record = in_monitoring().pft(BASELINE, fvc=80, dlco=60).pft(LATEST, fvc=80, dlco=50).build()

    assert suspected(record)


def test_dlco_decline_of_9_points_raises_no_progression_alert():
    record = in_monitoring().pft(BASELINE, fvc=80, dlco=60).pft(LATEST, fvc=80, dlco=51).build()

    assert not suspected(record)


def test_haemoglobin_corrected_dlco_decline_raises_when_raw_dlco_would_not():
    record = (
        in_monitoring()
        .pft(BASELINE, fvc=80, dlco=60, dlco_corrected=60)
        .pft(LATEST, fvc=80, dlco=55, dlco_corrected=50)
        .build()
    )

    assert suspected(record)


def test_haemoglobin_corrected_dlco_is_used_rather_than_a_raw_dlco_decline():
    record = (
        in_monitoring()
        .pft(BASELINE, fvc=80, dlco=60, dlco_corrected=60)
        .pft(LATEST, fvc=80, dlco=50, dlco_corrected=55)
        .build()
    )

    assert not suspected(record)


def test_comparison_pft_exactly_365_days_before_the_latest_counts():
    latest = plus("2026-02-02", 365)
    record = in_monitoring().pft("2026-02-02", fvc=80, dlco=60).pft(latest, fvc=75, dlco=60).build()

    assert suspected(record, as_of=latest)


def test_comparison_pft_366_days_before_the_latest_does_not_count():
    latest = plus("2026-02-02", 366)
    record = in_monitoring().pft("2026-02-02", fvc=80, dlco=60).pft(latest, fvc=75, dlco=60).build()

    assert not suspected(record, as_of=latest)


def test_progression_is_not_evaluated_during_induction():
    record = (
        patient(enrolled=ENROLLED)
        .start(ENROLLED, "prednisone", dose=50)
        .transition(ENROLLED, "start_induction")
        .pft(BASELINE, fvc=80, dlco=60)
        .pft(LATEST, fvc=70, dlco=45)
        .build()
    )

    assert not suspected(record)


def test_progression_is_not_evaluated_in_diagnosis():
    record = patient(enrolled=ENROLLED).pft(BASELINE, fvc=80).pft(LATEST, fvc=70).build()

    assert not suspected(record)


def test_progression_suspected_proposes_detect_progression_with_the_pfts_as_evidence():
    builder = in_monitoring().pft(BASELINE, fvc=80, dlco=60)
    baseline_id = builder.last_id
    record = builder.pft(LATEST, fvc=74, dlco=60).build()
    latest_id = record.observations[-1].id

    evaluation = evaluate_on(record, LATEST)

    (proposal,) = evaluation.proposals
    assert proposal.trigger == "detect_progression"
    assert set(proposal.evidence) == {latest_id, baseline_id}


def test_progression_suspected_is_a_warning():
    record = in_monitoring().pft(BASELINE, fvc=80, dlco=60).pft(LATEST, fvc=74, dlco=60).build()

    (alert,) = alerts_of(evaluate_on(record, LATEST), "PROGRESSION_SUSPECTED")

    assert alert.severity == "warning"


def test_no_decline_proposes_no_transition():
    record = in_monitoring().pft(BASELINE, fvc=80, dlco=60).pft(LATEST, fvc=79, dlco=60).build()

    assert evaluate_on(record, LATEST).proposals == ()


def test_progression_suspected_opens_an_hrct_due_14_days_after_it_was_raised():
    record = in_monitoring().pft(BASELINE, fvc=80, dlco=60).pft(LATEST, fvc=74, dlco=60).build()

    history, last = simulate(record, plus(LATEST, 3))

    assert raised(history, "PROGRESSION_SUSPECTED") == [plus(LATEST, 0)]
    hrct = open_task(last, "hrct")
    assert hrct is not None
    assert (hrct.opened_on, hrct.due_on) == (plus(LATEST, 0), plus(LATEST, 14))


def test_an_hrct_after_the_declining_pft_completes_the_hrct_task():
    record = (
        in_monitoring()
        .pft(BASELINE, fvc=80, dlco=60)
        .pft(LATEST, fvc=74, dlco=60)
        .hrct(plus(LATEST, 5))
        .build()
    )

    _, last = simulate(record, plus(LATEST, 6))

    assert open_task(last, "hrct") is None
    assert [t.status for t in last.tasks if t.kind == "hrct"] == ["done"]
