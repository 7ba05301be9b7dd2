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
    "19872-1": ("pft", "fvc_pct"),  # FVC measured/predicted
    "19870-5": ("pft", "fvc_l"),  # Forced vital capacity [Volume] Respiratory system
    "98130-8": ("pft", "dlco_pct"),  # Diffusion capacity.carbon monoxide/Predicted
    "19911-7": ("pft", "dlco_pct"),  # Diffusion capacity.carbon monoxide: read only in %
    # CMV DNA viral load by NAA: the field is the unit's (`CMV_UNIT_FIELDS`), never converted
    "72493-0": ("cmv", CMV_LOAD),  # [Units/volume] in Plasma: IU/mL
    "29604-6": ("cmv", CMV_LOAD),  # [#/volume] in Blood: copies/mL
    "30247-1": ("cmv", CMV_LOAD),  # [#/volume] in Serum or Plasma: copies/mL
    "3151-8": ("oxygen", "oxygen"),  # Inhaled oxygen flow rate
    "2276-4": ("lab", "ferritin"),  # Ferritin [Mass/volume] in Serum or Plasma
    "2157-6": ("lab", "ck"),  # Creatine kinase [Enzymatic activity/volume] in Serum or Plasma
    "1988-5": ("lab", "crp"),  # C reactive protein [Mass/volume] in Serum or Plasma
    "59408-5": ("spo2", "spo2"),  # Oxygen saturation in Arterial blood by Pulse oximetry
    "64098-7": ("six_minute_walk", "metres"),  # Six minute walk test distance
}
"""LOINC code -> (observation kind, field of the engine's observation). 2708-6 (oxygen
saturation in arterial blood) is exported beside 59408-5, as US Core's pulse oximetry asks,
but not read alone: a blood-gas saturation is not a resting pulse oximetry."""

LOCAL_OBSERVATIONS: Final[dict[tuple[str, str], tuple[str, str]]] = {
    (f"{ILDPATH}/CodeSystem/laboratory", "kl6"): ("lab", "kl6"),
    (f"{ILDPATH}/CodeSystem/six-minute-walk", "nadir_spo2"): ("six_minute_walk", "nadir_spo2"),
}
"""ildpath's own codes of what LOINC has no code for: KL-6 (Krebs von den Lungen-6) and the
lowest SpO2 of a six-minute walk (a component of the walk)."""

CMV_UNIT_FIELDS: Final[dict[str, str]] = {"[IU]/mL": "iu_per_ml", "{copies}/mL": "copies_per_ml"}
"""A CMV load's UCUM unit -> the field it is kept in: as reported, never converted (the
copies-to-IU factor depends on the assay). Whatever the CMV code, the unit says which."""

UNITS: Final[dict[str, frozenset[str]]] = {
    "fvc_pct": frozenset({"%"}),
    "dlco_pct": frozenset({"%"}),
    "fvc_l": frozenset({"L"}),
    CMV_LOAD: frozenset(CMV_UNIT_FIELDS),
    "oxygen": frozenset({"L/min"}),
    "ferritin": frozenset({"ng/mL"}),
    "ck": frozenset({"U/L"}),
    "kl6": frozenset({"U/mL"}),
    "crp": frozenset({"mg/L"}),
    "spo2": frozenset({"%"}),
    "metres": frozenset({"m"}),
    "nadir_spo2": frozenset({"%"}),
}
"""The UCUM unit each field is accepted in. 19911-7 is defined as an absolute DLCO
(mL/min/mm[Hg]); only a value sent in % is read, as % predicted. A CMV load in copies/mL is
not converted (the copies-to-IU factor depends on the assay)."""

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

CVX_VACCINES: Final[dict[str, str]] = {
    **dict.fromkeys(
        ("88", "135", "140", "141", "150", "158", "161", "171", "185", "186", "197", "205"),
        "influenza",
    ),
    **dict.fromkeys(("33", "100", "109", "133", "152", "215", "216"), "pneumococcal"),
    **dict.fromkeys(("207", "208", "210", "211", "212", "213"), "covid19"),
}
"""CVX vaccine codes -> the engine's vaccination kinds (seasonal influenza formulations,
pneumococcal polysaccharide and conjugate vaccines, SARS-CoV-2 vaccines)."""

VACCINE_NAMES: Final[dict[str, str]] = {
    "influenza": "influenza",
    "pneumococcal": "pneumococcal",
    "covid19": "covid19",
    "covid_19": "covid19",
}

PROCEDURE_CODES: Final[dict[tuple[str, str], str]] = {
    (CPT, "36514"): "plasma_exchange",  # Therapeutic apheresis; for plasma pheresis
    (SNOMED, "15081005"): "pulmonary_rehabilitation",  # Pulmonary rehabilitation
}
"""(system, code) -> the engine's procedure. SNOMED's "Apheresis" (127788007) is not mapped:
it also covers cell apheresis, which is not plasma exchange."""

PROCEDURE_NAMES: Final[dict[str, str]] = {
    "plasma_exchange": "plasma_exchange",
    "therapeutic_plasma_exchange": "plasma_exchange",
    "pulmonary_rehabilitation": "pulmonary_rehabilitation",
}


def normalise_name(text: str) -> str:
    """A name as the catalogue spells it: lower case, words joined by ``_``
    ("Mycophenolate mofetil" -> ``mycophenolate_mofetil``)."""
    words = text.strip().lower().replace("-", " ").replace("/", " ").split()
    return "_".join(words)
