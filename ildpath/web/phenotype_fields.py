"""The patient's identity and phenotype fields (CLINICAL_SPEC §1) as the enrolment and
amendment forms show them: a label a clinician reads, a hint, and for a coded field its
values from the pathway catalogue (never a list of our own, so a value the engine learns
appears in the forms at once).

A refusal from the use cases names the field by its code (``birth_date``), as the CLI says it;
`labelled` puts the form's label in its place, so the message reads as the form does."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from starlette.datastructures import ImmutableMultiDict

from pathway.catalogue import ANTI_BODY_STATUSES, DIAGNOSES, ILD_COURSES, PHENOTYPE_FLAGS, SEXES

from ..usecases.enrolment import PHENOTYPE_FIELDS
from .form_values import number, text
from .refusals import Refusal

__all__ = [
    "FIELDS",
    "OPTIONS",
    "FormView",
    "PhenotypeField",
    "amend_view",
    "current_values",
    "form_values",
    "phenotype_read",
    "ticked",
]


@dataclass(frozen=True)
class PhenotypeField:
    name: str
    label: str
    hint: str = ""


FIELDS: dict[str, PhenotypeField] = {
    f.name: f
    for f in (
        PhenotypeField("id", "Patient id", "pseudonymous: no names; at most 64 characters"),
        PhenotypeField("sex", "Sex"),
        PhenotypeField("birth_date", "Birth date", "at most 120 years before enrolment"),
        PhenotypeField("enrolled_on", "Enrolment date", "today or earlier"),
        PhenotypeField("diagnosis", "Diagnosis"),
        PhenotypeField("anti_mda5", "Anti-MDA5", "positive makes phenotype A: high risk [S4]"),
        PhenotypeField("anti_ars", "Anti-ARS (Jo-1, PL-7, …)"),
        PhenotypeField(
            "ild_course",
            "ILD course at presentation",
            "the course when the patient presented; later progression is shown by PFTs and "
            "the pathway's state",
        ),
        PhenotypeField(
            "risk_factors",
            "Risk factors",
            "for progression and recurrence: any of them makes the PFT interval 3 months",
        ),
        PhenotypeField("weight_kg", "Weight (kg)", "optional; 20 to 300"),
        PhenotypeField("height_cm", "Height (cm)", "optional, for doses per m²; 100 to 250"),
        PhenotypeField("on", "Applies from", "the clinical date the new values hold from"),
        PhenotypeField("reason", "Reason", "optional; kept in the audit trail"),
    )
}
"""Every field of the two forms, in the order shown."""

_WORDS = {
    "clinically_amyopathic_dm": "clinically amyopathic dermatomyositis",
    "other_iim": "other idiopathic inflammatory myopathy",
    "rapidly_progressive": "rapidly progressive (RP-ILD)",
    "extensive_ggo": "extensive ground-glass opacities",
    "bal_neutrophilia": "BAL neutrophilia",
}
"""Codes whose plain reading (underscores as spaces) would not be clear."""


def _options(codes: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((code, _WORDS.get(code, code.replace("_", " "))) for code in codes)


OPTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "sex": _options(SEXES),
    "diagnosis": _options(DIAGNOSES),
    "anti_mda5": _options(ANTI_BODY_STATUSES),
    "anti_ars": _options(ANTI_BODY_STATUSES),
    "ild_course": _options(ILD_COURSES),
    "risk_factors": _options(PHENOTYPE_FLAGS),
}
"""(code, words) for each coded field, in the catalogue's order."""


def phenotype_read(form: ImmutableMultiDict[str, Any]) -> dict[str, object]:
    """The phenotype fields as posted: text as typed (the use case checks it against the
    catalogue), the risk factors ticked, weight and height as numbers (blank: not recorded)."""
    return {
        "diagnosis": text(form, "diagnosis"),
        "anti_mda5": text(form, "anti_mda5"),
        "anti_ars": text(form, "anti_ars"),
        "ild_course": text(form, "ild_course"),
        "risk_factors": list(ticked(form)),
        "weight_kg": number(form, "weight_kg"),
        "height_cm": number(form, "height_cm"),
    }


def ticked(form: ImmutableMultiDict[str, Any]) -> tuple[str, ...]:
    """The risk factors ticked (one ``risk_factors`` field per box)."""
    return tuple(v for v in form.getlist("risk_factors") if isinstance(v, str))


def form_values(form: ImmutableMultiDict[str, Any]) -> dict[str, str]:
    """What was typed, to draw a refused form again (the ticked risk factors comma-joined;
    never the CSRF token)."""
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    return values | {"risk_factors": ",".join(ticked(form))}


def current_values(phenotype: Mapping[str, Any]) -> dict[str, str]:
    """The phenotype as it stands, as the amendment form shows it pre-filled."""

    def shown(value: object) -> str:
        return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)

    return {
        name: ",".join(phenotype[name]) if name == "risk_factors" else shown(phenotype[name])
        for name in PHENOTYPE_FIELDS
    }


@dataclass(frozen=True)
class FormView:
    """One of the two forms as its template draws it: the fields it shows, the values in
    them (as typed, or as recorded), and the refusal to show beside the field it names (or
    at the top of the form when it names none of them, e.g. a stale page)."""

    key: str
    shown: tuple[str, ...]
    values: dict[str, str]
    refusal: Refusal | None = None
    fields: Mapping[str, PhenotypeField] = field(default_factory=lambda: FIELDS)
    options: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=lambda: OPTIONS)

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    def ticked(self, name: str) -> list[str]:
        return [v for v in self.value(name).split(",") if v]

    def error_on(self, name: str) -> bool:
        return self.refusal is not None and self.refusal.field == name

    @property
    def error_on_top(self) -> bool:
        return self.refusal is not None and self.refusal.field not in self.shown


def amend_view(phenotype: Mapping[str, Any], today: date, refused: Any = None) -> FormView:
    """The amendment form: pre-filled with the phenotype as it stands, from today, or, after
    a refusal, with what was typed (``refused`` is the patient page's refused form, if any)."""
    mine = refused is not None and refused.key == "amend"
    values = refused.values if mine else current_values(phenotype) | {"on": today.isoformat()}
    shown = (*PHENOTYPE_FIELDS, "on", "reason")
    return FormView("amend", shown, values, refused.refusal if mine else None)
