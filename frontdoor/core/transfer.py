"""Transfer: a referent who has the caller hands the call to a colleague or a partner's line.

Cold: the caller hears that she is transferred and the target is rung at once, screened like
any leg (its whisper names who transfers, press 1); the referent's leg is released. Warm:
the referent is put through to the target first while the caller waits, then hands the
caller over by pressing * (or from the console); the caller then joins the target.

Who may be a target (`targets`), whether a call can be transferred now (`plan_transfer`),
and what each leg hears are decided here; the console and the webhooks translate and store.
The request records who took over: an event `transferred` (from, to), in the timeline.
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import dataclass
from enum import StrEnum

from frontdoor.core.department import Department
from frontdoor.core.numbers import written_number
from frontdoor.core.prompts import prompt
from frontdoor.core.reasons import Reason
from frontdoor.core.voice_actions import (
    Ask,
    Hangup,
    JoinConference,
    Next,
    Outcome,
    RecordMessage,
    Reply,
    RingTransfer,
    Say,
)

# Request events: asked from the console or the API, taken by the target (who took over),
# declined or unanswered there, and the caller put through to the target after a warm one.
REQUESTED = "transfer-requested"
TRANSFERRED = "transferred"
DECLINED = "transfer-declined"
ENDED = "transfer-ended"
HANDED_OVER = "transfer-handed-over"
CONSULTED = "transfer-consulted"  # the referent's leg went to speak to the target (warm)
# The key the referent presses during a warm transfer to hand the caller over.
HAND_OVER_KEY = "*"
# A partner line's key among the targets; a colleague's is her referent id.
PARTNER_PREFIX = "ligne:"


class Mode(StrEnum):
    COLD = "cold"
    WARM = "warm"


MODE_LABELS_FR = {Mode.COLD: "à froid", Mode.WARM: "accompagné"}


@dataclass(kw_only=True, frozen=True)
class Target:
    key: str  # a referent id, or PARTNER_PREFIX + the line's number
    label: str  # as the caller hears it and the console shows it
    number: str  # E.164, or "client:<identity>" for a colleague reached in her browser only
    referent_id: str | None = None  # a colleague: who took over


class Refusal(StrEnum):
    NOT_A_CALL = "not-a-call"
    NOT_TAKEN = "not-taken"
    CALL_OVER = "call-over"
    UNKNOWN_TARGET = "unknown-target"
    NO_REFERENT_LEG = "no-referent-leg"


BROWSER_PREFIX = "client:"  # as Twilio's REST API names a Voice SDK identity

REFUSALS_FR = {
    Refusal.NOT_A_CALL: "Seul un appel téléphonique peut être transféré.",
    Refusal.NOT_TAKEN: "L'appel n'a pas été pris par un référent : rien à transférer.",
    Refusal.CALL_OVER: "L'appel est terminé : il ne peut plus être transféré.",
    Refusal.UNKNOWN_TARGET: "Ce correspondant ne fait pas partie des destinataires possibles.",
    Refusal.NO_REFERENT_LEG: "La ligne du référent n'est pas connue : transférez à froid.",
}


@dataclass(kw_only=True, frozen=True)
class LiveCall:
    """What the store knows of a call when a transfer is asked."""

    channel: str
    call_sid: str | None
    outcome: Outcome
    ended: bool
    # The referent who has the caller: the last to press 1 for it (on her ring, or as the
    # target of an earlier transfer), and her leg's CallSid, for a warm transfer. Pressing 1
    # is enough here: the call is settled as taken only once its ring is over.
    taker: str | None
    taker_leg: str | None


@dataclass(kw_only=True, frozen=True)
class Plan:
    mode: Mode
    target: Target
    taker: str  # the referent handing the call over
    reason: Reason


def targets(department: Department, *, taker: str | None) -> tuple[Target, ...]:
    """Whom the call can be handed to: the department's other referents, then its partner
    lines (its overflow line, then its `[[transfer]]` lines)."""
    colleagues = tuple(
        # Where she is rung as a queue's offer rings her: her mobile, or her browser alone.
        Target(key=referent.id, label=referent.name, number=referent.called_at,
               referent_id=referent.id)
        for referent in sorted(department.referents.values(), key=lambda r: r.name)
        if referent.id != taker and referent.phone
    )  # fmt: skip
    lines = ((department.overflow,) if department.overflow else ()) + department.partner_lines
    numbers = dict.fromkeys(line.number for line in lines)  # each number once, first label
    labels = {number: next(line.label for line in lines if line.number == number)
              for number in numbers}  # fmt: skip
    partners = tuple(
        Target(key=PARTNER_PREFIX + number, label=labels[number], number=number)
        for number in numbers
    )
    return colleagues + partners


def is_browser(number: str) -> bool:
    """A target reached in her browser (core.roster's `called_at`), not on a phone."""
    return number.startswith(BROWSER_PREFIX)


def target_of(department: Department, key: str, *, taker: str | None) -> Target | None:
    return next((t for t in targets(department, taker=taker) if t.key == key), None)


def plan_transfer(
    department: Department, call: LiveCall, *, target_key: str, mode: Mode, by_name: str
) -> Plan | Refusal:
    """Whether the call can be handed to `target_key` now, and why (`by_name`: who asks)."""
    if call.channel != "voice" or call.call_sid is None:
        return Refusal.NOT_A_CALL
    if call.ended:
        return Refusal.CALL_OVER
    if call.outcome not in {Outcome.IN_PROGRESS, Outcome.TAKEN} or call.taker is None:
        return Refusal.NOT_TAKEN
    target = target_of(department, target_key, taker=call.taker)
    if target is None:
        return Refusal.UNKNOWN_TARGET
    if mode is Mode.WARM and call.taker_leg is None:
        return Refusal.NO_REFERENT_LEG
    where = "navigateur" if is_browser(target.number) else written_number(target.number)
    text = f"transfert {MODE_LABELS_FR[mode]} vers {target.label} ({where}) demandé par {by_name}"
    return Plan(mode=mode, target=target, taker=call.taker,
                reason=Reason(code=f"transfer-{mode.value}", text=text))  # fmt: skip


def _params(target: Target, taker: str) -> tuple[tuple[str, str], ...]:
    return (("from", taker), ("target", target.key))


def caller_transferred(department: Department, target: Target, *, taker: str) -> Reply:
    """Cold: what the caller hears once her call is redirected, and the target rung."""
    params = _params(target, taker)
    return Reply(
        actions=(
            Say(text=prompt(department, "transfer_connecting", line=target.label)),
            RingTransfer(
                number=target.number,
                timeout_s=department.ringing.timeout_s,
                caller_id=department.number,
                screen=Next(step="transfer-whisper", params=params),
                then=Next(step="transfer-dialed", params=params),
            ),
        )
    )


def whisper(
    department: Department, target: Target, *, taker: str, taker_name: str, caller: str
) -> Reply:
    """What the target hears on picking up (`caller`: as the referents' whisper names the
    caller), before she is put through; no key: her leg hangs up (a voicemail is never
    bridged)."""
    return Reply(
        actions=(
            Ask(
                prompt=prompt(department, "transfer_whisper", referent=taker_name, caller=caller),
                then=Next(step="transfer-accept", params=_params(target, taker)),
                timeout_s=department.ringing.accept_timeout_s,
            ),
            Hangup(),
        )
    )


def taken_over(target: Target, *, taker_name: str, digits: str | None) -> Reason | None:
    """The target's key: 1 takes the call over (the reason recorded), anything else declines."""
    if digits != "1":
        return None
    return Reason(code=TRANSFERRED, text=f"appel transféré par {taker_name} vers {target.label}")


def dial_ended(department: Department, *, status: str, taken: bool) -> Reply:
    """The caller's ring to the target is over: the conversation ended, or the target did
    not take the call and the caller can leave a message for the referents."""
    if taken and status in {"completed", "answered"}:
        return Reply(actions=(Hangup(),))
    return Reply(
        actions=(
            Say(text=prompt(department, "transfer_unanswered")),
            RecordMessage(then=Next(step="message"), max_s=department.max_message_s),
            Say(text=prompt(department, "no_message")),
            Hangup(),
        ),
        reasons=(
            Reason(
                code="transfer-unanswered",
                text=f"appel transféré non pris ({status}) : message proposé",
            ),
        ),
    )


# A warm transfer ---------------------------------------------------------------------------
# The referent's leg is redirected into a conference room named after the request, where the
# target, called by Frontdoor, joins her once she pressed 1; the caller, whose <Dial> ended
# when the referent's leg left it, waits alone in a second room (Twilio's hold music) until
# the referent presses * (she leaves the room: <Dial hangupOnStar>) and the caller is moved
# into the first room, with the target.


@dataclass(kw_only=True, frozen=True)
class TakenOver:
    """A target who pressed 1 for a transferred call (a colleague: her referent id)."""

    referent_id: str
    leg_sid: str | None


def on_transferred_calls(
    taken: Sequence[TakenOver], *, legs_ended: Set[str | None], call_ended: bool,
    consulting: Set[str] = frozenset(), handed_over: bool = False,
) -> frozenset[str]:  # fmt: skip
    """The referents on one call because of a transfer: the colleagues it was transferred to,
    until their ring ended (cold: the caller's <Dial> to them) or the call did (warm: the
    room ends with them); and the referents consulting a target (warm), until they hand the
    caller over."""
    if call_ended:
        return frozenset()
    targets = {t.referent_id for t in taken if t.leg_sid not in legs_ended}
    return frozenset(targets | (set() if handed_over else set(consulting)))


def room(request_id: int) -> str:
    """Where the referent, then the caller, meet the target."""
    return f"transfert-{request_id}"


def waiting_room(request_id: int) -> str:
    """Where the caller waits meanwhile: nobody starts it, she hears the hold music."""
    return f"transfert-{request_id}-attente"


def warm_params(
    target: Target, *, taker: str, call_sid: str, request_id: int
) -> tuple[tuple[str, str], ...]:
    """What every step of a warm transfer is told in its signed URL."""
    return (("call", call_sid), ("from", taker), ("request", str(request_id)),
            ("target", target.key))  # fmt: skip


def consult(
    department: Department, target: Target, *, params: tuple[tuple[str, str], ...],
    request_id: int,
) -> Reply:  # fmt: skip
    """The referent's leg, redirected: she is told how to hand the caller over, then waits in
    the room for the target (the room starts with her, so she hears the target join)."""
    return Reply(
        actions=(
            Say(text=prompt(department, "transfer_warm_connecting", line=target.label)),
            JoinConference(room=room(request_id), starts=True, ends=False, star_leaves=True,
                           then=Next(step="transfer-handover", params=params)),
        )
    )  # fmt: skip


def caller_on_hold(department: Department, *, request_id: int) -> Reply:
    """The caller's <Dial> to the referent ended because her leg went to speak to the
    target: the caller waits, with a word first."""
    return Reply(
        actions=(
            Say(text=prompt(department, "transfer_warm_wait")),
            JoinConference(room=waiting_room(request_id), starts=False, ends=True),
        ),
        reasons=(Reason(code="transfer-waiting", text="appelant en attente pendant le transfert"),),
    )


def after_ring(
    ring_ended: Reply, department: Department, *, consulting: bool, request_id: int
) -> Reply:
    """The caller's ring is over: as the hunt says, unless the leg it bridged left to speak
    to a transfer's target (`consulting`): then the caller waits (the request's changes and
    reasons stay the hunt's: the call was taken)."""
    if not consulting:
        return ring_ended
    held = caller_on_hold(department, request_id=request_id)
    return Reply(actions=held.actions, update=ring_ended.update,
                 reasons=(*ring_ended.reasons, *held.reasons))  # fmt: skip


def target_screen(
    department: Department, target: Target, *, params: tuple[tuple[str, str], ...],
    taker_name: str, caller: str,
) -> Reply:  # fmt: skip
    """The call Frontdoor placed to the target: who transfers, who calls, press 1."""
    return Reply(
        actions=(
            Ask(
                prompt=prompt(department, "transfer_whisper", referent=taker_name, caller=caller),
                then=Next(step="transfer-target-key", params=params),
                timeout_s=department.ringing.accept_timeout_s,
            ),
            Hangup(),
        )
    )


def target_key(digits: str | None, *, request_id: int) -> Reply:
    """The target's key: 1 joins the referent in the room; anything else hangs up."""
    if digits != "1":
        return Reply(actions=(Hangup(),))
    return Reply(actions=(JoinConference(room=room(request_id), starts=True, ends=True),))


@dataclass(kw_only=True, frozen=True)
class Handover:
    """The referent pressed *: what her leg hears, and where the caller goes."""

    referent: Reply
    caller: Next  # the caller's call is redirected here (Twilio's REST API)
    reason: Reason


def handover(
    department: Department, target: Target, *, taken: bool, taker_name: str,
    params: tuple[tuple[str, str], ...], request_id: int,
) -> Handover:  # fmt: skip
    """The target took the call: the caller joins her and the referent hangs up. Not (yet):
    the caller joins the referent back in the room, as before the transfer."""
    join = Next(step="transfer-join", params=params)
    if taken:
        return Handover(
            referent=Reply(actions=(Say(text=prompt(department, "transfer_handed_over")),
                                    Hangup())),
            caller=join,
            reason=Reason(code=HANDED_OVER,
                          text=f"appelant mis en relation par {taker_name} avec {target.label}"),
        )  # fmt: skip
    again = JoinConference(room=room(request_id), starts=True, ends=True, star_leaves=True,
                           then=Next(step="transfer-handover", params=params))  # fmt: skip
    return Handover(
        referent=Reply(actions=(again,)),
        caller=join,
        reason=Reason(code="transfer-taken-back",
                      text=f"{target.label} n'a pas pris l'appel : l'appelant revient à "
                      f"{taker_name}"),
    )  # fmt: skip


def caller_joins(*, request_id: int) -> Reply:
    """The caller, moved out of the waiting room: into the room, with whoever is there."""
    return Reply(actions=(JoinConference(room=room(request_id), starts=True, ends=True),))
