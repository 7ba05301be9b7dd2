"""RxNorm as ildpath reads it: the table of concepts whose agent is confirmed
(``terminology/rxnorm.csv``) and RxNorm's naming convention, so that a coding whose code is not
in the table can still be read from its display or text.

RxNorm names clinical drugs by a fixed grammar (NLM, RxNorm Technical Documentation §"Normal
forms"): an SCD is ``<ingredient> <strength> <UNIT> <Dose Form>``, several ingredients joined by
`` / `` ("sulfamethoxazole 800 MG / trimethoprim 160 MG Oral Tablet"), an SBD adds ``[Brand]``,
a quantified drug starts with its volume ("0.8 ML adalimumab 50 MG/ML Prefilled Syringe"), and a
pack is ``{21 (predniSONE 5 MG Oral Tablet) } Pack``. Hospitals (Epic) and Synthea send these
names as ``display``. Only a name that follows the grammar, with an ingredient the table or the
catalogue names exactly, is read; "Tacrolimus 1 mg capsule" is not (units are upper case in
RxNorm), and is left to the exact-name rule of ``medications``. A brand decides the agent only
where the ingredient cannot (human immunoglobulin G goes into a vein or under the skin; a brand
licensed for the vein alone is IVIG: ``terminology/brand_agents.csv``).
"""

import re
from dataclasses import dataclass
from functools import cache

from pathway.catalogue import AGENT_CLASS

from .codes import normalise_name
from .rxnorm_release import TABLE_TERM_TYPES, term_types
from .terminology import table

__all__ = [
    "SOLID_FORMS",
    "ClinicalDrug",
    "RxNormConcept",
    "agent_of_ingredient",
    "agents_named",
    "concept",
    "concepts",
    "ingredient_agents",
    "parse_name",
]

SOLID_FORMS = ("tablet", "capsule")
"""Dose forms counted in units (a dose "3 tablets"): any RxNorm form whose last word is one of
these (Oral Tablet, Delayed Release Oral Tablet, Oral Capsule...)."""


@dataclass(frozen=True)
class RxNormConcept:
    """One row of ``rxnorm.csv``. A row whose name is blank is a code whose agent a public
    source proves but not yet its name, strength or form (an openFDA label listing every
    strength of one agent together); its ``tty`` may then hold the term types it can be,
    joined by ``|``. The importer reads such a code as its agent and takes the strength from
    the coding's display, by RxNorm's convention, when the display gives one."""

    rxcui: str
    tty: str
    name: str
    agent: str
    strength_mg: float | None
    dose_form: str
    source: str

    @property
    def term_types(self) -> frozenset[str]:
        """The term types the code can be: one, once NLM's release or a copy of it confirms."""
        return term_types(self.tty)


@dataclass(frozen=True)
class ClinicalDrug:
    """What a name in RxNorm's convention says: the agent, its strength per tablet or capsule
    (None for a solution, a combination or a pack of several strengths) and the dose form."""

    agent: str
    strength_mg: float | None
    dose_form: str

    @property
    def solid(self) -> bool:
        """A tablet or capsule: a dose can be written as a count of them."""
        words = self.dose_form.lower().split()
        return bool(words) and words[-1] in SOLID_FORMS


def _strength(row: dict[str, str]) -> float | None:
    if not row["strength"]:
        return None
    if row["unit"] != "mg":
        raise ValueError(f"rxnorm.csv {row['rxcui']}: strength unit {row['unit']!r} is not mg")
    return float(row["strength"])


@cache
def concepts() -> dict[str, RxNormConcept]:
    """The table by RxCUI; an agent the catalogue does not know is an error of the table."""
    found: dict[str, RxNormConcept] = {}
    for row in table("rxnorm"):
        if row["agent"] not in AGENT_CLASS:
            raise ValueError(f"rxnorm.csv {row['rxcui']}: {row['agent']!r} is not an agent")
        if not term_types(row["tty"]) <= TABLE_TERM_TYPES:
            raise ValueError(
                f"rxnorm.csv {row['rxcui']}: term type {row['tty']!r} is not one of "
                f"{', '.join(sorted(TABLE_TERM_TYPES))} (several joined by |)"
            )
        found[row["rxcui"]] = RxNormConcept(
            row["rxcui"],
            row["tty"],
            row["name"],
            row["agent"],
            _strength(row),
            row["dose_form"],
            row["source"],
        )
    return found


def concept(rxcui: str | None) -> RxNormConcept | None:
    """The table's concept for an RxCUI, or None when the code is not in the table."""
    return concepts().get(rxcui or "")


@cache
def ingredient_agents() -> dict[str, str]:
    """Ingredient names (lower case, as RxNorm writes them) -> agent: the table's ingredient
    rows (IN, PIN, MIN), the catalogue's own names and their official synonyms."""
    names = {c.name.lower(): c.agent for c in concepts().values() if c.tty in {"IN", "PIN", "MIN"}}
    for agent in AGENT_CLASS:
        names.setdefault(agent.replace("_", " "), agent)
    for row in table("agent_names"):
        names.setdefault(row["name"].replace("_", " "), row["agent"])
    return names


def agent_of_ingredient(name: str) -> str | None:
    """The agent an ingredient name (or ``a / b`` for a combination) is, exactly; else None."""
    return ingredient_agents().get(" ".join(name.lower().split()))


@cache
def _brand_agents() -> dict[tuple[str, str], str]:
    return {
        (row["ingredient"].lower(), row["brand"].lower()): row["agent"]
        for row in table("brand_agents")
    }


def _agent_of_brand(ingredient: str, brand: str | None) -> str | None:
    """The agent a brand makes of an ingredient that is not one agent by itself (human IgG
    of a brand licensed for intravenous use only is IVIG); else None."""
    if brand is None:
        return None
    return _brand_agents().get((" ".join(ingredient.lower().split()), brand.strip().lower()))


_NUMBER = r"\d+(?:\.\d+)?"
_UNIT = (
    r"(?:MG|MCG|G|UNT|MEQ|ML|MG/ML|MCG/ML|UNT/ML|MG/HR|MCG/HR|MG/MG|MEQ/ML|MG/ACTUAT|MCG/ACTUAT)"
)
_COMPONENT = re.compile(rf"^(?P<ingredient>.+?) (?P<value>{_NUMBER}) (?P<unit>{_UNIT})$")
_QUANTITY = re.compile(rf"^(?:{_NUMBER} (?:ML|HR|ACTUAT|MG) )+")
_BRAND = re.compile(r"\s*\[(?P<brand>[^\]]+)\]$")
_PACK = re.compile(r"^\{(?P<parts>.+)\}\s*Pack(?:\s*\[[^\]]+\])?$")
_PACK_PART = re.compile(r"(?:^|/)\s*\d+\s*\((?P<drug>[^()]+)\)\s*(?=/|$)")
_DOSE_FORM_WORD = re.compile(r"^[A-Za-z][A-Za-z-]*$")


def _split_form(text: str) -> tuple[str, str] | None:
    """``"... 20 MG Oral Tablet"`` -> (``"... 20 MG"``, ``"Oral Tablet"``): the dose form is
    the words after the last unit."""
    words = text.split(" ")
    for i in range(len(words) - 1, 0, -1):
        if re.fullmatch(_UNIT, words[i]):
            form = words[i + 1 :]
            if not form or not all(_DOSE_FORM_WORD.match(w) for w in form):
                return None
            return " ".join(words[: i + 1]), " ".join(form)
    return None


def _single(text: str) -> ClinicalDrug | None:
    text = text.strip()
    branded = _BRAND.search(text)
    brand = branded["brand"] if branded else None
    text = _BRAND.sub("", text)
    text = _QUANTITY.sub("", text)
    split = _split_form(text)
    if split is None:
        return None
    strengths, form = split
    parts = [_COMPONENT.match(p.strip()) for p in strengths.split(" / ")]
    if not all(parts):
        return None
    matches = [p for p in parts if p is not None]
    ingredients = " / ".join(m["ingredient"] for m in matches)
    agent = agent_of_ingredient(ingredients) or _agent_of_brand(ingredients, brand)
    if agent is None:
        return None
    strength: float | None = None
    if len(matches) == 1 and matches[0]["unit"] == "MG":
        strength = float(matches[0]["value"])
    return ClinicalDrug(agent, strength, form)


def parse_name(text: str | None) -> ClinicalDrug | None:
    """The clinical drug a name in RxNorm's convention says (SCD, SBD, quantified, pack);
    None for any other text, or when its ingredient is not one the table or the catalogue
    names exactly."""
    if not text:
        return None
    pack = _PACK.match(text.strip())
    if pack is None:
        return _single(text)
    parts = [m["drug"] for m in _PACK_PART.finditer(pack["parts"].strip())]
    drugs = [d for d in map(_single, parts) if d is not None]
    if not parts or len(drugs) != len(parts) or len({d.agent for d in drugs}) != 1:
        return None
    strengths = {d.strength_mg for d in drugs}
    forms = {d.dose_form for d in drugs}
    strength = strengths.pop() if len(strengths) == 1 else None
    return ClinicalDrug(drugs[0].agent, strength, forms.pop() if len(forms) == 1 else "")


def agents_named(text: str | None) -> set[str]:
    """The agents a free text names, by whole words (``predniSONE 20 MG Oral Tablet`` names
    prednisone; each ingredient of a combination names it): used to check a display against
    its code, never to choose an agent."""
    if not text:
        return set()
    words = f"_{normalise_name(text)}_"
    found = set()
    for name, agent in ingredient_agents().items():
        for component in name.split(" / "):
            if f"_{normalise_name(component)}_" in words:
                found.add(agent)
    return found
