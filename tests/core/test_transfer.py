"""Transfer (core.transfer): whom a call can be handed to, when it can be, and what each leg
hears, cold or warm."""

from __future__ import annotations

from dataclasses import replace

import pytest

from frontdoor.core import transfer
from frontdoor.core.department import Department, PartnerLine, RingStrategy
from frontdoor.core.overflow import OverflowLine
from frontdoor.core.roster import Reach
from frontdoor.core.transfer import LiveCall, Mode, Plan, Refusal
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
from tests.core import call_flows_made

CANTAL = OverflowLine(number="+33471000015", label="le DAC du Cantal")
PROMPTS = {
    "transfer_connecting": "Transfert vers $line.",
    "transfer_whisper": "Transféré par $referent : appel $caller. Tapez 1.",
    "transfer_unanswered": "Pas pris : laissez un message.",
    "transfer_warm_wait": "Patientez.",
    "transfer_warm_connecting": "Appel vers $line, étoile pour passer.",
    "transfer_handed_over": "C'est passé.",
    "no_message": "Pas de message.",
}
LIVE = LiveCall(channel="voice", call_sid="CA1", outcome=Outcome.IN_PROGRESS, ended=False,
                taker="amartin", taker_leg="CA2")  # fmt: skip


def department(line: OverflowLine | None = CANTAL) -> Department:
    made = call_flows_made.department(strategy=RingStrategy.SEQUENTIAL)
    return replace(made, prompts=PROMPTS, overflow=line)


def test_the_targets_are_the_other_referents_then_the_partner_line() -> None:
    keys = [t.key for t in transfer.targets(department(), taker="amartin")]

    assert set(keys[:-1]) == set(department().referents) - {"amartin"}
    assert keys[-1] == "ligne:+33471000015"
    assert [t.key for t in transfer.targets(department(None), taker="amartin")][-1] != (
        "ligne:+33471000015"
    )


def test_partner_lines_follow_the_overflow_line_each_number_once() -> None:
    hospital = PartnerLine(number="+33565200046", label="le service social de l'hôpital")
    again = PartnerLine(number=CANTAL.number, label="le Cantal encore")
    made = replace(department(), partner_lines=(hospital, again))

    partners = [t for t in transfer.targets(made, taker="amartin") if t.referent_id is None]

    assert [(t.key, t.label) for t in partners] == [
        ("ligne:+33471000015", "le DAC du Cantal"),
        ("ligne:+33565200046", "le service social de l'hôpital"),
    ]


@pytest.mark.parametrize(
    ("call", "target", "mode", "expected"),
    [
        pytest.param(LIVE, "bleroy", Mode.COLD, None, id="cold-to-a-colleague"),
        pytest.param(LIVE, "ligne:+33471000015", Mode.WARM, None, id="warm-to-the-partner"),
        pytest.param(replace(LIVE, outcome=Outcome.TAKEN), "bleroy", Mode.WARM, None,
                     id="after-the-ring-settled"),
        pytest.param(replace(LIVE, channel="sms"), "bleroy", Mode.COLD, Refusal.NOT_A_CALL,
                     id="not-a-call"),
        pytest.param(replace(LIVE, ended=True), "bleroy", Mode.COLD, Refusal.CALL_OVER,
                     id="call-over"),
        pytest.param(replace(LIVE, taker=None), "bleroy", Mode.COLD, Refusal.NOT_TAKEN,
                     id="nobody-pressed-1"),
        pytest.param(replace(LIVE, outcome=Outcome.VOICEMAIL), "bleroy", Mode.COLD,
                     Refusal.NOT_TAKEN, id="a-message-was-left"),
        pytest.param(LIVE, "amartin", Mode.COLD, Refusal.UNKNOWN_TARGET, id="to-herself"),
        pytest.param(LIVE, "+33600000000", Mode.COLD, Refusal.UNKNOWN_TARGET,
                     id="any-number"),
        pytest.param(replace(LIVE, taker_leg=None), "bleroy", Mode.WARM,
                     Refusal.NO_REFERENT_LEG, id="warm-without-her-leg"),
    ],
)  # fmt: skip
def test_a_transfer_is_planned_only_for_a_live_call_someone_took(
    call: LiveCall, target: str, mode: Mode, expected: Refusal | None
) -> None:
    planned = transfer.plan_transfer(department(), call, target_key=target, mode=mode,
                                     by_name="anne.martin")  # fmt: skip

    if expected is not None:
        assert planned is expected
        assert transfer.REFUSALS_FR[expected]
        return
    assert isinstance(planned, Plan)
    assert planned.taker == "amartin"
    assert planned.target.key == target
    assert planned.reason.code == f"transfer-{mode.value}"
    assert "demandé par anne.martin" in planned.reason.text


def test_cold_the_caller_hears_it_and_the_target_is_rung_screened() -> None:
    bleroy = transfer.target_of(department(), "bleroy", taker="amartin")
    assert bleroy is not None

    reply = transfer.caller_transferred(department(), bleroy, taker="amartin")

    say, ring = reply.actions
    assert say == Say(text="Transfert vers Bleroy.")
    assert isinstance(ring, RingTransfer)
    assert ring.number == bleroy.number
    assert ring.caller_id == department().number
    assert ring.screen == Next(step="transfer-whisper",
                               params=(("from", "amartin"), ("target", "bleroy")))  # fmt: skip
    screen = transfer.whisper(department(), bleroy, taker="amartin", taker_name="Amartin",
                              caller="d'un médecin")  # fmt: skip
    ask, hangup = screen.actions
    assert isinstance(ask, Ask)
    assert ask.prompt == "Transféré par Amartin : appel d'un médecin. Tapez 1."
    assert hangup == Hangup()  # no key: a voicemail is never bridged


@pytest.mark.parametrize(
    ("digits", "taken"), [("1", True), ("2", False), (None, False)], ids=["1", "2", "nothing"]
)
def test_the_target_takes_the_call_over_with_1(digits: str | None, taken: bool) -> None:
    partner = transfer.target_of(department(), "ligne:+33471000015", taker="amartin")
    assert partner is not None

    reason = transfer.taken_over(partner, taker_name="Anne Martin", digits=digits)

    assert (reason is not None) is taken
    if reason is not None:
        assert reason.text == "appel transféré par Anne Martin vers le DAC du Cantal"


@pytest.mark.parametrize(
    ("status", "taken", "message"),
    [("completed", True, False), ("completed", False, True), ("no-answer", False, True),
     ("busy", False, True)],
    ids=["talked", "picked-up-declined", "no-answer", "busy"],
)  # fmt: skip
def test_a_cold_transfer_not_taken_offers_a_message(
    status: str, taken: bool, message: bool
) -> None:
    reply = transfer.dial_ended(department(), status=status, taken=taken)

    assert any(isinstance(a, RecordMessage) for a in reply.actions) is message
    assert [r.code for r in reply.reasons] == (["transfer-unanswered"] if message else [])


def test_warm_the_caller_waits_in_a_room_nobody_starts_while_the_referent_consults() -> None:
    hunt = Reply(actions=(Hangup(),))
    assert transfer.after_ring(hunt, department(), consulting=False, request_id=7) is hunt

    held = transfer.after_ring(hunt, department(), consulting=True, request_id=7)

    assert held.actions == (
        Say(text="Patientez."),
        JoinConference(room="transfert-7-attente", starts=False, ends=True),
    )
    bleroy = transfer.target_of(department(), "bleroy", taker="amartin")
    assert bleroy is not None
    consult = transfer.consult(department(), bleroy, params=(), request_id=7)
    joined = consult.actions[-1]
    assert isinstance(joined, JoinConference)
    assert (joined.room, joined.starts, joined.ends, joined.star_leaves) == (
        "transfert-7", True, False, True,
    )  # fmt: skip
    assert transfer.target_key("1", request_id=7).actions == (
        JoinConference(room="transfert-7", starts=True, ends=True),
    )
    assert transfer.target_key("2", request_id=7).actions == (Hangup(),)


@pytest.mark.parametrize("taken", [True, False], ids=["target-took-it", "target-did-not"])
def test_at_the_star_the_caller_joins_the_room_and_the_referent_leaves_only_if_taken(
    taken: bool,
) -> None:
    bleroy = transfer.target_of(department(), "bleroy", taker="amartin")
    assert bleroy is not None

    decided = transfer.handover(department(), bleroy, taken=taken, taker_name="Anne Martin",
                                params=(("call", "CA1"),), request_id=7)  # fmt: skip

    assert decided.caller == Next(step="transfer-join", params=(("call", "CA1"),))
    if taken:
        assert decided.referent.actions == (Say(text="C'est passé."), Hangup())
        assert decided.reason.code == transfer.HANDED_OVER
    else:
        [again] = decided.referent.actions
        assert isinstance(again, JoinConference)
        assert again.room == "transfert-7"
        assert decided.reason.code == "transfer-taken-back"
    assert transfer.caller_joins(request_id=7).actions == (
        JoinConference(room="transfert-7", starts=True, ends=True),
    )


@pytest.mark.parametrize(
    ("legs_ended", "call_ended", "busy"),
    [(set(), False, {"bleroy"}), ({"CA3"}, False, set()), (set(), True, set())],
    ids=["talking", "cold-ring-over", "call-over"],
)
def test_a_colleague_who_took_a_transferred_call_is_on_it_until_it_ends(
    legs_ended: set[str | None], call_ended: bool, busy: set[str]
) -> None:
    taken = [transfer.TakenOver(referent_id="bleroy", leg_sid="CA3")]

    assert transfer.on_transferred_calls(taken, legs_ended=legs_ended,
                                         call_ended=call_ended) == busy  # fmt: skip


@pytest.mark.parametrize(
    ("handed_over", "call_ended", "busy"),
    [(False, False, {"amartin"}), (True, False, set()), (False, True, set())],
    ids=["consulting", "handed-over", "call-over"],
)
def test_a_referent_consulting_a_target_is_on_a_call_until_she_hands_the_caller_over(
    handed_over: bool, call_ended: bool, busy: set[str]
) -> None:
    assert transfer.on_transferred_calls(
        [], legs_ended=set(), call_ended=call_ended, consulting={"amartin"},
        handed_over=handed_over,
    ) == busy  # fmt: skip


@pytest.mark.parametrize(
    ("reach", "client", "rung_at"),
    [
        pytest.param(Reach.MOBILE, "fd_bleroy", "+33612000000", id="mobile"),
        pytest.param(Reach.BOTH, "fd_bleroy", "+33612000000", id="both-rings-her-mobile"),
        pytest.param(Reach.BROWSER, "fd_bleroy", "client:fd_bleroy", id="browser-only"),
        pytest.param(Reach.BROWSER, None, "+33612000000", id="browser-never-opened"),
    ],
)
def test_a_colleague_is_rung_where_she_takes_calls(
    reach: Reach, client: str | None, rung_at: str
) -> None:
    made = department()
    bleroy = replace(made.referents["bleroy"], reach=reach, client=client)
    made = replace(made, referents={**made.referents, "bleroy": bleroy})

    target = transfer.target_of(made, "bleroy", taker="amartin")
    planned = transfer.plan_transfer(made, LIVE, target_key="bleroy", mode=Mode.COLD,
                                     by_name="anne.martin")  # fmt: skip

    assert target is not None
    assert target.number == rung_at
    assert isinstance(planned, Plan)
    assert ("(navigateur)" in planned.reason.text) is transfer.is_browser(rung_at)
