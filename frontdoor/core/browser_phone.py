"""Answering in the browser: where a referent is rung, her browser's identity at Twilio, the
lifetime of its access token, and whom a call placed from her browser may reach.

Twilio's Voice JavaScript SDK registers the console with an access token that names a client
identity; the hunt rings `<Client>identity</Client>` beside or instead of `<Number>`, with the
same whisper and key 1. The identity is opaque (neither her name nor her number): made once
at random by the console, kept with her choice (core.team's REACH_CHANGED), the same after.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from frontdoor.core.callback_call import connect
from frontdoor.core.department import Department
from frontdoor.core.prompts import prompt
from frontdoor.core.reasons import Reason
from frontdoor.core.request_work import CALLBACK_REFUSALS_FR, CallbackRefusal, callback_refusal
from frontdoor.core.roster import Reach, Referent
from frontdoor.core.team import TeamChange, TeamChangeKind, TeamRefused
from frontdoor.core.voice_actions import Hangup, Reply, Say

# "fd_" then 24 hex digits: what Twilio accepts in an identity (letters, digits, underscore).
IDENTITY = re.compile(r"fd_[0-9a-f]{24}")
IDENTITY_PREFIX = "fd_"
IDENTITY_HEX_DIGITS = 24
# Twilio accepts access tokens of up to 24 hours; the console's are short and renewed.
MAX_TOKEN_TTL_S = 3600
MIN_TOKEN_TTL_S = 60

REACH_LABELS: dict[Reach, str] = {
    Reach.MOBILE: "sur mon téléphone portable",
    Reach.BROWSER: "dans le navigateur (cette console)",
    Reach.BOTH: "sur les deux à la fois",
}


def is_identity(text: str) -> bool:
    return IDENTITY.fullmatch(text) is not None


def reach_changed(referent: Referent | None, reach: Reach, *, fresh_identity: str) -> TeamChange:
    """A referent chooses where she is rung. Her browser keeps the identity it had (tokens
    already given go on ringing); `fresh_identity` is used the first time she needs one."""
    if referent is None:
        raise TeamRefused("votre compte n'est pas celui d'un référent de ce département")
    if not is_identity(fresh_identity):
        raise ValueError(f"not a browser identity: {fresh_identity!r}")
    client = referent.client
    if reach is not Reach.MOBILE and client is None:
        client = fresh_identity
    return TeamChange(
        id=0,
        kind=TeamChangeKind.REACH_CHANGED,
        referent_id=referent.id,
        reach=reach,
        client=client,
    )


@dataclass(kw_only=True, frozen=True)
class TokenGrant:
    """What an access token of a referent's browser says: who, for how long, whether calls
    may reach it."""

    identity: str
    ttl_s: int
    incoming: bool  # the hunt may ring it (she chose the browser, or both)


def token_grant(referent: Referent | None, *, ttl_s: int) -> TokenGrant:
    """The token her browser may have: only once she has chosen the browser at least once;
    calls reach it while her choice includes the browser (else she can still call back)."""
    if referent is None:
        raise TeamRefused("votre compte n'est pas celui d'un référent de ce département")
    if referent.client is None:
        raise TeamRefused("choisissez d'abord d'être joignable dans le navigateur")
    return TokenGrant(
        identity=referent.client,
        ttl_s=max(MIN_TOKEN_TTL_S, min(ttl_s, MAX_TOKEN_TTL_S)),
        incoming=referent.rings_browser,
    )


def referent_of_identity(referents: Mapping[str, Referent], identity: str) -> Referent | None:
    """The referent whose browser this identity is (a call placed from the browser)."""
    if not is_identity(identity):
        return None
    return next((r for r in referents.values() if r.client == identity), None)


@dataclass(kw_only=True, frozen=True)
class BrowserCallback:
    """What a call from a referent's browser gets: the person dialled (`placed`), or not."""

    reply: Reply
    referent_id: str | None  # whose browser it is, if one of the department's referents'
    placed: bool


def browser_callback(
    department: Department,
    *,
    identity: str,
    task_status: str,
    person_number: str | None,
) -> BrowserCallback:
    """A referent calls a person back from her browser (the TwiML App's voice URL): only a
    browser of this department's referents, only an open callback with a number to call; the
    person sees the department's number, never the referent's."""
    referent = referent_of_identity(department.referents, identity)
    if referent is None:
        refused = Reply(
            actions=(Hangup(),),
            reasons=(
                Reason(
                    code="browser-callback-refused",
                    text="rappel refusé : navigateur d'aucun référent du département",
                ),
            ),
        )
        return BrowserCallback(reply=refused, referent_id=None, placed=False)
    refusal = callback_refusal(task_status=task_status, number=person_number)
    if refusal is not None:
        refused = Reply(
            actions=(Say(text=prompt(department, "callback_no_number")), Hangup())
            if refusal is CallbackRefusal.WITHHELD
            else (Hangup(),),
            reasons=(
                Reason(
                    code="browser-callback-refused",
                    text=f"rappel refusé : {CALLBACK_REFUSALS_FR[refusal]}",
                ),
            ),
        )
        return BrowserCallback(reply=refused, referent_id=referent.id, placed=False)
    dialled = connect(department, digits="1", person_number=person_number)
    placed = Reply(
        actions=dialled.actions,
        reasons=(
            Reason(
                code="browser-callback",
                text=f"rappel lancé par {referent.id} depuis son navigateur, avec le numéro du DAC",
            ),
            *dialled.reasons,
        ),
    )
    return BrowserCallback(reply=placed, referent_id=referent.id, placed=True)
