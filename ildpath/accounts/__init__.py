"""Accounts of the dashboard and the API: users, API tokens, calendar feeds and dashboard
sessions.

The command line trusts the local login; these are what the web edge checks instead.
"""

from .calendar_feeds import (
    FEED_SCOPES,
    FeedEntry,
    IssuedFeed,
    feed_for_token,
    issue_feed,
    list_feeds,
    revoke_feed,
)
from .errors import (
    FeedNotFound,
    FeedNotYours,
    LastAdminRefused,
    OwnAccountRefused,
    TokenNotFound,
    UsernameTaken,
    UserNotFound,
)
from .hashing import hash_secret, verify_secret
from .overview import AccountSummary, account_summaries, account_summary
from .passwords import WeakPassword
from .reminder_choice import ReminderChoice, reminder_choice, set_reminder_choice
from .sessions import close_session, open_session, session_for
from .sign_in import TooManyAttempts, sign_in
from .throttle import SignInLock, lock_of, locked_usernames, unlock_account
from .tokens import TokenEntry, account_for_token, issue_token, list_tokens, revoke_token
from .users import (
    PERSON_ROLES,
    Account,
    UserEntry,
    add_user,
    assignable,
    authenticate,
    change_role,
    deactivate_user,
    demo_accounts,
    has_users,
    list_users,
    reactivate_user,
    set_email,
    set_password,
)

__all__ = [
    "FEED_SCOPES",
    "PERSON_ROLES",
    "Account",
    "AccountSummary",
    "FeedEntry",
    "FeedNotFound",
    "FeedNotYours",
    "IssuedFeed",
    "LastAdminRefused",
    "OwnAccountRefused",
    "ReminderChoice",
    "SignInLock",
    "TokenEntry",
    "TokenNotFound",
    "TooManyAttempts",
    "UserEntry",
    "UserNotFound",
    "UsernameTaken",
    "WeakPassword",
    "account_for_token",
    "account_summaries",
    "account_summary",
    "add_user",
    "assignable",
    "authenticate",
    "change_role",
    "close_session",
    "deactivate_user",
    "demo_accounts",
    "feed_for_token",
    "has_users",
    "hash_secret",
    "issue_feed",
    "issue_token",
    "list_feeds",
    "list_tokens",
    "list_users",
    "lock_of",
    "locked_usernames",
    "open_session",
    "reactivate_user",
    "reminder_choice",
    "revoke_feed",
    "revoke_token",
    "session_for",
    "set_email",
    "set_password",
    "set_reminder_choice",
    "sign_in",
    "unlock_account",
    "verify_secret",
]
