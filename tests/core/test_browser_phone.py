"""Answering in the browser, the pure part: where a referent is rung, her browser's opaque
identity, and what the access token of her browser may do."""

from __future__ import annotations

from dataclasses import replace

import pytest

from frontdoor.core.browser_phone import (
    MAX_TOKEN_TTL_S,
    MIN_TOKEN_TTL_S,
    browser_callback,
    is_identity,
    reach_changed,
    referent_of_identity,
    token_grant,
)
from frontdoor.core.department import Department
from frontdoor.core.roster import Reach, Referent
from frontdoor.core.routing import MAX_SIMULTANEOUS, plan_route
from frontdoor.core.team import TeamChange, TeamChangeKind, TeamRefused, team_state
from frontdoor.core.voice_actions import Connect
from frontdoor.department_file.load import load_prompts
from tests.conftest import ROOT
from tests.core.departments_made import CROWD, MONDAY_10H, department

ANNE = Referent(id="amartin", name="Anne Martin", phone="+33612000001")
FRESH = "fd_" + "ab" * 12
OTHER = "fd_" + "cd" * 12


def chosen(referent: Referent, reach: Reach, identity: str = FRESH, number: int = 1) -> Referent:
    """The referent once her choice is laid over the file, as every instance does."""
    made = reach_changed(referent, reach, fresh_identity=identity)
    change = TeamChange(
        id=number, kind=made.kind, referent_id=made.referent_id, reach=made.reach,
        client=made.client,
    )  # fmt: skip
    return team_state({referent.id: referent}, [change]).referents[referent.id]


def test_a_referent_of_the_file_is_rung_on_her_mobile_only() -> None:
    assert (ANNE.reach, ANNE.rings_phone, ANNE.rings_browser) == (Reach.MOBILE, True, False)


@pytest.mark.parametrize(
    ("reach", "phone", "browser"),
    [
        pytest.param(Reach.BROWSER, False, True, id="browser-only"),
        pytest.param(Reach.BOTH, True, True, id="both-at-once"),
        pytest.param(Reach.MOBILE, True, False, id="back-to-the-mobile"),
    ],
)
def test_her_choice_says_what_the_hunt_rings(reach: Reach, phone: bool, browser: bool) -> None:
    anne = chosen(ANNE, reach)
    assert (anne.reach, anne.rings_phone, anne.rings_browser) == (reach, phone, browser)


@pytest.mark.parametrize(
    ("reach", "called_at"),
    [
        pytest.param(Reach.MOBILE, ANNE.phone, id="mobile"),
        pytest.param(Reach.BOTH, ANNE.phone, id="both-her-mobile"),
        pytest.param(Reach.BROWSER, f"client:{FRESH}", id="browser-alone"),
    ],
)
def test_a_call_placed_to_her_a_waiting_caller_offered_rings_where_she_is(
    reach: Reach, called_at: str
) -> None:
    assert chosen(ANNE, reach).called_at == called_at


def test_her_browser_gets_an_opaque_identity_and_keeps_it() -> None:
    first = chosen(ANNE, Reach.BROWSER)
    assert first.client == FRESH
    assert is_identity(first.client or "")
    # Back to the mobile, then the browser again: the same identity, tokens given go on.
    again = chosen(chosen(first, Reach.MOBILE, OTHER), Reach.BOTH, OTHER)
    assert again.client == FRESH


def test_a_change_of_reach_survives_an_edit_of_her_entry_in_the_file() -> None:
    change = TeamChange(
        id=1, kind=TeamChangeKind.REACH_CHANGED, referent_id="amartin", reach=Reach.BROWSER,
        client=FRESH,
    )  # fmt: skip
    renamed = Referent(id="amartin", name="Anne Martin-Roux", phone="+33612000009")
    state = team_state({"amartin": renamed}, [change])
    assert state.referents["amartin"].rings_browser
    assert state.set_aside == ()


def test_a_browser_without_identity_cannot_be_chosen() -> None:
    with pytest.raises(ValueError, match="identity"):
        TeamChange(id=1, kind=TeamChangeKind.REACH_CHANGED, referent_id="amartin",
                   reach=Reach.BROWSER)  # fmt: skip
    with pytest.raises(ValueError, match="not a browser identity"):
        reach_changed(ANNE, Reach.BROWSER, fresh_identity="Anne Martin")


def test_an_account_that_is_no_referent_of_the_department_has_no_browser_phone() -> None:
    with pytest.raises(TeamRefused, match="pas celui d'un référent"):
        reach_changed(None, Reach.BROWSER, fresh_identity=FRESH)
    with pytest.raises(TeamRefused, match="pas celui d'un référent"):
        token_grant(None, ttl_s=600)


def test_no_token_before_she_has_chosen_the_browser() -> None:
    with pytest.raises(TeamRefused, match="choisissez d'abord"):
        token_grant(ANNE, ttl_s=600)


@pytest.mark.parametrize(
    ("reach", "incoming"),
    [
        pytest.param(Reach.BROWSER, True, id="browser"),
        pytest.param(Reach.BOTH, True, id="both"),
        # Back on her mobile: her browser may still call back, and is rung no more.
        pytest.param(Reach.MOBILE, False, id="mobile-calls-back-only"),
    ],
)
def test_calls_reach_her_browser_only_while_she_chose_it(reach: Reach, incoming: bool) -> None:
    anne = chosen(chosen(ANNE, Reach.BROWSER), reach)
    grant = token_grant(anne, ttl_s=600)
    assert (grant.identity, grant.incoming, grant.ttl_s) == (FRESH, incoming, 600)


@pytest.mark.parametrize(
    ("asked", "given"),
    [
        pytest.param(86_400, MAX_TOKEN_TTL_S, id="a-day-is-cut-to-an-hour"),
        pytest.param(5, MIN_TOKEN_TTL_S, id="too-short-to-register"),
        pytest.param(900, 900, id="as-asked"),
    ],
)
def test_tokens_are_short_lived(asked: int, given: int) -> None:
    assert token_grant(chosen(ANNE, Reach.BROWSER), ttl_s=asked).ttl_s == given


def test_a_call_from_a_browser_is_its_referents() -> None:
    anne = chosen(ANNE, Reach.BROWSER)
    team = {"amartin": anne, "bleroy": Referent(id="bleroy", name="B", phone="+33612000002")}
    assert referent_of_identity(team, FRESH) == anne
    assert referent_of_identity(team, OTHER) is None
    assert referent_of_identity(team, "client:amartin") is None


def in_browsers(made: Department, reach: Reach) -> Department:
    """Every referent of the department rung as `reach` says, each her own identity."""
    team = {
        i: replace(r, reach=reach, client=f"fd_{n:024x}")
        for n, (i, r) in enumerate(made.referents.items())
    }
    return replace(made, referents=team)


@pytest.mark.parametrize(
    ("reach", "groups"),
    [
        pytest.param(Reach.MOBILE, [10, 2], id="twelve-mobiles-ten-then-two"),
        pytest.param(Reach.BROWSER, [10, 2], id="twelve-browsers-ten-then-two"),
        # Each rung twice (mobile and browser): five at once fill Twilio's ten legs.
        pytest.param(Reach.BOTH, [5, 5, 2], id="twelve-on-both-five-at-a-time"),
    ],
)
def test_twilio_rings_at_most_ten_legs_at_once(reach: Reach, groups: list[int]) -> None:
    made = in_browsers(department(on_duty=CROWD, backup=()), reach)
    plan = plan_route(made, MONDAY_10H)
    assert [len(a.referents) for a in plan.attempts] == groups
    assert all(sum(r.legs for r in a.referents) <= MAX_SIMULTANEOUS for a in plan.attempts)


# The prompts of the real files: the person is told when there is no number to call.
LOT = replace(
    in_browsers(department(), Reach.BROWSER),
    prompts=load_prompts(ROOT / "templates" / "voice" / "prompts.toml"),
)
ANNES = LOT.referents["amartin"].client or ""


@pytest.mark.parametrize(
    ("identity", "status", "number", "placed", "said"),
    [
        pytest.param(ANNES, "open", "+33611223344", True, "rappel lancé par amartin",
                     id="her-open-callback"),
        pytest.param(ANNES, "done", "+33611223344", False, "déjà clos", id="a-closed-one"),
        pytest.param(ANNES, "open", None, False, "numéro masqué", id="a-withheld-number"),
        pytest.param(OTHER, "open", "+33611223344", False, "aucun référent",
                     id="a-browser-of-nobody"),
    ],
)  # fmt: skip
def test_a_call_from_a_browser_dials_the_person_only_for_an_open_callback_of_hers(
    identity: str, status: str, number: str | None, placed: bool, said: str
) -> None:
    decided = browser_callback(LOT, identity=identity, task_status=status, person_number=number)
    assert decided.placed is placed
    assert said in decided.reply.reasons[0].text
    dials = [a for a in decided.reply.actions if isinstance(a, Connect)]
    assert dials == ([Connect(number=number or "", caller_id=LOT.number, timeout_s=40)]
                     if placed else [])  # fmt: skip
