"""Who acts on a request, and the two ways an action ends without acting."""

from __future__ import annotations

from dataclasses import dataclass

from frontdoor.core.access import Role


@dataclass(kw_only=True, frozen=True)
class Actor:
    """A console account or an API caller, as the actions see them."""

    departments: tuple[str, ...]
    # Who the audit journal names: the account's login, or "clé:<referent>" for an API key.
    login: str
    # The referent of the department file the account is, if it is one.
    referent: str | None
    role: Role
    # How the request's events name the actor in their reasons (the console: the login; the
    # API: the referent).
    signs_as: str

    @property
    def referent_or_login(self) -> str:
        return self.referent or self.login


class NotFound(Exception):
    """No such request, or not one of the actor's departments: both answer the same."""


class Refused(Exception):
    """The action was refused; `reason` says why, in French, for the person who asked."""

    def __init__(self, reason: str, *, code: str = "refused", detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code
        # What the provider said, for the API's answer (never shown in the console).
        self.detail = detail
