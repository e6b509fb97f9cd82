"""The SMS channel's pure decisions: segments, carrier keywords, what an incoming SMS gets."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from frontdoor.core.calendar import opening_at
from frontdoor.core.department import Department
from frontdoor.core.sms import (
    Encoding,
    JournaledSms,
    Keyword,
    SmsAction,
    as_already_answered,
    inbound,
    keyword_of,
    notification,
    opted_out_after,
    remembered,
    segments,
)
from frontdoor.core.texts import SMS
from frontdoor.departments import Departments
from frontdoor.sms.texts import load_texts
from tests.conftest import ROOT
from tests.web.calls import PARIS, TUESDAY_MORNING

TEXTS = load_texts(ROOT / "templates" / "sms" / "texts.toml")
FRIDAY_EVENING = datetime(2026, 5, 15, 19, 5, tzinfo=PARIS)
# Wednesday afternoon in Moselle: open, nobody on duty, no backup list.
MOSELLE_WEDNESDAY = datetime(2026, 5, 13, 15, 0, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("text", "encoding", "count", "characters"),
    [
        pytest.param("", Encoding.GSM7, 1, 0, id="empty-still-one"),
        pytest.param("a" * 160, Encoding.GSM7, 1, 160, id="gsm-160-one"),
        pytest.param("a" * 161, Encoding.GSM7, 2, 161, id="gsm-161-two"),
        pytest.param("a" * 306, Encoding.GSM7, 2, 306, id="gsm-306-two"),
        pytest.param("a" * 307, Encoding.GSM7, 3, 307, id="gsm-307-three"),
        pytest.param("€" * 80, Encoding.GSM7, 1, 160, id="extension-counts-two"),
        pytest.param("a" * 159 + "[", Encoding.GSM7, 2, 161, id="extension-tips-over"),
        pytest.param("{}[]~|^\\€", Encoding.GSM7, 1, 18, id="extension-table"),
        pytest.param("été à l'hôpital", Encoding.UCS2, 1, 15, id="o-circumflex-ucs2"),
        pytest.param("é è à ù É" + "a" * 151, Encoding.GSM7, 1, 160, id="accents-in-gsm"),
        pytest.param("Ça va", Encoding.GSM7, 1, 5, id="capital-c-cedilla-gsm"),
        pytest.param("reçu", Encoding.UCS2, 1, 4, id="small-c-cedilla-ucs2"),
        pytest.param("prêt", Encoding.UCS2, 1, 4, id="e-circumflex-ucs2"),
        pytest.param("ê" * 70, Encoding.UCS2, 1, 70, id="ucs2-70-one"),
        pytest.param("ê" * 71, Encoding.UCS2, 2, 71, id="ucs2-71-two"),
        pytest.param("ê" * 134, Encoding.UCS2, 2, 134, id="ucs2-134-two"),
        pytest.param("ê" * 135, Encoding.UCS2, 3, 135, id="ucs2-135-three"),
        pytest.param("👍" * 35, Encoding.UCS2, 1, 70, id="emoji-two-units"),
        pytest.param("👍" * 35 + "a", Encoding.UCS2, 2, 71, id="emoji-tips-over"),
        pytest.param("l’aide", Encoding.UCS2, 1, 6, id="typographic-apostrophe"),
    ],
)
def test_segments(text: str, encoding: Encoding, count: int, characters: int) -> None:
    result = segments(text)
    assert (result.encoding, result.count, result.characters) == (encoding, count, characters)


@pytest.mark.parametrize(
    ("text", "keyword"),
    [
        ("STOP", Keyword.OPT_OUT),
        ("stop", Keyword.OPT_OUT),
        (" Stop. ", Keyword.OPT_OUT),
        ("STOP SMS", Keyword.OPT_OUT),
        ("Stop all", Keyword.OPT_OUT),
        ("ARRET", Keyword.OPT_OUT),
        ("arrêt", Keyword.OPT_OUT),
        ("Arrête", Keyword.OPT_OUT),
        ("UNSUBSCRIBE", Keyword.OPT_OUT),
        ("opt-out", Keyword.OPT_OUT),
        ("désinscrire", Keyword.OPT_OUT),
        ("START", Keyword.OPT_IN),
        ("unstop", Keyword.OPT_IN),
        ("Yes", Keyword.OPT_IN),
        ("HELP", Keyword.HELP),
        ("aide", Keyword.HELP),
        ("Info", Keyword.HELP),
        ("STOP merci", None),
        ("merci de stopper les visites", None),
        ("Rappelez-moi pour Mme X", None),
        ("aide à domicile", None),
        ("", None),
    ],
    ids=lambda value: repr(value) if isinstance(value, str) else str(value),
)
def test_keywords(text: str, keyword: Keyword | None) -> None:
    assert keyword_of(text) is keyword


def decide(
    department: Department,
    at: datetime,
    text: str = "Rappelez-moi pour Mme X",
    *,
    opted_out: bool = False,
    open_request: bool = False,
    last_ack: timedelta | None = None,
    last_notice: timedelta | None = None,
    withheld: bool = False,
    may_reply: bool = True,
) -> tuple[SmsAction, str | None, tuple[str, ...], bool, list[str]]:
    reply = inbound(
        department,
        at=at,
        opening=opening_at(at, department.calendar),
        text=text,
        opted_out=opted_out,
        open_request=open_request,
        texts=TEXTS,
        last_acknowledged_at=at - last_ack if last_ack is not None else None,
        last_notified_at=at - last_notice if last_notice is not None else None,
        withheld=withheld,
        may_reply=may_reply,
    )
    codes = [reason.code for reason in reply.reasons]
    return reply.action, reply.reply_kind, reply.notify, reply.callback_needed, codes


IN_HOURS, NEW, JOIN = TUESDAY_MORNING, SmsAction.NEW_REQUEST, SmsAction.JOIN_REQUEST
OUT, IN, HELP = SmsAction.OPT_OUT, SmsAction.OPT_IN, SmsAction.HELP
ACK, ON_DUTY, CLOSED = "acknowledgement", ("amartin", "bleroy"), FRIDAY_EVENING
OPEN_REQ: dict[str, object] = {"open_request": True}


@pytest.mark.parametrize(
    ("at", "text", "options", "expected"),
    [
        pytest.param(IN_HOURS, None, {}, (NEW, ACK, ON_DUTY, False), id="new-in-hours"),
        pytest.param(CLOSED, None, {}, (NEW, ACK, (), True), id="new-closed"),
        pytest.param(IN_HOURS, None, OPEN_REQ, (JOIN, ACK, ON_DUTY, False), id="join-no-ack-yet"),
        pytest.param(
            IN_HOURS,
            None,
            OPEN_REQ | {"last_ack": timedelta(minutes=20)},
            (JOIN, None, (), False),
            id="join-acked-20-min-ago",
        ),
        pytest.param(
            IN_HOURS,
            None,
            OPEN_REQ | {"last_ack": timedelta(hours=2)},
            (JOIN, ACK, ON_DUTY, False),
            id="join-acked-2-h-ago",
        ),
        pytest.param(
            CLOSED,
            None,
            OPEN_REQ | {"last_ack": timedelta(minutes=5)},
            (JOIN, None, (), True),
            id="join-closed-quiet",
        ),
        pytest.param(
            IN_HOURS,
            None,
            {"opted_out": True},
            (NEW, None, ON_DUTY, False),
            id="opted-out-not-acked",
        ),
        pytest.param(
            IN_HOURS,
            None,
            {"withheld": True},
            (NEW, None, ON_DUTY, False),
            id="no-number-not-acked",
        ),
        pytest.param(
            IN_HOURS,
            None,
            OPEN_REQ | {"withheld": True, "last_ack": timedelta(minutes=5)},
            (NEW, None, ON_DUTY, False),
            id="no-number-never-joins-the-open-request-of-its-name",
        ),
        pytest.param(IN_HOURS, "STOP", OPEN_REQ, (OUT, None, (), False), id="stop"),
        pytest.param(
            IN_HOURS, "ARRÊT", {"opted_out": True}, (OUT, None, (), False), id="stop-again"
        ),
        pytest.param(
            IN_HOURS,
            "START",
            {"opted_out": True},
            (IN, "opted-in", (), False),
            id="start-after-stop",
        ),
        pytest.param(IN_HOURS, "Yes", OPEN_REQ, (JOIN, ACK, ON_DUTY, False), id="yes-is-an-answer"),
        pytest.param(IN_HOURS, "AIDE", {}, (HELP, "help", (), False), id="help"),
        pytest.param(
            IN_HOURS, "HELP", {"opted_out": True}, (HELP, None, (), False), id="help-opted-out"
        ),
    ],
)
def test_inbound(
    lot: Department,
    at: datetime,
    text: str | None,
    options: dict[str, object],
    expected: tuple[SmsAction, str | None, tuple[str, ...], bool],
) -> None:
    options_: dict[str, Any] = options
    action, kind, notify, callback, _ = decide(lot, at, text or "Rappelez-moi", **options_)
    assert (action, kind, notify, callback) == expected


def test_nobody_on_duty_and_no_backup_needs_a_callback(departments: Departments) -> None:
    moselle = departments.for_slug("dac57")
    assert moselle is not None
    *_, notify, callback, codes = decide(moselle, MOSELLE_WEDNESDAY)
    assert (notify, callback) == ((), True)
    assert codes[-1] == "sms-callback"


def test_the_reasons_say_why(lot: Department) -> None:
    assert decide(lot, IN_HOURS)[-1] == [
        "sms-new-request", "weekly-hours", "sms-ack", "sms-notify-on-duty",
    ]  # fmt: skip
    assert decide(lot, FRIDAY_EVENING, open_request=True, last_ack=timedelta(minutes=5))[-1] == [
        "sms-join", "outside-hours", "sms-no-ack-recent", "sms-callback",
    ]  # fmt: skip


def test_acknowledgements_in_and_out_of_hours(lot: Department) -> None:
    def text(at: datetime) -> str:
        reply = inbound(
            lot, at=at, opening=opening_at(at, lot.calendar), text="Bonjour",
            opted_out=False, open_request=False, texts=TEXTS,
        )  # fmt: skip
        assert reply.reply is not None
        return reply.reply

    open_text, closed_text = text(IN_HOURS), text(FRIDAY_EVENING)
    assert open_text.startswith("DAC du Lot : votre SMS nous est bien parvenu.")
    assert "dès que possible" in open_text
    assert "à la réouverture, lundi 18 mai à 8 h 30." in closed_text
    assert all(number in closed_text for number in ("15", "112", "116 117"))
    # Both within GSM-7, so that they cost one or two SMS.
    assert segments(open_text).count == 1
    assert segments(closed_text).encoding is Encoding.GSM7
    assert segments(closed_text).count == 2


def test_the_notification_never_carries_the_content(lot: Department) -> None:
    text = notification(lot, request_id=12, texts=TEXTS)
    assert text == "DAC du Lot : nouveau SMS, demande n° 12. À traiter dans Frontdoor."
    assert segments(text).count == 1


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("help", "Écrivez-nous, $department.", None),
        ("helpp", "…", "unknown SMS text"),
        ("help", "  ", "expected non-empty text"),
        ("acknowledgement_open", "Rouvre $reopening", "unknown placeholder $reopening"),
        ("notification", "Demande ${request} de ${department}", None),
    ],
)
def test_department_overrides_are_checked(key: str, value: str, problem: str | None) -> None:
    found = SMS.problems(key, value)
    assert (found[0].split(" (")[0] if found else None) == problem


def test_the_shipped_texts_load(tmp_path: Path) -> None:
    assert set(TEXTS) >= {"acknowledgement_open", "acknowledgement_closed", "notification"}
    broken = tmp_path / "texts.toml"
    broken.write_text('help = "$department $nope"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="missing"):
        load_texts(broken)


@pytest.mark.parametrize(
    ("before", "texts", "after"),
    [
        pytest.param(False, [], False, id="nothing-sent-meanwhile"),
        pytest.param(True, [], True, id="stored-stop-holds"),
        pytest.param(False, ["STOP"], True, id="stop"),
        pytest.param(False, ["Arrêt"], True, id="arret-accented"),
        pytest.param(True, ["start"], False, id="start"),
        pytest.param(False, ["STOP", "Bonjour", "START"], False, id="stop-then-start"),
        pytest.param(False, ["START", "ARRET"], True, id="last-keyword-wins"),
        pytest.param(False, ["merci de stopper"], False, id="a-sentence-is-no-keyword"),
    ],
)
def test_opted_out_after_the_messages_of_an_outage(
    before: bool, texts: list[str], after: bool
) -> None:
    assert opted_out_after(before, texts) is after


def journaled(minutes_ago: int, text: str, *, answered: bool = True) -> JournaledSms:
    return JournaledSms(
        at=TUESDAY_MORNING - timedelta(minutes=minutes_ago),
        text=text,
        directory_question=text.startswith("SSIAD"),
        answered=answered,
    )


@pytest.mark.parametrize(
    ("earlier", "opted_out", "expected"),
    [
        pytest.param([], False, (False, False, None), id="nothing-journaled"),
        pytest.param(
            [journaled(30, "Bonjour"), journaled(10, "Et aussi", answered=False)], False,
            (False, True, 30), id="a-conversation-acknowledged-once",
        ),
        pytest.param(
            [journaled(20, "STOP", answered=False), journaled(5, "SSIAD 46100")], False,
            (True, False, None), id="keywords-and-directory-questions-are-no-conversation",
        ),
        pytest.param([journaled(5, "START")], True, (False, False, None), id="start-opts-back-in"),
        pytest.param(
            [journaled(73 * 60, "Bonjour")], False, (False, False, None),
            id="older-than-the-open-window",
        ),
    ],
)  # fmt: skip
def test_what_memory_and_the_journal_say_of_a_sender(
    earlier: list[JournaledSms], opted_out: bool, expected: tuple[bool, bool, int | None]
) -> None:
    memory = remembered(earlier, opted_out=opted_out, now=TUESDAY_MORNING)

    acknowledged_ago = (
        None
        if memory.last_acknowledged_at is None
        else (TUESDAY_MORNING - memory.last_acknowledged_at) // timedelta(minutes=1)
    )
    assert (memory.opted_out, memory.open_request, acknowledged_ago) == expected


@pytest.mark.parametrize(
    ("sent", "options", "kind", "last_reason"),
    [
        pytest.param(
            "ack", {"open_request": True, "last_ack": timedelta(minutes=5)},
            ACK, "sms-replied-unstored", id="store-knew-a-recent-ack",
        ),
        pytest.param(
            None, {}, None, "sms-unanswered-unstored", id="memory-knew-an-opt-out-the-store-forgot"
        ),
        pytest.param(None, {"opted_out": True}, None, None, id="the-same-reply-changes-nothing"),
    ],
)  # fmt: skip
def test_a_replayed_sms_is_filed_with_the_reply_its_sender_got(
    lot: Department,
    sent: str | None,
    options: dict[str, Any],
    kind: str | None,
    last_reason: str | None,
) -> None:
    last_ack = options.pop("last_ack", None)
    decision = inbound(
        lot,
        at=IN_HOURS,
        opening=opening_at(IN_HOURS, lot.calendar),
        text="Rappelez-moi",
        texts=TEXTS,
        last_acknowledged_at=IN_HOURS - last_ack if last_ack else None,
        **{"opted_out": False, "open_request": False, **options},
    )

    filed = as_already_answered(decision, sent=sent)

    assert (filed.reply, filed.reply_kind) == (sent, kind)
    assert (filed.action, filed.notify, filed.callback_needed) == (
        decision.action, decision.notify, decision.callback_needed,
    )  # fmt: skip
    if last_reason is None:
        assert filed == decision
    else:
        assert [r.code for r in filed.reasons] == [*(r.code for r in decision.reasons), last_reason]


def test_a_number_answered_too_much_gets_no_automatic_answer_and_is_still_filed_and_told(
    lot: Department,
) -> None:
    help_asked = decide(lot, IN_HOURS, "AIDE", may_reply=False)
    written = decide(lot, IN_HOURS, may_reply=False)

    assert help_asked == (SmsAction.HELP, None, (), False, ["sms-no-answer-flood"])
    assert written[:3] == (NEW, None, ("amartin", "bleroy"))
    assert "sms-no-answer-flood" in written[4]


@pytest.mark.parametrize(
    ("last_notice", "told"),
    [(timedelta(minutes=59), False), (timedelta(minutes=61), True)],
    ids=["within-the-hour", "an-hour-later"],
)
def test_the_referents_are_told_once_an_hour_of_a_conversation_never_acknowledged(
    lot: Department, last_notice: timedelta, told: bool
) -> None:
    _, reply_kind, notify, _, codes = decide(
        lot, IN_HOURS, opted_out=True, open_request=True, last_notice=last_notice
    )

    assert reply_kind is None
    assert bool(notify) is told
    assert ("sms-notified-recently" in codes) is not told
