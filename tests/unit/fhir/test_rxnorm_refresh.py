"""Refreshing the RxNorm table from an RxNorm release, as a maintainer runs it
(``python -m ildpath.fhir.rxnorm_refresh``): every row checked against NLM's RXNCONSO.RRF, the
missing clinical drugs of the catalogue's agents added, nothing guessed and nothing lost.

The releases here are synthetic RXNCONSO.RRF files in NLM's format. Codes from 99000001 up are
made up for the test and are not RxNorm's; the few real codes (312615, 105585) carry their real
names."""

import subprocess
import sys
from pathlib import Path

import pytest

from ildpath.fhir.rxnorm_refresh import default_table, read_table, refresh, write_table
from ildpath.fhir.rxnorm_release import read_release

HEADER = "# RxNorm concepts ildpath reads (test copy)\n# Source: a synthetic release\n"
COLUMNS = "rxcui,tty,name,agent,strength,unit,dose_form,source\n"


def atom(rxcui: str, tty: str, name: str, sab: str = "RXNORM", suppress: str = "N") -> str:
    """One RXNCONSO.RRF line: RXCUI|LAT|TS|LUI|STT|SUI|ISPREF|RXAUI|SAUI|SCUI|SDUI|SAB|TTY|
    CODE|STR|SRL|SUPPRESS|CVF|"""
    fields = [rxcui, "ENG", "", "", "", "", "", f"9{rxcui}", "", "", "", sab, tty, rxcui, name]
    return "|".join([*fields, "", suppress, "4096"]) + "|\n"


def release(folder: Path, *atoms: str) -> Path:
    (folder / "rrf").mkdir(parents=True)
    (folder / "rrf" / "RXNCONSO.RRF").write_text("".join(atoms), encoding="utf-8")
    return folder


def table(path: Path, *rows: str) -> Path:
    path.write_text(HEADER + COLUMNS + "".join(f"{r}\n" for r in rows), encoding="utf-8")
    return path


PREDNISONE = "312615,SCD,predniSONE 20 MG Oral Tablet,prednisone,20,mg,Oral Tablet,eCQM value set"
BY_CONVENTION = (
    "99000001,SCD,risedronate sodium 35 MG Oral Tablet,risedronate,35,mg,Oral Tablet,"
    "ONE SOURCE: openFDA record; name by convention"
)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ildpath.fhir.rxnorm_refresh", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_release_confirms_a_row_gives_a_conventional_name_nlms_and_adds_clinical_drugs(
    tmp_path,
):
    folder = release(
        tmp_path / "RxNorm_full_12012026",
        atom("312615", "SCD", "predniSONE 20 MG Oral Tablet"),
        atom("312615", "SY", "prednisone 20 mg tablet"),
        atom("99000001", "SCD", "risedronic acid 35 MG Oral Tablet"),
        atom("99000002", "SCD", "nintedanib 150 MG Oral Capsule"),
        atom("99000003", "SBD", "nintedanib 100 MG Oral Capsule [Ofev]"),
        atom("99000004", "SCD", "24 HR upadacitinib 15 MG Extended Release Oral Tablet"),
        atom("99000005", "IN", "nintedanib"),
        atom("105585", "SCD", "methotrexate 2.5 MG Oral Tablet"),
    )
    _, rows = read_table(table(tmp_path / "rxnorm.csv", PREDNISONE, BY_CONVENTION))
    result = refresh(rows, read_release(folder), "RxNorm_full_12012026")

    assert [r.rxcui for r in result.confirmed] == ["312615"]
    assert result.confirmed[0].source == "eCQM value set; confirmed in RxNorm RxNorm_full_12012026"
    [(renamed, old)] = result.renamed
    assert old == "risedronate sodium 35 MG Oral Tablet"
    assert renamed.name == "risedronic acid 35 MG Oral Tablet"
    assert renamed.source == "openFDA record; name from RxNorm RxNorm_full_12012026", (
        "confirmed by NLM: no longer one source, and no longer a name by convention"
    )
    added = {r.rxcui: (r.tty, r.agent, r.strength, r.unit, r.dose_form) for r in result.added}
    assert added == {
        "105585": ("SCD", "methotrexate", "2.5", "mg", "Oral Tablet"),
        "99000002": ("SCD", "nintedanib", "150", "mg", "Oral Capsule"),
        "99000003": ("SBD", "nintedanib", "100", "mg", "Oral Capsule"),
        "99000004": ("SCD", "upadacitinib", "15", "mg", "Extended Release Oral Tablet"),
        "99000005": ("IN", "nintedanib", "", "", ""),
    }
    assert all("RXNCONSO.RRF SAB=RXNORM" in r.source for r in result.added)
    assert [r.rxcui for r in result.rows[:2]] == ["312615", "99000001"], "rows keep their order"


def test_a_code_the_release_no_longer_carries_is_reported_and_kept(tmp_path):
    """A two-year-old order in an EHR still carries the code of its day."""
    folder = release(
        tmp_path / "rel",
        atom("312615", "SCD", "predniSONE 20 MG Oral Tablet", suppress="O"),
    )
    _, rows = read_table(table(tmp_path / "rxnorm.csv", PREDNISONE, BY_CONVENTION))
    result = refresh(rows, read_release(folder), "rel")
    assert [r.rxcui for r in result.not_in_release] == ["312615", "99000001"]
    assert result.rows == rows


def test_a_difference_that_is_not_a_conventional_name_is_left_for_a_person(tmp_path):
    folder = release(
        tmp_path / "rel",
        atom("312615", "SBD", "predniSONE 20 MG Oral Tablet [Deltasone]"),
        atom("99000001", "SCD", "risedronate sodium 150 MG Oral Tablet"),
    )
    _, rows = read_table(table(tmp_path / "rxnorm.csv", PREDNISONE, BY_CONVENTION))
    result = refresh(rows, read_release(folder), "rel")
    reasons = {row.rxcui: why for row, why in result.conflicts}
    assert reasons == {
        "312615": "the release says SBD 'predniSONE 20 MG Oral Tablet [Deltasone]'",
        "99000001": "the release names it 'risedronate sodium 150 MG Oral Tablet'",
    }, "another term type, or NLM's name reads as another strength"
    assert result.rows == rows and not result.renamed


def test_what_the_name_reader_cannot_read_or_nlm_does_not_make_is_not_added(tmp_path):
    folder = release(
        tmp_path / "rel",
        # given into a vein and under the skin: only a brand licensed for the vein is IVIG
        atom("99000010", "SCD", "immunoglobulin G, human 100 MG/ML Injectable Solution"),
        atom("99000011", "SBD", "immunoglobulin G, human 200 MG/ML Injectable Solution [Hizentra]"),
        atom("99000012", "SBD", "immunoglobulin G, human 100 MG/ML Injection [Privigen]"),
        # a combination that is not one agent
        atom("99000013", "SCD", "calcium carbonate 600 MG / cholecalciferol 400 UNT Oral Tablet"),
        # another source's atom, another term type, a suppressed concept
        atom("99000014", "SCD", "nintedanib 150 MG Oral Capsule", sab="MMSL"),
        atom("99000015", "BN", "Ofev"),
        atom("99000016", "SCD", "nintedanib 100 MG Oral Capsule", suppress="Y"),
    )
    result = refresh([], read_release(folder), "rel")
    assert [(r.rxcui, r.agent) for r in result.added] == [("99000012", "ivig")]


def test_report_only_writes_nothing_and_write_then_a_rerun_adds_nothing(tmp_path):
    folder = release(
        tmp_path / "rel",
        atom("312615", "SCD", "predniSONE 20 MG Oral Tablet"),
        atom("99000002", "SCD", "nintedanib 150 MG Oral Capsule"),
    )
    path = table(tmp_path / "rxnorm.csv", PREDNISONE)
    before = path.read_bytes()

    report = run(str(folder), "--table", str(path))
    assert report.returncode == 0, report.stderr
    assert "added: 99000002 SCD 'nintedanib 150 MG Oral Capsule' -> nintedanib" in report.stdout
    assert path.read_bytes() == before

    assert run(str(folder), "--table", str(path), "--write").returncode == 0
    header, rows = read_table(path)
    assert "".join(f"{h}\n" for h in header) == HEADER, "the header is kept for a person to date"
    assert [r.rxcui for r in rows] == ["312615", "99000002"]
    again = run(str(folder), "--table", str(path), "--write")
    assert "added:" not in again.stdout
    assert "confirmed (same code, term type and name): 2" in again.stdout
    assert read_table(path)[1] == rows, "a second run changes nothing"


def test_the_report_names_the_codes_whose_agent_alone_is_proven_and_agents_without_a_code(
    tmp_path,
):
    """Run on the shipped table: every agent has a clinical-drug code, five of them with their
    agent proven but not yet their name and strength, which a release completes."""
    shipped = tmp_path / "rxnorm.csv"
    shipped.write_bytes(default_table().read_bytes())
    empty = release(tmp_path / "empty")
    report = run(str(empty), "--table", str(shipped))
    assert (
        "codes whose name and strength are not confirmed: 1592742 (nintedanib), "
        "1592750 (nintedanib), 2196894 (upadacitinib), 2196900 (upadacitinib), "
        "2590051 (upadacitinib)\n"
    ) in report.stdout
    assert "agents without a clinical-drug code: none" in report.stdout
    assert "not in this release (retired or suppressed; kept for older records): 312615" in (
        report.stdout
    )
    only_prednisone = run(str(empty), "--table", str(table(tmp_path / "p.csv", PREDNISONE)))
    missing = only_prednisone.stdout.split("agents without a clinical-drug code: ")[1]
    assert "nintedanib" in missing and "upadacitinib" in missing and "prednisone" not in missing


AGENT_ONLY = (
    "99000020,SCD,,nintedanib,,,,openFDA: generic labels list both strengths; name not confirmed",
    "99000021,SCD|SBD|GPCK|BPCK,,upadacitinib,,,,"
    "ONE SOURCE: openFDA: the brand's label lists every strength; name not confirmed",
)


def test_a_release_completes_a_row_whose_agent_alone_was_proven(tmp_path):
    folder = release(
        tmp_path / "rel",
        atom("99000020", "SCD", "nintedanib 150 MG Oral Capsule"),
        atom("99000021", "SBD", "24 HR upadacitinib 15 MG Extended Release Oral Tablet [Rinvoq]"),
    )
    path = table(tmp_path / "rxnorm.csv", *AGENT_ONLY)
    report = run(str(folder), "--table", str(path), "--write")
    assert report.returncode == 0, report.stderr
    assert (
        "completed: 99000020 SCD 'nintedanib 150 MG Oral Capsule' -> nintedanib (NLM's name)"
        in report.stdout
    )
    assert "codes whose name and strength are not confirmed: none" in report.stdout
    _, rows = read_table(path)
    assert [r.cells() for r in rows] == [
        (
            "99000020",
            "SCD",
            "nintedanib 150 MG Oral Capsule",
            "nintedanib",
            "150",
            "mg",
            "Oral Capsule",
            "openFDA: generic labels list both strengths; name from RxNorm rel",
        ),
        (
            "99000021",
            "SBD",
            "24 HR upadacitinib 15 MG Extended Release Oral Tablet [Rinvoq]",
            "upadacitinib",
            "15",
            "mg",
            "Extended Release Oral Tablet",
            "openFDA: the brand's label lists every strength; name from RxNorm rel",
        ),
    ], "NLM's term type, name, strength and form; no longer one source"
    again = run(str(folder), "--table", str(path), "--write")
    assert "confirmed (same code, term type and name): 2" in again.stdout
    assert read_table(path)[1] == rows


def test_a_release_naming_another_agent_or_term_type_leaves_the_row_for_a_person(tmp_path):
    folder = release(
        tmp_path / "rel",
        atom("99000020", "SCD", "pirfenidone 267 MG Oral Capsule"),
        atom("99000021", "SCDF", "upadacitinib Extended Release Oral Tablet"),
        atom("99000022", "SBD", "nintedanib 100 MG Oral Capsule [Ofev]"),
    )
    generic_only = AGENT_ONLY[0].replace("99000020", "99000022")
    _, rows = read_table(table(tmp_path / "rxnorm.csv", *AGENT_ONLY, generic_only))
    result = refresh(rows, read_release(folder), "rel")
    assert [(row.rxcui, why) for row, why in result.conflicts] == [
        ("99000020", "the release names it 'pirfenidone 267 MG Oral Capsule'"),
        ("99000022", "the release says SBD 'nintedanib 100 MG Oral Capsule [Ofev]'"),
    ], "an SCDF is not a term type the table reads, so the release does not carry 99000021"
    assert result.rows == rows and not result.completed
    assert [r.rxcui for r in result.not_in_release] == ["99000021"]


def test_the_shipped_table_is_written_back_byte_for_byte(tmp_path):
    """So a refresh's diff shows only what the release changed."""
    header, rows = read_table(default_table())
    copy = tmp_path / "rxnorm.csv"
    write_table(copy, header, rows)
    assert copy.read_bytes() == default_table().read_bytes()


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: d, "RELEASE: "),
        (
            lambda d: release(d / "bad", "312615|ENG|predniSONE 20 MG Oral Tablet|\n"),
            "RXNCONSO.RRF line 1: ",
        ),
    ],
    ids=["no RXNCONSO.RRF", "a line not in RRF format"],
)
def test_a_folder_that_is_not_a_release_is_refused_and_nothing_is_written(tmp_path, setup, message):
    path = table(tmp_path / "rxnorm.csv", PREDNISONE)
    before = path.read_bytes()
    result = run(str(setup(tmp_path)), "--table", str(path), "--write")
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {message}")
    assert "allowed:" in result.stderr
    assert path.read_bytes() == before
