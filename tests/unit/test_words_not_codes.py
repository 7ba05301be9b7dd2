"""Codes reach people as words (issue 18): the templates' ``label`` filter puts the label first
and the code beside it in small type; a refused form names the field as the form labels it."""

from jinja2 import Environment

from ildpath.web.refusals import refusal
from ildpath.wording import install_wording, labelled_html
from pathway.errors import GuardFailed, InvalidTransition, InvalidValue


def _render(source: str, **values: object) -> str:
    env = install_wording(Environment(autoescape=True))
    return env.from_string(source).render(**values)


def test_the_label_filter_shows_words_with_the_code_in_small_type() -> None:
    html = _render('{{ "cmv_test" | label("task") }}')
    assert html == '<span class="label">CMV test</span> <code class="code">cmv_test</code>'


def test_the_label_filter_finds_a_code_without_its_kind() -> None:
    assert _render('{{ "ADD_CNI" | label }}').startswith(
        '<span class="label">Add a calcineurin inhibitor</span>'
    )


def test_a_phenotype_letter_is_explained_by_its_label() -> None:
    assert _render('{{ "A" | label("phenotype_group") }}') == (
        '<span class="label">Anti-MDA5 positive</span> <code class="code">A</code>'
    )


def test_no_code_renders_nothing() -> None:
    assert _render("{{ none | label }}|{{ '' | label }}") == "|"


def test_a_code_is_escaped_like_any_other_text() -> None:
    assert "&lt;b&gt;" in str(labelled_html("<b>"))


def test_words_alone_where_markup_cannot_go() -> None:
    assert _render('{{ "detect_progression" | label_text }}') == "Progression detected"
    assert _render('{{ "ild_course" | field_label }}') == "ILD course at presentation"


def test_day_counts_agree_with_their_number_in_templates() -> None:
    assert _render("{{ 1 | days }}, {{ 2 | days }}") == "1 day, 2 days"


def test_a_refused_value_names_the_field_as_the_form_labels_it() -> None:
    refused = refusal(InvalidValue("fvc_pct", 500.0, "a number from 10 to 200 (% predicted)"))
    assert refused.message == (
        "FVC % predicted (fvc_pct): 500.0 is not allowed; allowed: a number from 10 to 200 "
        "(% predicted)."
    )
    assert refused.field == "fvc_pct"


def test_a_refused_trigger_is_named_in_words_with_its_code() -> None:
    guard = refusal(GuardFailed("declare_refractory", ["a reason is required"]))
    assert guard.message.startswith("Declare refractory (declare_refractory) refused")
    moved = refusal(InvalidTransition("detect_progression", "induction", ("close",)))
    assert "Progression detected (detect_progression) is not allowed from induction" in (
        moved.message
    )
    assert "Close the pathway (close)" in moved.message
