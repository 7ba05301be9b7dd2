"""The RxNorm table ildpath reads medications with, and RxNorm's naming convention as a second
reader: what a code or a name reads as, and what is left unread rather than guessed."""

import pytest

from ildpath.fhir.codes import RXNORM_AGENTS
from ildpath.fhir.rxnorm import concept, concepts, parse_name
from ildpath.fhir.terminology import provenance
from pathway.catalogue import AGENT_CLASS

CLINICAL_DRUGS = {"SCD", "SBD", "GPCK", "BPCK"}


def test_the_done_when_codes_read_as_prednisone_20_mg_and_methotrexate_2_5_mg():
    prednisone, methotrexate = concept("312615"), concept("105585")
    assert prednisone is not None and methotrexate is not None
    assert (prednisone.name, prednisone.agent, prednisone.strength_mg) == (
        "predniSONE 20 MG Oral Tablet",
        "prednisone",
        20.0,
    )
    assert (methotrexate.name, methotrexate.agent, methotrexate.strength_mg) == (
        "methotrexate 2.5 MG Oral Tablet",
        "methotrexate",
        2.5,
    )


def _clinical_drugs() -> list:
    """Rows that are a clinical drug (SCD, SBD or pack), whether or not the term type among
    them is confirmed yet."""
    return [c for c in concepts().values() if c.term_types <= CLINICAL_DRUGS]


def test_every_catalogue_agent_has_a_clinical_drug_code():
    covered = {c.agent for c in concepts().values() if c.tty in CLINICAL_DRUGS}
    assert set(AGENT_CLASS) - covered == set()


def test_clinical_drug_codes_confirmed_so_far():
    """The agents whose clinical drug ildpath reads by code with its name (and strength)."""
    covered = {c.agent for c in _clinical_drugs() if c.name}
    assert covered == {
        "prednisone",
        "methylprednisolone",
        "methotrexate",
        "mycophenolate_mofetil",
        "azathioprine",
        "cyclophosphamide",
        "tmp_smx",
        "cyclosporine",
        "alendronate",
        "abatacept",
        "tacrolimus",
        "adalimumab",
        "tocilizumab",
        # eCQM (NLM VSAC) value-set expansions
        "prednisolone",
        "leflunomide",
        "tofacitinib",
        "infliximab",
        "etanercept",
        "certolizumab",
        "golimumab",
        "dapsone",
        "atovaquone",
        "pentamidine",
        "rituximab",
        "ruxolitinib",
        # an OMOP copy of RxNorm (code and name) and openFDA's record of the product (code)
        "baricitinib",
        # openFDA NDC directory: one product of one strength whose label lists that code alone
        "pirfenidone",
        "calcium",
        "vitamin_d",
        # one source so far: to cross-check
        "ivig",
        "risedronate",
        "zoledronic_acid",
    }


def test_codes_whose_agent_alone_is_proven_say_so_and_claim_no_strength():
    """Every label of nintedanib lists both strengths' codes, Rinvoq's every strength and form:
    the code proves the agent, not the strength. Such rows are read as their agent (a code-only
    order still meets the rules on that agent) and claim nothing more."""
    unnamed = {c.rxcui: c for c in concepts().values() if not c.name}
    assert set(unnamed) == {"1592742", "1592750", "2196894", "2196900", "2590051"}
    assert {c.agent for c in unnamed.values()} == {"nintedanib", "upadacitinib"}
    for row in unnamed.values():
        assert (row.strength_mg, row.dose_form) == (None, "")
        assert "name not confirmed" in row.source and "openFDA" in row.source
        assert row.term_types <= CLINICAL_DRUGS
    # RxTerms names a generic clinical drug by its ingredient, a branded one by its brand
    term_types = {code: set(row.term_types) for code, row in unnamed.items()}
    assert term_types == {
        "1592742": {"SCD"},
        "1592750": {"SCD"},
        "2196894": {"SCD"},
        "2196900": {"SBD"},
        "2590051": CLINICAL_DRUGS,  # newer than the RxTerms copy: which one, no record shows
    }


def test_a_code_pinned_by_a_product_record_says_so_and_how_its_name_was_written():
    """openFDA gives the code of a product, not RxNorm's name for it: such rows say that their
    name follows RxNorm's convention rather than a copy of the STR."""
    pinned = [
        c
        for c in concepts().values()
        if c.source.removeprefix("ONE SOURCE: ").startswith("openFDA") and c.name
    ]
    assert {c.rxcui for c in pinned} >= {"1592279", "1868018", "1868014", "905024", "1367410"}
    # a refresh from an RxNorm release (ildpath.fhir.rxnorm_refresh) gives them NLM's name
    assert all("name by convention" in c.source or "name from RxNorm" in c.source for c in pinned)
    vitamin_d = concept("1367410")
    assert vitamin_d is not None and (vitamin_d.agent, vitamin_d.strength_mg) == ("vitamin_d", 1.25)


def test_every_ingredient_code_of_before_is_still_read_and_every_row_names_an_agent():
    for rxcui, agent in {
        "6902": "methylprednisolone",
        "8640": "prednisone",
        "42316": "tacrolimus",
        "68149": "mycophenolate_mofetil",
        "10831": "tmp_smx",
        "77655": "zoledronic_acid",
    }.items():
        assert RXNORM_AGENTS[rxcui] == agent
    assert all(c.agent in AGENT_CLASS for c in concepts().values())
    assert all(c.source for c in concepts().values()), "every code names where it was confirmed"


def test_the_table_says_its_source_date_and_how_to_refresh():
    header = " ".join(provenance("rxnorm"))
    assert "NLM RxNorm" in header
    assert "2026" in header
    assert "RXNCONSO.RRF" in header and "RxNav" in header


@pytest.mark.parametrize("row", [c for c in _clinical_drugs() if c.name], ids=lambda c: c.rxcui)
def test_the_name_reader_reads_every_clinical_drug_of_the_table_as_the_table_does(row):
    drug = parse_name(row.name)
    assert drug is not None
    assert drug.agent == row.agent
    assert drug.strength_mg == row.strength_mg
    assert drug.dose_form == row.dose_form


@pytest.mark.parametrize(
    ("name", "agent", "strength", "solid"),
    [
        ("methotrexate 25 MG/ML Injectable Solution", "methotrexate", None, False),
        ("sulfamethoxazole 800 MG / trimethoprim 160 MG Oral Tablet", "tmp_smx", None, True),
        ("predniSONE 20 MG Oral Tablet [Deltasone]", "prednisone", 20.0, True),
        ("{21 (predniSONE 5 MG Oral Tablet) } Pack", "prednisone", 5.0, True),
        (
            "{21 (methylPREDNISolone 4 MG Oral Tablet [Medrol]) } Pack [Medrol]",
            "methylprednisolone",
            4.0,
            True,
        ),
        ("0.8 ML adalimumab 50 MG/ML Prefilled Syringe", "adalimumab", None, False),
        ("24 HR tofacitinib 11 MG Extended Release Oral Tablet", "tofacitinib", 11.0, True),
        ("Prednisone 20 MG oral tablet", "prednisone", 20.0, True),
    ],
)
def test_rxnorm_names_read_as_agent_strength_and_form(name, agent, strength, solid):
    drug = parse_name(name)
    assert drug is not None
    assert (drug.agent, drug.strength_mg, drug.solid) == (agent, strength, solid)


@pytest.mark.parametrize(
    ("name", "agent", "strength", "solid"),
    [
        ("risedronate sodium 35 MG Oral Tablet", "risedronate", 35.0, True),
        ("risedronic acid 35 MG Oral Tablet", "risedronate", 35.0, True),
        ("calcium carbonate 500 MG Chewable Tablet", "calcium", 500.0, True),
        ("ergocalciferol 1.25 MG Oral Capsule", "vitamin_d", 1.25, True),
        ("pentamidine isethionate 300 MG Injection", "pentamidine", 300.0, False),
        ("calcium carbonate 1250 MG Oral Tablet", "calcium", 1250.0, True),
        ("calcium citrate 950 MG Oral Tablet", "calcium", 950.0, True),
        ("cholecalciferol 1000 UNT Oral Tablet", "vitamin_d", None, True),
        ("ergocalciferol 50000 UNT Oral Capsule", "vitamin_d", None, True),
        ("certolizumab pegol 200 MG Injection", "certolizumab", 200.0, False),
        (
            "100 ML immune globulin intravenous (human) - ifas 100 MG/ML Injection",
            "ivig",
            None,
            False,
        ),
        ("immune globulin intravenous (human) - slra 100 MG/ML Injection", "ivig", None, False),
        ("100 ML immunoglobulin G, human 100 MG/ML Injection [Privigen]", "ivig", None, False),
        ("immunoglobulin G, human 50 MG/ML Injection [Gammaplex]", "ivig", None, False),
    ],
)
def test_salt_and_precise_ingredient_names_read_as_the_catalogue_agent(
    name, agent, strength, solid
):
    """RxNorm names a salt or precise ingredient; units other than MG give no strength in mg."""
    drug = parse_name(name)
    assert drug is not None
    assert (drug.agent, drug.strength_mg, drug.solid) == (agent, strength, solid)


@pytest.mark.parametrize(
    "name",
    [
        "calcium carbonate 1250 MG / cholecalciferol 200 UNT Oral Tablet",  # a combination
        "calcitriol 0.00025 MG Oral Capsule",  # an active analogue, not the vitamin D meant
        "alfacalcidol 0.001 MG Oral Capsule",
        # human IgG is given under the skin as well as into a vein: only a name that says
        # intravenous, or a brand licensed for the vein alone, is read as IVIG
        "immunoglobulin G, human 100 MG/ML Injection",
        "immunoglobulin G, human 100 MG/ML Injection [Gammagard]",
        "10 ML immunoglobulin G, human 200 MG/ML Injection [Hizentra]",
        "immune globulin subcutaneous (human) - klhw 200 MG/ML Injection",
    ],
)
def test_combinations_analogues_and_immunoglobulin_of_either_route_are_not_read(name):
    assert parse_name(name) is None


def test_a_pack_of_several_strengths_has_no_single_strength():
    drug = parse_name("{7 (predniSONE 10 MG Oral Tablet) / 14 (predniSONE 5 MG Oral Tablet) } Pack")
    assert drug is not None
    assert (drug.agent, drug.strength_mg) == ("prednisone", None)


@pytest.mark.parametrize(
    "name",
    [
        "Tacrolimus 1 mg capsule",  # not RxNorm's convention (units are upper case)
        "mycophenolate 500 MG Oral Tablet",  # not an ingredient name: mofetil or mycophenolic acid?
        "mycophenolic acid 360 MG Delayed Release Oral Tablet",  # another substance
        "Prednisone",
        "as directed",
        "",
    ],
)
def test_anything_else_is_not_read_as_a_drug(name):
    assert parse_name(name) is None


def test_the_brand_table_says_why_a_brand_makes_the_agent_and_how_to_refresh_it():
    header = " ".join(provenance("brand_agents"))
    assert "intravenous use only" in header and "Refresh" in header
