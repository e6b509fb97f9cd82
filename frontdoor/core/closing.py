"""When Frontdoor closes a request by itself, and when it opens it again.

An information request the resource directory answered (key 9 of a call, an SMS question)
needs nothing more from a referent: it is closed once it has ended with only that answer —
a call at its final status callback, an SMS question once its answer is sent. A caller who
then asks for more writes again: the request she wrote under is open again, for a referent.
The indicators do not read a request's status: they count these requests as before.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from frontdoor.core.reasons import Reason
from frontdoor.core.request_fields import RequestStatus, ResponseType
from frontdoor.core.voice_actions import Outcome

# Who closed a request Frontdoor closed (`requests.closed_by`), as messages name their author.
BY_FRONTDOOR = "frontdoor"


@dataclass(kw_only=True, frozen=True)
class Ended:
    """What a request holds once its contact is over (the call ended, the answer sent)."""

    status: str
    outcome: str
    response_kinds: Collection[str]
    callback_needed: bool
    voicemail: bool  # a message was left


def directory_answered_closes(ended: Ended) -> Reason | None:
    """Why the request is closed now, or None: it is left to the referents.

    Only when the directory's answer is all it got: a call that reached a referent, left a
    message or is owed a callback has another outcome or needs a referent; a response a
    referent recorded (orientation…) means she works on it.
    """
    if ended.status != RequestStatus.OPEN or ended.outcome != Outcome.INFORMED:
        return None
    if ended.callback_needed or ended.voicemail:
        return None
    if set(ended.response_kinds) != {ResponseType.INFORMATION}:
        return None
    return Reason(
        code="directory-answered-closed",
        text="renseignée par l'annuaire, sans autre demande : close par Frontdoor",
    )


def written_again_reopens(*, status: str, closed_by: str | None) -> Reason | None:
    """A further message under a request Frontdoor closed opens it again; one a referent
    closed stays as she left it."""
    if status != RequestStatus.CLOSED or closed_by != BY_FRONTDOOR:
        return None
    return Reason(
        code="written-again-reopened",
        text="nouveau message après la réponse de l'annuaire : rouverte pour un référent",
    )
