"""Which ildpath role a person signing on through the hospital's identity provider gets: the
values of one claim of their ID token (a group or an app role the provider's admins assign),
mapped through ``ILDPATH_OIDC_ROLES``.

The provider decides who belongs to which group; ildpath decides what each group may do. A
person none of whose values is mapped gets no account: signing on is refused, and nothing is
written.
"""

from collections.abc import Mapping

from ..roles import ROLES

__all__ = ["PERSON_ROLES", "RoleMap", "parse_role_map", "role_for"]

PERSON_ROLES = tuple(role for role in ROLES if role != "system")

RoleMap = tuple[tuple[str, str], ...]
"""(claim value, role) pairs in the order written: the first that matches wins."""


def parse_role_map(text: str) -> RoleMap:
    """``ildpath-coordinator=coordinator,ildpath-clinician=clinician`` as pairs; a clear
    error naming the wrong pair and the allowed roles otherwise."""
    pairs: list[tuple[str, str]] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        value, sep, role = (s.strip() for s in part.partition("="))
        if not sep or not value:
            raise ValueError(f"{part!r} is not <claim value>=<role>")
        if role not in PERSON_ROLES:
            raise ValueError(
                f"{part!r} names role {role!r}; allowed roles: {', '.join(PERSON_ROLES)}"
            )
        if any(value == known for known, _ in pairs):
            raise ValueError(f"claim value {value!r} is mapped twice")
        pairs.append((value, role))
    return tuple(pairs)


def _values(claim: object) -> list[str]:
    """A claim as a list of texts: providers send a list of groups or roles, or one text."""
    if isinstance(claim, str):
        return [claim]
    if isinstance(claim, list):
        return [item for item in claim if isinstance(item, str)]
    return []


def role_for(claims: Mapping[str, object], claim: str, mapping: RoleMap) -> str | None:
    """The role of the first pair whose value the person's ``claim`` holds; None when none
    does (or the token lacks the claim)."""
    held = set(_values(claims.get(claim)))
    for value, role in mapping:
        if value in held:
            return role
    return None
