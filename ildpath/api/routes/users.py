"""/api/users and /api/tokens: the admin's accounts and API tokens."""

from typing import Any

from fastapi import APIRouter, Depends

from ...accounts import (
    add_user,
    deactivate_user,
    issue_token,
    list_tokens,
    list_users,
    revoke_token,
)
from ...bootstrap import App
from ...roles import Permission
from ...usecases import Actor
from ..schemas import RowId, TokenIn, UserIn
from ..security import clinic_app, permitted

router = APIRouter(tags=["users"])

_APP = Depends(clinic_app)
_ADMIN = permitted(Permission.ADMINISTER)


@router.get("/api/users", summary="Every account with its role (admins)")
def users(app: App = _APP, _: Actor = _ADMIN) -> dict[str, Any]:
    return {"users": list_users(app)}


@router.post("/api/users", status_code=201, summary="Create an account (admins)")
def create_user(body: UserIn, app: App = _APP, actor: Actor = _ADMIN) -> dict[str, Any]:
    account = add_user(
        app,
        body.username,
        body.role,
        body.password,
        email=body.email,
        by=actor.name,
        by_role=actor.role,
    )
    return {"username": account.username, "role": account.role}


@router.post(
    "/api/users/{username}/deactivation",
    status_code=201,
    summary="Deactivate an account: its sessions and tokens stop working at once (admins)",
)
def deactivate(username: str, app: App = _APP, actor: Actor = _ADMIN) -> dict[str, Any]:
    deactivate_user(app, username, by=actor.name, by_role=actor.role)
    return {"username": username, "active": False}


@router.get("/api/users/{username}/tokens", summary="An account's API tokens (admins)")
def tokens(username: str, app: App = _APP, _: Actor = _ADMIN) -> dict[str, Any]:
    return {"tokens": list_tokens(app, username)}


@router.post(
    "/api/users/{username}/tokens",
    status_code=201,
    summary="Issue an API token; the token is shown in this answer only (admins)",
)
def create_token(
    username: str, body: TokenIn, app: App = _APP, actor: Actor = _ADMIN
) -> dict[str, Any]:
    token = issue_token(app, username, body.name, by=actor.name, by_role=actor.role)
    return {"username": username, "name": body.name, "token": token}


@router.delete("/api/tokens/{token_id}", status_code=204, summary="Revoke an API token (admins)")
def revoke(token_id: RowId, app: App = _APP, actor: Actor = _ADMIN) -> None:
    revoke_token(app, token_id, by=actor.name, by_role=actor.role)
