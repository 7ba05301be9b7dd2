"""The codes ildpath reads and writes in FHIR, as data: LOINC for observations, RxNorm for
agents, CVX for vaccines, SNOMED CT and CPT for procedures and routes, and the synthetic
ildpath systems for what no standard code says (phenotype, pathway state, codes of the
specification).

Only codes whose meaning is certain are listed; anything else is matched by the exact
catalogue name of its text (``docs/fhir.md``), and otherwise reported as unknown, never
guessed. Every table maps a code to a word of the engine's vocabulary (CLINICAL_SPEC §11).
"""

from typing import Final

from .terminology import table

__all__ = [
    "CMV_LOAD",
    "CMV_UNIT_FIELDS",
    "CPT",
    "CVX",
    "CVX_VACCINES",
    "ILDPATH",
    "LOCAL_OBSERVATIONS",
    "LOINC",
    "LOINC_OBSERVATIONS",
    "LOW_FLOW_MAX_L_PER_MIN",
    "NAME_ALIASES",
    "PROCEDURE_CODES",
    "PROCEDURE_NAMES",
    "ROUTE_CODES",
    "ROUTE_NAMES",
    "RXNORM",
    "RXNORM_AGENTS",
    "SNOMED",
    "UCUM",
    "UNITS",
    "VACCINE_NAMES",
    "extension_url",
    "ildpath_system",
    "normalise_name",
    "oxygen_requirement",
]

LOINC: Final = "http://loinc.org"
RXNORM: Final = "http://www.nlm.nih.gov/research/umls/rxnorm"
CVX: Final = "http://hl7.org/fhir/sid/cvx"
SNOMED: Final = "http://snomed.info/sct"
CPT: Final = "http://www.ama-assn.org/go/cpt"
UCUM: Final = "http://unitsofmeasure.org"

ILDPATH: Final = "https://ildpath.example/fhir"
"""The synthetic base of ildpath's own FHIR definitions (extensions, code systems, naming
systems). It names things; nothing is fetched from it."""


def extension_url(name: str) -> str:
    """``https://ildpath.example/fhir/StructureDefinition/<name>``."""
    return f"{ILDPATH}/StructureDefinition/{name}"


def ildpath_system(name: str) -> str:
    """``https://ildpath.example/fhir/CodeSystem/<name>`` (or a NamingSystem for ids)."""
    return f"{ILDPATH}/CodeSystem/{name}"


CMV_LOAD: Final = "cmv_load"
"""The field of a CMV code: ``iu_per_ml`` or ``copies_per_ml`` as its unit says."""

LOINC_OBSERVATIONS: Final[dict[str, tuple[str, str]]] = {
    row["code"]: (row["kind"], row["field"]) for row in table("loinc") if row["system"] == LOINC
}
"""LOINC code -> (observation kind, field of the engine's observation)
(``terminology/loinc.csv``). 2708-6 (oxygen saturation in arterial blood) is exported beside
59408-5, as US Core's pulse oximetry asks, but not read alone: a blood-gas saturation is not a
resting pulse oximetry."""

LOCAL_OBSERVATIONS: Final[dict[tuple[str, str], tuple[str, str]]] = {
    (row["system"], row["code"]): (row["kind"], row["field"])
    for row in table("loinc")
    if row["system"] != LOINC
}
"""ildpath's own codes of what LOINC has no code for (``terminology/loinc.csv``): KL-6
(Krebs von den Lungen-6) and the lowest SpO2 of a six-minute walk (a component of the walk)."""

CMV_UNIT_FIELDS: Final[dict[str, str]] = {"[IU]/mL": "iu_per_ml", "{copies}/mL": "copies_per_ml"}
"""A CMV load's UCUM unit -> the field it is kept in: as reported, never converted (the
copies-to-IU factor depends on the assay). Whatever the CMV code, the unit says which."""


def _units() -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for row in table("units"):
        found.setdefault(row["field"], set()).add(row["unit"])
    return {name: frozenset(units) for name, units in found.items()}


UNITS: Final[dict[str, frozenset[str]]] = _units()
"""The UCUM unit each field is accepted in (``terminology/units.csv``). 19911-7 is defined as
an absolute DLCO (mL/min/mm[Hg]); only a value sent in % is read, as % predicted. A CMV load in
copies/mL is not converted (the copies-to-IU factor depends on the assay)."""

LOW_FLOW_MAX_L_PER_MIN: Final = 6.0
"""Oxygen flow (LOINC 3151-8, L/min) -> the engine's oxygen requirement: 0 is ``none``, up to
and including this many L/min is ``low_flow`` (the usual ceiling of a nasal cannula), above it
``high_flow``. This is a reading ildpath chose, not a standard: a face mask at 8-15 L/min is
not high-flow nasal oxygen, yet reads as ``high_flow`` here and so raises
TRANSPLANT_REFERRAL_NEEDED. A clinic that reads flows otherwise sets
``ILDPATH_FHIR_LOW_FLOW_MAX_L_PER_MIN``; mechanical ventilation and ECMO cannot be told from a
flow and are never inferred."""


def oxygen_requirement(
    litres_per_minute: float, low_flow_max: float = LOW_FLOW_MAX_L_PER_MIN
) -> str:
    """The oxygen requirement a flow reads as (see ``LOW_FLOW_MAX_L_PER_MIN``)."""
    if litres_per_minute <= 0:
        return "none"
    return "low_flow" if litres_per_minute <= low_flow_max else "high_flow"


RXNORM_AGENTS: Final[dict[str, str]] = {
    row["rxcui"]: row["agent"] for row in table("rxnorm") if row["tty"] in {"IN", "PIN", "MIN"}
}
"""RxNorm ingredient CUIs (IN, PIN, MIN) of the catalogue's agents, from
``terminology/rxnorm.csv``; the clinical and branded drugs of that table, and RxNorm names, are
read by ``rxnorm``."""

NAME_ALIASES: Final[dict[str, str]] = {
    row["name"].lower().replace(" ", "_"): row["agent"] for row in table("agent_names")
}
"""Other official names of the same substance (INN and BAN spellings), from
``terminology/agent_names.csv``: exact synonyms, not near matches."""

ROUTE_CODES: Final[dict[str, str]] = {
    row["code"]: row["route"] for row in table("routes") if row["system"] == "snomed"
}
"""SNOMED CT route of administration -> the engine's route (``terminology/routes.csv``)."""

ROUTE_NAMES: Final[dict[str, str]] = {
    row["code"]: row["route"] for row in table("routes") if row["system"] == "text"
}
"""The words EHRs write for a route -> the engine's route (``terminology/routes.csv``)."""

CVX_VACCINES: Final[dict[str, str]] = {row["code"]: row["vaccine"] for row in table("cvx")}
"""CVX vaccine codes -> the engine's vaccination kinds (``terminology/cvx.csv``: seasonal
influenza formulations, pneumococcal polysaccharide and conjugate vaccines, SARS-CoV-2
vaccines; live vaccines deliberately absent)."""

VACCINE_NAMES: Final[dict[str, str]] = {
    row["name"]: row["vaccine"] for row in table("vaccine_names")
}

PROCEDURE_CODES: Final[dict[tuple[str, str], str]] = {
    (row["system"], row["code"]): row["procedure"] for row in table("procedures")
}
"""(system, code) -> the engine's procedure (``terminology/procedures.csv``). SNOMED's
"Apheresis" (127788007) is not mapped: it also covers cell apheresis, which is not plasma
exchange."""

PROCEDURE_NAMES: Final[dict[str, str]] = {
    row["name"]: row["procedure"] for row in table("procedure_names")
}


def normalise_name(text: str) -> str:
    """A name as the catalogue spells it: lower case, words joined by ``_``
    ("Mycophenolate mofetil" -> ``mycophenolate_mofetil``)."""
    words = text.strip().lower().replace("-", " ").replace("/", " ").split()
    return "_".join(words)
