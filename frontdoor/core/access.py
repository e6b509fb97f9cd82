"""Who may do what in the console and the API: roles, actions, and the rule joining them.

Every console route names one action (frontdoor.console.routes); the server checks it on each
request, and the department of the thing reached against the account's departments. A test
walks every route × role × own/other department.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from enum import StrEnum


class Role(StrEnum):
    REFERENT = "referent"  # works their department's requests
    # Assistante de coordination: answers first and hands requests to the referents; reads
    # the department's requests (she answers its phone), notes and takes; no indicators, no
    # administration.
    SWITCHBOARD = "switchboard"
    COORDINATOR = "coordinator"  # also hours, overrides, contacts, indicators, audit
    OPERATOR = "operator"  # runs several departments; sees no request content


ROLE_LABELS: dict[Role, str] = {
    Role.REFERENT: "Référent parcours",
    Role.SWITCHBOARD: "Assistante de coordination",
    Role.COORDINATOR: "Coordinateur",
    Role.OPERATOR: "Exploitant",
}


class Action(StrEnum):
    INBOX = "inbox"
    READ_REQUEST = "read_request"  # a request's personal data: page, API, recording
    WORK_REQUEST = "work_request"  # classify, non-oppositions, answer, close
    DISPATCH_REQUEST = "dispatch_request"  # take, give to a referent, note
    SEE_DUTY = "see_duty"
    OVERRIDE_DUTY = "override_duty"
    DECLARE_ABSENCE = "declare_absence"  # one's own; a coordinator's for anyone (OVERRIDE_DUTY)
    EDIT_TEAM = "edit_team"  # referents, their numbers, closures of the line
    SEARCH_DIRECTORY = "search_directory"
    EDIT_DIRECTORY = "edit_directory"
    SEE_INDICATORS = "see_indicators"
    ENTER_FIGURES = "enter_figures"  # staff FTE, funding, the territory's GPs
    READ_AUDIT = "read_audit"
    EXPORT_PERSON = "export_person"  # everything held about one number or address
    ERASE_PERSON = "erase_person"
    OWN_ACCOUNT = "own_account"  # sign out
    OWN_TOKENS = "own_tokens"  # create and revoke one's own API tokens
    MANAGE_CONTACTS = "manage_contacts"  # the department's known contacts: list, save, import
    SEE_SENT = "see_sent"  # what the development mode's stand-ins received (SMS, calls, mails)
    # The department's outgoing events: subscribe endpoints, read their delivery log.
    MANAGE_EVENTS = "manage_events"
    # One's own browser phone: where one is rung, and the access token of one's browser.
    ANSWER_IN_BROWSER = "answer_in_browser"


_R, _A = Role, Action
_EVERYONE = frozenset(Role)
_STAFF = frozenset({_R.REFERENT, _R.COORDINATOR})
_DESK = _STAFF | {_R.SWITCHBOARD}  # who answers the department's line and reads its requests
_COORDINATION = frozenset({_R.COORDINATOR})

ALLOWED: dict[Action, frozenset[Role]] = {
    _A.INBOX: _DESK,
    _A.READ_REQUEST: _DESK,
    _A.WORK_REQUEST: _STAFF,
    _A.DISPATCH_REQUEST: _DESK,
    _A.SEE_DUTY: _EVERYONE,
    _A.OVERRIDE_DUTY: _COORDINATION,
    _A.DECLARE_ABSENCE: _DESK,
    _A.EDIT_TEAM: _COORDINATION,
    _A.SEARCH_DIRECTORY: _EVERYONE,
    # Which resources, `may_edit_resource` says: a department's staff its own, the
    # territory level (the operator) those of no department.
    _A.EDIT_DIRECTORY: _STAFF | {_R.OPERATOR},
    # Aggregates only: the operator consolidates a region's figures.
    _A.SEE_INDICATORS: frozenset({_R.COORDINATOR, _R.OPERATOR}),
    _A.ENTER_FIGURES: _COORDINATION,
    _A.READ_AUDIT: _COORDINATION,
    _A.EXPORT_PERSON: _COORDINATION,
    _A.ERASE_PERSON: _COORDINATION,
    _A.OWN_ACCOUNT: _EVERYONE,
    _A.OWN_TOKENS: _STAFF | {_R.OPERATOR},
    _A.MANAGE_CONTACTS: _STAFF,
    _A.SEE_SENT: _STAFF,
    _A.MANAGE_EVENTS: _COORDINATION,
    _A.ANSWER_IN_BROWSER: _STAFF,
}


def allowed(role: Role, action: Action) -> bool:
    return role in ALLOWED[action]


def reaches(departments: Collection[str], department: str) -> bool:
    """Whether an account of these departments may reach something of `department`."""
    return department in departments


# The territory level: the roles that keep the directory's resources no department holds (a
# regional service, a département no DAC of the deployment covers). Not the departments' own:
# those are their staff's to correct.
TERRITORY_ROLES = frozenset({Role.OPERATOR})


def resource_owners(
    departement: str | None, territories: Mapping[str, Collection[str]]
) -> frozenset[str]:
    """The departments whose territory holds a resource located in `departement` (an INSEE
    code such as "46"): one, several where DACs share a département, or none."""
    if not departement:
        return frozenset()
    return frozenset(slug for slug, codes in territories.items() if departement in codes)


def may_edit_resource(role: Role, departments: Collection[str], owners: Collection[str]) -> bool:
    """Whether an account of `role` and `departments` may correct a resource held by
    `owners` (the departments of `resource_owners`)."""
    if not allowed(role, Action.EDIT_DIRECTORY):
        return False
    if role in TERRITORY_ROLES:
        return not owners
    return any(reaches(departments, owner) for owner in owners)


# What an API token may be scoped to, and the action each scope stands for.
TOKEN_SCOPES: dict[str, Action] = {
    "requests:read": Action.READ_REQUEST,
    "requests:write": Action.WORK_REQUEST,
    "directory:read": Action.SEARCH_DIRECTORY,
    "indicators:read": Action.SEE_INDICATORS,
    "duty:read": Action.SEE_DUTY,  # who is on duty: names and ids
    "duty:phones": Action.EDIT_TEAM,  # and their phone numbers, as the team page shows them
}
# What a key of FRONTDOOR_API_KEYS grants: one department's requests as one referent.
STATIC_KEY_SCOPES = frozenset({"requests:read", "requests:write", "directory:read", "duty:read"})
