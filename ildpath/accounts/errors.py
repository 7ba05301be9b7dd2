"""Refusals about accounts, translated at each edge like the domain's."""

from pathway.errors import ClinicalError, InvalidValue

__all__ = [
    "FeedNotFound",
    "FeedNotYours",
    "LastAdminRefused",
    "OwnAccountRefused",
    "TokenNotFound",
    "UserNotFound",
    "UsernameTaken",
]


class UsernameTaken(InvalidValue):
    """A second account with a name already in use (active or not: names stay unique so the
    audit trail's names keep meaning one person)."""

    def __init__(self, username: str) -> None:
        self.field, self.value, self.allowed = "username", username, "a username not yet taken"
        ClinicalError.__init__(self, f"username: {username!r} is already taken")


class UserNotFound(ClinicalError):
    def __init__(self, username: str) -> None:
        self.username = username
        super().__init__(f"username: no user {username!r}")


class TokenNotFound(ClinicalError):
    def __init__(self, token_id: int) -> None:
        self.token_id = token_id
        super().__init__(f"token: no API token with id {token_id}")


class OwnAccountRefused(ClinicalError):
    """An admin demoting or deactivating their own account: refused, so that a slip of the
    hand never leaves the clinic without anyone who can manage accounts (another admin can)."""

    def __init__(self, username: str, field: str, what: str) -> None:
        self.username, self.field = username, field
        super().__init__(
            f"{field}: you may not {what} your own account ({username}); "
            "another admin can do it, so the clinic always keeps someone who manages accounts"
        )


class LastAdminRefused(ClinicalError):
    """Deactivating or demoting the last active admin: refused, or nobody could manage the
    accounts any more (add another admin first)."""

    def __init__(self, username: str) -> None:
        self.username, self.field = username, "username"
        super().__init__(
            f"username: {username} is the last active admin; add or reactivate another admin "
            "first, so the clinic always keeps someone who manages accounts"
        )


class FeedNotFound(ClinicalError):
    def __init__(self, feed_id: int) -> None:
        self.feed_id, self.field = feed_id, "feed"
        super().__init__(f"feed: no calendar feed with id {feed_id}")


class FeedNotYours(ClinicalError):
    """A calendar feed issued or revoked for someone else by who is not an admin: a feed
    reads the tasks, so only its own user or an admin grants or withdraws it."""

    def __init__(self, by: str, username: str) -> None:
        self.by, self.username, self.field = by, username, "by"
        super().__init__(
            f"by: {by} may not issue or revoke a calendar feed of {username}; allowed: "
            f"{username} themself or an admin"
        )
