"""A synthetic cohort for the benchmarks: two years of care per patient, as import lines.

Each patient (seeded by its number, so any slice of the cohort is the same whatever its size)
has a baseline PFT and HRCT, an induction regimen (the anti-MDA5 triple therapy with plasma
exchange for some, otherwise a glucocorticoid with an antimetabolite), PJP prophylaxis and
bone protection, a tapering glucocorticoid, PFTs every three months, CMV DNA every two weeks
while intensively treated, vaccinations, and the triggers a clinician would fire: induction,
response, sometimes progression and a second induction, a few closed. Synthetic, not patients.
"""

import json
import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

__all__ = ["SEED", "patient_line", "patient_lines"]

SEED = 20261121


def _pft(rng: random.Random, fvc: float, dlco: float) -> dict[str, Any]:
    return {"fvc_pct": round(fvc, 1), "dlco_pct": round(dlco, 1)}


def patient(number: int, today: date, seed: int = SEED) -> dict[str, Any]:
    """Patient ``number``'s enrolment and two years of events, oldest first."""
    rng = random.Random(seed * 1_000_003 + number)
    enrolled = today - timedelta(days=rng.randint(700, 760))
    mda5 = rng.random() < 0.2
    ars = not mda5 and rng.random() < 0.3
    if mda5:
        course = "rapidly_progressive" if rng.random() < 0.6 else "progressive"
        diagnosis = rng.choice(("dermatomyositis", "clinically_amyopathic_dm"))
    else:
        course = rng.choices(("non_progressive", "progressive", "rapidly_progressive"), (5, 4, 1))[
            0
        ]
        diagnosis = (
            "antisynthetase_syndrome"
            if ars
            else rng.choice(("polymyositis", "dermatomyositis", "other_iim"))
        )
    risks = sorted(
        rng.sample(
            ("extensive_ggo", "bal_neutrophilia", "low_vital_capacity", "active_myositis"),
            rng.randint(0, 2),
        )
    )
    events: list[tuple[int, int, dict[str, Any]]] = []

    def at(day: int, event: dict[str, Any], order: int = 1) -> None:
        if 0 <= day <= (today - enrolled).days:
            events.append(
                (day, order, {"on": (enrolled + timedelta(days=day)).isoformat(), **event})
            )

    def start(day: int, agent: str, route: str, dose: float | None = None) -> None:
        at(
            day,
            {
                "therapy": {
                    "action": "start",
                    "agent": agent,
                    "route": route,
                    "dose_mg_per_day": dose,
                }
            },
            0,
        )

    def stop(day: int, agent: str) -> None:
        at(day, {"therapy": {"action": "stop", "agent": agent}}, 0)

    fvc, dlco = rng.uniform(55, 90), rng.uniform(35, 75)
    at(0, {"pft": _pft(rng, fvc, dlco)}, 0)
    if rng.random() < 0.5:
        at(0, {"hrct": {"finding": "NSIP pattern", "extensive_ggo": "extensive_ggo" in risks}}, 0)
    start(1, "prednisone", "oral", rng.choice((40, 50, 60)))
    start(1, "tmp_smx", "oral")
    start(2, "calcium", "oral")
    start(2, "vitamin_d", "oral")
    start(3, "alendronate", "oral")
    intensive = mda5 or course == "rapidly_progressive"
    if intensive:
        start(2, "tacrolimus", "oral")
        start(3, "cyclophosphamide", "iv")
        stop(180, "cyclophosphamide")
        if mda5 and rng.random() < 0.3:
            for d in (4, 6, 8):
                at(d, {"procedure": "plasma_exchange"}, 0)
        for d in range(14, 196, 14):
            at(
                d,
                {"cmv": {"iu_per_ml": 0 if rng.random() < 0.9 else rng.choice((150, 800, 2500))}},
                0,
            )
    else:
        start(rng.randint(5, 20), "mycophenolate_mofetil", "oral")
    for d, dose in ((60, 20), (180, 10), (365, 5)):
        start(d, "prednisone", "oral", dose)
    induction = rng.randint(10, 21)
    at(induction, {"trigger": {"trigger": "start_induction"}}, 2)
    responds = rng.random() < 0.8
    for d in range(rng.randint(85, 100), (today - enrolled).days + 1, 91):
        fvc = min(120.0, fvc + (rng.uniform(0, 3) if responds else rng.uniform(-4, 1)))
        dlco = min(110.0, dlco + (rng.uniform(0, 3) if responds else rng.uniform(-4, 1)))
        at(d + rng.randint(-5, 5), {"pft": _pft(rng, fvc, dlco)}, 0)
    if responds:
        at(rng.randint(120, 200), {"trigger": {"trigger": "achieve_response"}}, 2)
        if rng.random() < 0.1:
            flare = rng.randint(420, 600)
            at(
                flare,
                {"trigger": {"trigger": "detect_progression", "reason": "clinical worsening"}},
                2,
            )
            start(flare, "rituximab", "iv")
            at(flare + 1, {"trigger": {"trigger": "start_induction"}}, 2)
    at(30, {"vaccination": "influenza"}, 0)
    at(395, {"vaccination": "influenza"}, 0)
    at(40, {"vaccination": "pneumococcal"}, 0)
    if rng.random() < 0.03:
        at(
            rng.randint(650, 690),
            {
                "trigger": {
                    "trigger": "close",
                    "closing_reason": rng.choice(("deceased", "transferred")),
                }
            },
            3,
        )
    events.sort(key=lambda e: (e[0], e[1]))
    if any(e[2].get("trigger", {}).get("trigger") == "close" for e in events):
        closed = next(
            i for i, e in enumerate(events) if e[2].get("trigger", {}).get("trigger") == "close"
        )
        events = events[: closed + 1]
    return {
        "id": f"BENCH-{number:06d}",
        "sex": rng.choice(("female", "male")),
        "birth_date": (enrolled - timedelta(days=rng.randint(35 * 365, 75 * 365))).isoformat(),
        "enrolled_on": enrolled.isoformat(),
        "diagnosis": diagnosis,
        "anti_mda5": "positive" if mda5 else "negative",
        "anti_ars": "positive" if ars else "negative",
        "ild_course": course,
        "risk_factors": risks,
        "weight_kg": round(rng.uniform(45, 100), 1),
        "events": [e[2] for e in events],
    }


def patient_line(number: int, today: date, seed: int = SEED) -> str:
    return json.dumps(patient(number, today, seed), separators=(",", ":"))


def patient_lines(first: int, count: int, today: date, seed: int = SEED) -> Iterator[str]:
    """Patients ``first`` .. ``first + count - 1`` as import lines."""
    for number in range(first, first + count):
        yield patient_line(number, today, seed)
