"""OperationOutcome: how a FHIR endpoint says what went wrong (the FHIR R4 RESTful API,
http.html, answers a failed interaction with an OperationOutcome, not problem details).

Built as plain JSON and validated with ``fhir.resources`` (R4B). ``from_problem`` turns the
API's RFC 9457 problem details into one, so every refusal keeps the one mapping from the
domain's errors to an HTTP status (``ildpath.api.problems``) and only its shape changes on the
FHIR paths.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fhir.resources.R4B.operationoutcome import OperationOutcome

__all__ = ["ISSUE_TYPE_OF_STATUS", "Issue", "from_problem", "operation_outcome"]

ISSUE_TYPE_OF_STATUS = {
    400: "structure",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    409: "conflict",
    413: "too-long",
    415: "not-supported",
    422: "invalid",
    429: "throttled",
    500: "exception",
    503: "transient",
}
"""An HTTP status as the issue type (http://hl7.org/fhir/issue-type, R4 IssueType) that names
its reason; any other status is ``processing``."""

_SLUG_ISSUE_TYPE = {
    "duplicate": "duplicate",
    "guard-failed": "business-rule",
    "transition-not-allowed": "business-rule",
    "patient-closed": "business-rule",
    "stale-write": "conflict",
}
"""Problem types whose issue type is more precise than their status's."""

_FHIR_PATH = re.compile(r"^[A-Z][A-Za-z]*(\.|\[|$)")
"""A problem's ``field`` that is a FHIRPath expression (``Bundle.entry[0].resource.code``);
another field (``id``, ``If-Match``) is named in the diagnostics instead."""


@dataclass(frozen=True)
class Issue:
    """One issue: ``severity`` fatal/error/warning/information, ``code`` an IssueType,
    ``diagnostics`` the reason in words, ``expression`` where (FHIRPath), ``title`` a short
    summary sent as ``details.text``."""

    severity: str
    code: str
    diagnostics: str
    expression: tuple[str, ...] = ()
    title: str = ""

    def as_data(self) -> dict[str, Any]:
        issue: dict[str, Any] = {"severity": self.severity, "code": self.code}
        if self.title:
            issue["details"] = {"text": self.title}
        if self.diagnostics:
            issue["diagnostics"] = self.diagnostics
        if self.expression:
            issue["expression"] = list(self.expression)
        return issue


def operation_outcome(issues: Sequence[Issue]) -> dict[str, Any]:
    """An OperationOutcome of ``issues`` (at least one: FHIR requires it), validated."""
    if not issues:
        raise ValueError("an OperationOutcome needs at least one issue")
    data = {"resourceType": "OperationOutcome", "issue": [i.as_data() for i in issues]}
    OperationOutcome.model_validate(data)
    return data


def from_problem(problem: Mapping[str, Any]) -> dict[str, Any]:
    """The API's problem details (``type``, ``title``, ``status``, ``detail``, ``field``…) as
    an OperationOutcome with one error issue: the IssueType for its status (or its problem
    type), the detail as diagnostics, a FHIRPath field as the expression."""
    status = int(problem.get("status") or 500)
    slug = str(problem.get("type", "")).rpartition(":")[2]
    code = _SLUG_ISSUE_TYPE.get(slug, ISSUE_TYPE_OF_STATUS.get(status, "processing"))
    detail = str(problem.get("detail") or problem.get("title") or "")
    field = str(problem.get("field") or "")
    expression: tuple[str, ...] = ()
    if _FHIR_PATH.match(field):
        expression = (field,)
    elif field and field not in detail:
        detail = f"{field}: {detail}"
    allowed = problem.get("allowed")
    if allowed and str(allowed) not in detail:
        detail += f" (allowed: {allowed})"
    severity = "fatal" if status >= 500 else "error"
    return operation_outcome(
        [Issue(severity, code, detail, expression, str(problem.get("title") or ""))]
    )
