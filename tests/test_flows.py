"""Department files: the shipped ones load, and every mistake is named by file and key."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from frontdoor.core.department import CallbackPolicy, PartnerLine, RingStrategy
from frontdoor.core.overflow import OverflowLine
from frontdoor.core.retention import RetentionPolicy
from frontdoor.core.roster import NobodyOnDuty, OverrideKind, WhenNobody, duty_gaps, on_duty
from frontdoor.department_file.load import (
    ConfigError,
    Problem,
    load_department,
    load_departments,
    load_prompts,
)
from tests.flows_text import VALID, write

ROOT = Path(__file__).resolve().parents[1]
PROMPTS_PATH = ROOT / "templates" / "voice" / "prompts.toml"
PARIS = ZoneInfo("Europe/Paris")

# The prompt keys frontdoor.core.menus and frontdoor.core.call_flow read.
CALL_FLOW_PROMPTS = {
    "greeting", "who_menu", "who_menu_professionals_only", "profession_menu",
    "not_understood", "public_not_allowed", "connecting", "nobody_available",
    "leave_message", "no_message", "message_thanks", "closed", "closed_no_reopening",
    "emergency", "whisper", "whisper_taken", "speech_who", "speech_profession",
    "speech_confirm_caller", "speech_confirm_search", "speech_use_keys",
}  # fmt: skip


def problems_of(path: Path) -> list[Problem]:
    with pytest.raises(ConfigError) as error:
        load_department(path, load_prompts(PROMPTS_PATH))
    return error.value.problems


def test_shipped_department_files_load() -> None:
    departments = load_departments(ROOT / "flows", PROMPTS_PATH)

    assert {d.slug: number for number, d in departments.items()} == {
        "dac46": "+33536490046",
        "dac57": "+33353010057",
    }
    lot, moselle = departments["+33536490046"], departments["+33353010057"]
    assert lot.public_allowed is True
    assert lot.ringing.strategy is RingStrategy.SEQUENTIAL
    assert lot.calendar.holidays_subdivision is None
    assert lot.calendar.timezone == PARIS
    (closure,) = lot.calendar.closures
    assert closure.starts.astimezone(UTC) == datetime(2026, 12, 24, 13, 0, tzinfo=UTC)
    assert closure.ends.astimezone(UTC) == datetime(2026, 12, 26, 7, 30, tzinfo=UTC)
    assert [r.id for r in lot.referents.values()] == [
        "amartin", "bleroy", "cdurand", "coordination",
    ]  # fmt: skip
    assert lot.roster.backup == ("coordination",)

    assert moselle.public_allowed is False
    assert moselle.ringing.strategy is RingStrategy.SIMULTANEOUS
    assert moselle.ringing.timeout_s == 25
    assert moselle.calendar.holidays_subdivision == "57"
    assert [(r.start, r.end) for r in moselle.calendar.weekly[0]] == [
        (time(9, 0), time(12, 30)),
        (time(13, 30), time(17, 0)),
    ]
    # Its own prompt overrides the default; the others come from templates/.
    assert moselle.prompts["public_not_allowed"].startswith("Ce numéro est réservé")
    assert moselle.prompts["public_not_allowed"] != lot.prompts["public_not_allowed"]
    assert moselle.prompts["greeting"] == lot.prompts["greeting"]


def test_shipped_moselle_roster_leaves_wednesday_afternoon_uncovered() -> None:
    moselle = load_departments(ROOT / "flows", PROMPTS_PATH)["+33353010057"]
    monday = datetime(2026, 6, 1, tzinfo=PARIS)

    gaps = duty_gaps(moselle.calendar, moselle.roster, monday, monday.replace(day=6))

    assert [(g.starts, g.ends) for g in gaps] == [
        (datetime(2026, 6, 3, 13, 30, tzinfo=PARIS), datetime(2026, 6, 3, 17, 0, tzinfo=PARIS))
    ]


def test_shipped_prompts_cover_the_call_flow() -> None:
    assert set(load_prompts(PROMPTS_PATH)) >= CALL_FLOW_PROMPTS


def test_valid_file_loads(tmp_path: Path) -> None:
    department = load_department(write(tmp_path, "dac99.toml", VALID), {"greeting": "Bonjour"})

    assert department.slug == "dac99"
    assert department.number == "+33536490099"


@pytest.mark.parametrize(
    ("old", "new", "key", "message"),
    [
        pytest.param('timezone = "Europe/Paris"', 'timezon = "Europe/Paris"',
                     "department.timezon", "unknown key", id="typo-in-department-key"),
        pytest.param("[ringing]", "[ringin]", "ringin", "unknown key", id="typo-in-table-name"),
        pytest.param('referents = ["amartin"]', 'referent = ["amartin"]',
                     "roster.shifts[0].referent", "unknown key", id="typo-in-shift-key"),
        pytest.param('phone = "+33612000001"', 'phone = "+33612000001"\nmail = "a@b.fr"',
                     "referents[0].mail", "unknown key", id="unknown-referent-key"),
        pytest.param('to = "2026-12-26 08:30"', 'to = "2026-12-26 08:30", why = "x"',
                     "hours.closures[0].why", "unknown key", id="unknown-closure-key"),
        pytest.param('weekly = ["mon-fri 08:30-18:30"]', 'weekly = ["mon-fri 18:30-08:30"]',
                     "hours.weekly[0]", "'18:30-08:30'", id="time-range-backwards"),
        pytest.param('weekly = ["mon-fri 08:30-18:30"]', 'weekly = ["mon-fri 8h30-18h30"]',
                     "hours.weekly[0]", "expected a range", id="time-range-not-hh:mm"),
        pytest.param('weekly = ["mon-fri 08:30-18:30"]', 'weekly = ["mon-fri 08:30-24:00"]',
                     "hours.weekly[0]", "within one day", id="time-range-past-midnight"),
        pytest.param('weekly = ["mon-fri 08:30-18:30"]', 'weekly = ["lun-ven 08:30-18:30"]',
                     "hours.weekly[0]", "expected days", id="days-in-french"),
        pytest.param('hours = "08:30-18:30"', 'hours = "08:30-18:70"',
                     "roster.shifts[0].hours", "expected a range", id="shift-bad-minutes"),
        pytest.param('timezone = "Europe/Paris"', 'timezone = "Europe/Pariss"',
                     "department.timezone", "not an IANA time zone", id="bad-timezone"),
        pytest.param('timezone = "Europe/Paris"', 'timezone = "UTC+1"',
                     "department.timezone", "not an IANA time zone", id="offset-not-a-zone"),
        pytest.param('number = "+33536490099"', 'number = "+3353649"',
                     "department.number", "not a valid phone number", id="bad-number"),
        pytest.param('phone = "+33612000001"', 'phone = "06 12"',
                     "referents[0].phone", "not a valid phone number", id="bad-referent-phone"),
        pytest.param('referents = ["amartin"]', 'referents = ["amartin", "zorro"]',
                     "roster.shifts[0].referents", "'zorro' is not one of the [[referents]]",
                     id="shift-referent-not-defined"),
        pytest.param("backup = []", 'backup = ["zorro"]',
                     "roster.backup", "'zorro' is not one of the [[referents]]",
                     id="backup-referent-not-defined"),
        pytest.param('holidays = "FR"', 'holidays = "DE"',
                     "department.holidays", "'DE'", id="holidays-other-country"),
        pytest.param('holidays = "FR"', 'holidays = "FR-99"',
                     "department.holidays", "unknown French département '99'",
                     id="holidays-unknown-departement"),
        pytest.param('to = "2026-12-26 08:30"', 'to = "2026-12-23 08:30"',
                     "hours.closures[0]", "'to' must come after 'from'",
                     id="closure-to-before-from"),
        pytest.param('to = "2026-12-26 08:30"', 'to = "2026-12-24 14:00"',
                     "hours.closures[0]", "'to' must come after 'from'",
                     id="closure-empty"),
        pytest.param('to = "2026-12-26 08:30"', 'to = "le 26 décembre"',
                     "hours.closures[0].to", "expected a local date and time",
                     id="closure-not-a-date"),
        pytest.param('strategy = "sequential"', 'strategy = "random"',
                     "ringing.strategy", "expected 'simultaneous' or 'sequential'",
                     id="unknown-ring-strategy"),
        pytest.param('slug = "dac99"', 'slug = "DAC 99"',
                     "department.slug", "lowercase", id="bad-slug"),
        pytest.param('holidays = "FR"', 'holidays = "FR"\nterritory = ["46", "99"]',
                     "department.territory", "'99': not a French département",
                     id="territory-unknown-departement"),
        pytest.param('holidays = "FR"', 'holidays = "FR"\nterritory = "46"',
                     "department.territory", "expected a list", id="territory-not-a-list"),
        pytest.param("[hours]", "[retention]\nrecordings = 365\n\n[hours]",
                     "retention.recordings", "expected a number of days between 1 and 180",
                     id="voicemails-kept-too-long"),
        pytest.param("[hours]", "[retention]\nmessages = 10\n\n[hours]",
                     "retention.messages", "expected a number of days between 30 and 3650",
                     id="messages-kept-too-short"),
        pytest.param("[hours]", "[retention]\nperson_file = 700\n\n[hours]",
                     "retention.person_file", "unknown key", id="retention-class-typo"),
        pytest.param('holidays = "FR"', 'holidays = "FR"\nretention_days = 10',
                     "department.retention_days", "expected a number of days between 30 and",
                     id="former-retention-too-short"),
    ],
)  # fmt: skip
def test_problem_names_file_key_and_message(
    tmp_path: Path, old: str, new: str, key: str, message: str
) -> None:
    assert old in VALID
    problems = problems_of(write(tmp_path, "dac99.toml", VALID.replace(old, new, 1)))

    matching = [p for p in problems if p.key == key]
    assert matching, [str(p) for p in problems]
    assert all(p.file == "dac99.toml" for p in problems)
    assert any(message in p.message for p in matching), [str(p) for p in matching]


def test_retention_is_set_per_class_and_the_former_key_is_every_classs_default(
    tmp_path: Path,
) -> None:
    text = VALID.replace('holidays = "FR"', 'holidays = "FR"\nretention_days = 365').replace(
        "[hours]", "[retention]\nrecordings = 30\nperson_files = 1095\n\n[hours]"
    )

    department = load_department(write(tmp_path, "dac99.toml", text), {})

    assert department.retention == RetentionPolicy(
        recordings=30, call_metadata=365, messages=365, person_files=1095
    )
    assert load_department(write(tmp_path, "dac98.toml", VALID), {}).retention == RetentionPolicy()


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    text = (
        VALID.replace('timezone = "Europe/Paris"', 'timezone = "Mars/Olympus"')
        .replace('hours = "08:30-18:30"', 'hours = "18:30-08:30"')
        .replace('phone = "+33612000001"', 'phone = "123"')
    )

    with pytest.raises(ConfigError) as error:
        load_departments(write_dir(tmp_path, {"dac99.toml": text}), PROMPTS_PATH)

    assert [p.key for p in error.value.problems] == [
        "department.timezone",
        "referents[0].phone",
        "roster.shifts[0].hours",
    ]
    assert (
        str(error.value)
        .splitlines()[0]
        .startswith("dac99.toml: department.timezone: 'Mars/Olympus'")
    )


def write_dir(tmp_path: Path, files: dict[str, str]) -> Path:
    flows = tmp_path / "flows"
    flows.mkdir()
    for name, text in files.items():
        write(flows, name, text)
    return flows


def test_duplicate_number_across_files(tmp_path: Path) -> None:
    other = VALID.replace('slug = "dac99"', 'slug = "dac98"')
    flows = write_dir(tmp_path, {"dac98.toml": other, "dac99.toml": VALID})

    with pytest.raises(ConfigError) as error:
        load_departments(flows, PROMPTS_PATH)

    assert error.value.problems == [
        Problem(
            file="dac99.toml",
            key="department.number",
            message="+33536490099 is already dac98's number",
        )
    ]


def test_duplicate_slug_across_files(tmp_path: Path) -> None:
    other = VALID.replace('number = "+33536490099"', 'number = "+33536490098"')
    flows = write_dir(tmp_path, {"a.toml": other, "b.toml": VALID})

    with pytest.raises(ConfigError) as error:
        load_departments(flows, PROMPTS_PATH)

    assert [(p.file, p.key) for p in error.value.problems] == [("b.toml", "department.slug")]


def test_unknown_prompt_override(tmp_path: Path) -> None:
    text = VALID + '\n[prompts]\ngreting = "Salut"\n'
    problems = problems_of(write(tmp_path, "dac99.toml", text))

    assert [(p.key, p.message.split(" (")[0]) for p in problems] == [
        ("prompts.greting", "unknown prompt")
    ]


def test_a_retired_prompt_override_is_read_and_the_operator_told_to_remove_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An upgrade does not stop a line over a prompt nobody hears any more."""
    text = VALID + '\n[prompts]\ndirectory_sms_failed = "L\'envoi a échoué."\n'

    department = load_department(write(tmp_path, "dac99.toml", text), load_prompts(PROMPTS_PATH))

    assert "directory_sms_failed" not in department.prompts
    [warning] = [r.getMessage() for r in caplog.records if "no longer used" in r.getMessage()]
    assert warning.startswith("dac99.toml: prompts.directory_sms_failed is no longer used (")


def test_unreadable_toml(tmp_path: Path) -> None:
    problems = problems_of(write(tmp_path, "dac99.toml", VALID + "\n[department\n"))

    assert [(p.file, p.key) for p in problems] == [("dac99.toml", "-")]
    assert problems[0].message.startswith("unreadable")


def test_empty_flows_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no department file"):
        load_departments(write_dir(tmp_path, {}), PROMPTS_PATH)


def test_a_missing_or_mistyped_value_is_reported_once(tmp_path: Path) -> None:
    text = (
        VALID.replace('number = "+33536490099"\n', "")
        .replace('holidays = "FR"', "holidays = 57")
        .replace('phone = "+33612000001"\n', "")
        .replace('days = "mon-fri"\n', "")
    )

    problems = problems_of(write(tmp_path, "dac99.toml", text))

    assert [(p.key, p.message) for p in problems] == [
        ("department.number", "missing"),
        ("department.holidays", "expected non-empty text"),
        ("referents[0].phone", "missing"),
        ("roster.shifts[0].days", "missing"),
    ]


# The rota, override and callback keys, appended to VALID.
ROTA = """
[[referents]]
id = "bleroy"
name = "Bruno Leroy"
phone = "+33612000002"

[[roster.rotations]]
days = "sat"
hours = "09:00-12:00"
anchor = 2026-01-03
weeks = [["amartin"], ["bleroy"]]

[[roster.overrides]]
from = "2026-06-15 08:30"
to = "2026-06-15 18:30"
kind = "replace"
referent = "bleroy"
instead_of = "amartin"
reason = "échange avec amartin"

[callbacks]
deadline = "4h"
escalate_to = "amartin"
"""
VALID_ROTA = VALID.replace("backup = []", 'backup = []\nwhen_nobody = "message"') + ROTA


def test_shipped_lot_rota_rotates_afternoons_and_applies_its_overrides() -> None:
    lot = load_departments(ROOT / "flows", PROMPTS_PATH)["+33536490046"]

    def duty(*args: int) -> tuple[str, ...]:
        return on_duty(datetime(*args, tzinfo=PARIS), lot.roster, PARIS).referent_ids  # type: ignore[misc]

    assert duty(2026, 5, 11, 15, 0) == ("cdurand", "bleroy")  # 18 weeks after the anchor: week 1
    assert duty(2026, 5, 18, 15, 0) == ("cdurand", "amartin")
    assert duty(2026, 6, 15, 10, 0) == ("amartin",)  # bleroy in training
    assert duty(2026, 7, 7, 10, 0) == ("cdurand", "bleroy")  # cdurand instead of amartin
    assert lot.roster.when_nobody == NobodyOnDuty(action=WhenNobody.BACKUP)
    assert lot.callbacks == CallbackPolicy(
        deadline=timedelta(hours=4),
        escalate_to_referents=("coordination",),
        escalate_to_addresses=("coordination@dac46.mssante.fr",),
        missed_call_sms=True,
    )


def test_shipped_moselle_callbacks_go_to_an_address_and_nobody_means_a_message() -> None:
    moselle = load_departments(ROOT / "flows", PROMPTS_PATH)["+33353010057"]

    assert moselle.roster.when_nobody == NobodyOnDuty(action=WhenNobody.MESSAGE)
    assert moselle.callbacks == CallbackPolicy(
        deadline=timedelta(hours=3, minutes=30),
        escalate_to_addresses=("coordination@dac57.mssante.fr",),
    )


def test_rota_overrides_and_callbacks_load(tmp_path: Path) -> None:
    department = load_department(write(tmp_path, "dac99.toml", VALID_ROTA), {})

    (rotation,) = department.roster.rotations
    assert (rotation.weekdays, rotation.anchor, rotation.weeks) == (
        frozenset({5}), date(2026, 1, 3), (("amartin",), ("bleroy",)),
    )  # fmt: skip
    (override,) = department.roster.overrides
    assert (override.kind, override.referent_id, override.instead_of, override.reason) == (
        OverrideKind.REPLACE, "bleroy", "amartin", "échange avec amartin",
    )  # fmt: skip
    assert override.starts.astimezone(UTC) == datetime(2026, 6, 15, 6, 30, tzinfo=UTC)
    assert department.roster.when_nobody.action is WhenNobody.MESSAGE
    assert department.callbacks.escalate_to_referents == ("amartin",)


@pytest.mark.parametrize(
    ("text", "when_nobody"),
    [
        pytest.param(VALID, NobodyOnDuty(action=WhenNobody.MESSAGE),
                     id="default-without-backup-is-a-message"),
        pytest.param(VALID.replace("backup = []", 'backup = ["amartin"]'),
                     NobodyOnDuty(action=WhenNobody.BACKUP), id="default-with-backup-is-backup"),
        pytest.param(VALID.replace("backup = []", 'backup = []\nwhen_nobody = "03 83 00 00 54"'),
                     NobodyOnDuty(action=WhenNobody.FORWARD, forward_to="+33383000054"),
                     id="neighbouring-dac-number"),
    ],
)  # fmt: skip
def test_when_nobody(tmp_path: Path, text: str, when_nobody: NobodyOnDuty) -> None:
    department = load_department(write(tmp_path, "dac99.toml", text), {})

    assert department.roster.when_nobody == when_nobody
    assert department.callbacks == CallbackPolicy()


@pytest.mark.parametrize(
    ("old", "new", "key", "message"),
    [
        pytest.param('hours = "09:00-12:00"', 'hour = "09:00-12:00"',
                     "roster.rotations[0].hour", "unknown key", id="typo-in-rotation-key"),
        pytest.param("anchor = 2026-01-03", 'anchor = "le 3 janvier"',
                     "roster.rotations[0].anchor", "expected a date", id="anchor-not-a-date"),
        pytest.param("anchor = 2026-01-03", "anchor = 2026-01-03T09:00:00",
                     "roster.rotations[0].anchor", "expected a date", id="anchor-with-a-time"),
        pytest.param('weeks = [["amartin"], ["bleroy"]]', "weeks = []",
                     "roster.rotations[0].weeks", "expected a list of weeks", id="no-weeks"),
        pytest.param('weeks = [["amartin"], ["bleroy"]]', 'weeks = ["amartin", "bleroy"]',
                     "roster.rotations[0].weeks", "expected a list of weeks",
                     id="weeks-not-nested"),
        pytest.param('weeks = [["amartin"], ["bleroy"]]', 'weeks = [["amartin"], ["zorro"]]',
                     "roster.rotations[0].weeks[1]", "'zorro' is not one of the [[referents]]",
                     id="rotation-referent-not-defined"),
        pytest.param('kind = "replace"', 'kind = "swap"',
                     "roster.overrides[0].kind", "expected 'replace', 'add' or 'remove'",
                     id="unknown-override-kind"),
        pytest.param('instead_of = "amartin"\n', "",
                     "roster.overrides[0].instead_of", "missing", id="replace-without-instead-of"),
        pytest.param('kind = "replace"', 'kind = "add"',
                     "roster.overrides[0].instead_of", "only a 'replace' override",
                     id="add-with-instead-of"),
        pytest.param('instead_of = "amartin"', 'instead_of = "bleroy"',
                     "roster.overrides[0].instead_of", "cannot replace themselves",
                     id="replace-by-oneself"),
        pytest.param('referent = "bleroy"', 'referent = "zorro"',
                     "roster.overrides[0].referent", "'zorro' is not one of the [[referents]]",
                     id="override-referent-not-defined"),
        pytest.param('to = "2026-06-15 18:30"', 'to = "2026-06-15 08:00"',
                     "roster.overrides[0]", "'to' must come after 'from'",
                     id="override-ends-before-it-starts"),
        pytest.param('from = "2026-06-15 08:30"', 'from = "2026-06-15T08:30+02:00"',
                     "roster.overrides[0].from", "without an offset", id="override-with-offset"),
        pytest.param('kind = "replace"', 'kind = "replace"\nwhy = "x"',
                     "roster.overrides[0].why", "unknown key", id="unknown-override-key"),
        pytest.param('when_nobody = "message"', 'when_nobody = "voicemail"',
                     "roster.when_nobody", "expected 'backup', 'message' or a number",
                     id="when-nobody-unknown"),
        pytest.param('when_nobody = "message"', 'when_nobody = "backup"',
                     "roster.when_nobody", "needs a backup list", id="backup-without-a-list"),
        pytest.param('when_nobody = "message"', 'when_nobody = "+3338300"',
                     "roster.when_nobody", "not a valid phone number", id="forward-bad-number"),
        pytest.param('when_nobody = "message"', 'when_nobody = "+33536490099"',
                     "roster.when_nobody", "own number: calls would loop",
                     id="forward-to-itself"),
        pytest.param('deadline = "4h"', 'deadline = "4 heures"',
                     "callbacks.deadline", "expected opening hours", id="deadline-in-words"),
        pytest.param('deadline = "4h"', 'deadline = "100h"',
                     "callbacks.deadline", "between 15 min and 72 h", id="deadline-too-long"),
        pytest.param('deadline = "4h"', "deadline = 4",
                     "callbacks.deadline", "expected non-empty text", id="deadline-a-number"),
        pytest.param('escalate_to = "amartin"', 'escalate_to = "zorro"',
                     "callbacks.escalate_to", "referent id of [[referents]] or a mail address",
                     id="escalate-to-unknown"),
        pytest.param('escalate_to = "amartin"', 'escalate_to = ["amartin", "zorro"]',
                     "callbacks.escalate_to", "'zorro': expected a referent id",
                     id="escalate-to-unknown-in-a-list"),
        pytest.param('escalate_to = "amartin"', "escalate_to = []",
                     "callbacks.escalate_to", "or a list of them", id="escalate-to-empty-list"),
        pytest.param('escalate_to = "amartin"', 'escalate_to = "amartin"\nescalade = "x"',
                     "callbacks.escalade", "unknown key", id="typo-in-callbacks-key"),
    ],
)  # fmt: skip
def test_rota_and_callback_problems_name_file_key_and_message(
    tmp_path: Path, old: str, new: str, key: str, message: str
) -> None:
    assert old in VALID_ROTA
    problems = problems_of(write(tmp_path, "dac99.toml", VALID_ROTA.replace(old, new, 1)))

    matching = [p for p in problems if p.key == key]
    assert matching, [str(p) for p in problems]
    assert all(p.file == "dac99.toml" for p in problems)
    assert any(message in p.message for p in matching), [str(p) for p in matching]


@pytest.mark.parametrize(
    ("deadline", "budget"),
    [
        pytest.param("4h", timedelta(hours=4), id="hours"),
        pytest.param("1h30", timedelta(hours=1, minutes=30), id="hours-minutes"),
        pytest.param("2 h 15", timedelta(hours=2, minutes=15), id="spaced"),
        pytest.param("45min", timedelta(minutes=45), id="minutes"),
    ],
)
def test_callback_deadline_is_written_in_hours_and_minutes(
    tmp_path: Path, deadline: str, budget: timedelta
) -> None:
    text = VALID_ROTA.replace('deadline = "4h"', f'deadline = "{deadline}"')

    assert load_department(write(tmp_path, "dac99.toml", text), {}).callbacks.deadline == budget


def test_an_escalation_address_is_accepted(tmp_path: Path) -> None:
    text = VALID_ROTA.replace('escalate_to = "amartin"', 'escalate_to = "coord@dac99.mssante.fr"')

    callbacks = load_department(write(tmp_path, "dac99.toml", text), {}).callbacks

    assert (callbacks.escalate_to_referents, callbacks.escalate_to_addresses) == (
        (), ("coord@dac99.mssante.fr",),
    )  # fmt: skip


def test_overdue_callbacks_can_go_to_a_referent_and_an_address_at_once(tmp_path: Path) -> None:
    text = VALID_ROTA.replace(
        'escalate_to = "amartin"', 'escalate_to = ["amartin", "coord@dac99.mssante.fr", "amartin"]'
    )

    callbacks = load_department(write(tmp_path, "dac99.toml", text), {}).callbacks

    assert (callbacks.escalate_to_referents, callbacks.escalate_to_addresses) == (
        ("amartin",), ("coord@dac99.mssante.fr",),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("lines", "territory"),
    [
        pytest.param('holidays = "FR-46"', {"46"}, id="the-holidays-departement"),
        pytest.param('holidays = "FR-971"', {"971"}, id="overseas"),
        pytest.param('holidays = "FR"', set(), id="mainland-without-a-departement"),
        pytest.param('holidays = "FR-59"\nterritory = ["59", "2a"]', {"59", "2A"}, id="listed"),
    ],
)
def test_the_territory_is_listed_or_else_the_holidays_departement(
    tmp_path: Path, lines: str, territory: set[str]
) -> None:
    text = VALID.replace('holidays = "FR"', lines)

    assert load_department(write(tmp_path, "dac99.toml", text), {}).territory == territory


def test_the_shipped_departments_hold_their_own_territory() -> None:
    departments = load_departments(ROOT / "flows", PROMPTS_PATH)

    assert {d.slug: d.territory for d in departments.values()} == {
        "dac46": {"46"},
        "dac57": {"57"},
    }


@pytest.mark.parametrize(
    ("holidays", "line", "says"),
    [
        pytest.param("FR-46", "", True, id="metropolitan-default-names-it"),
        pytest.param("FR-974", "", False, id="overseas-default-does-not"),
        pytest.param(
            "FR-974", "medical_advice_116117 = true", True, id="overseas-where-it-answers"
        ),
        pytest.param("FR-46", "medical_advice_116117 = false", False, id="region-without-it"),
    ],
)
def test_116_117_is_named_by_default_in_metropolitan_france_only(
    tmp_path: Path, holidays: str, line: str, says: bool
) -> None:
    text = VALID.replace('holidays = "FR"', f'holidays = "{holidays}"\n{line}')

    department = load_department(write(tmp_path, "dac99.toml", text), {"greeting": "Bonjour"})

    assert department.medical_advice_116117 is says


def test_a_reunion_file_reads_its_numbers_in_la_reunion(tmp_path: Path) -> None:
    text = (
        VALID.replace('holidays = "FR"', 'holidays = "FR-974"')
        .replace('number = "+33536490099"', 'number = "0262 90 19 74"')
        .replace('phone = "+33612000001"', 'phone = "0692 00 00 01"')
    )

    department = load_department(write(tmp_path, "dac99.toml", text), {"greeting": "Bonjour"})

    assert (department.number, department.phone_region) == ("+262262901974", "RE")
    assert department.referents["amartin"].phone == "+262692000001"


OVERFLOW = '[overflow]\nto = "03 83 00 00 54"\nlabel = "le DAC de Meurthe-et-Moselle"\n'


@pytest.mark.parametrize(
    ("table", "line"),
    [
        pytest.param("", None, id="none-without-the-table"),
        pytest.param(OVERFLOW, OverflowLine(number="+33383000054",
                                            label="le DAC de Meurthe-et-Moselle"),
                     id="when-nobody-accepts-by-default"),
        pytest.param(OVERFLOW + "when_nobody_accepts = false\nwhen_waiting = 0\n",
                     OverflowLine(number="+33383000054", label="le DAC de Meurthe-et-Moselle",
                                  when_nobody_accepts=False, when_waiting=0),
                     id="only-when-everyone-is-busy"),
        pytest.param(OVERFLOW + "when_wait_over = true\n",
                     OverflowLine(number="+33383000054", label="le DAC de Meurthe-et-Moselle",
                                  when_wait_over=True),
                     id="also-after-the-longest-wait"),
    ],
)  # fmt: skip
def test_an_overflow_line(tmp_path: Path, table: str, line: OverflowLine | None) -> None:
    text = VALID.replace("[hours]", f"{table}\n[hours]", 1)
    assert load_department(write(tmp_path, "dac99.toml", text), {}).overflow == line


@pytest.mark.parametrize(
    ("table", "key", "message"),
    [
        pytest.param('[overflow]\nlabel = "le DAC du Cantal"\n', "overflow.to", "missing",
                     id="no-number"),
        pytest.param('[overflow]\nto = "le Cantal"\nlabel = "le DAC du Cantal"\n', "overflow.to",
                     "not a valid phone number", id="not-a-number"),
        pytest.param('[overflow]\nto = "+33536490099"\nlabel = "nous"\n', "overflow.to",
                     "calls would loop", id="its-own-number"),
        pytest.param('[overflow]\nto = "+33471000015"\n', "overflow.label", "missing",
                     id="no-label"),
        pytest.param(OVERFLOW + "when_waiting = 99\n", "overflow.when_waiting",
                     "between 0 and 50", id="queue-too-long"),
        pytest.param(OVERFLOW + "when = 3\n", "overflow.when", "unknown key", id="typo"),
    ],
)  # fmt: skip
def test_an_overflow_line_with_a_problem(
    tmp_path: Path, table: str, key: str, message: str
) -> None:
    text = VALID.replace("[hours]", f"{table}\n[hours]", 1)
    problems = problems_of(write(tmp_path, "dac99.toml", text))
    assert any(p.key == key and message in p.message for p in problems), [str(p) for p in problems]


HOSPITAL = '[[transfer]]\nto = "05 65 20 00 46"\nlabel = "le service social de l\'hôpital"\n'


def test_partner_lines_a_call_can_be_transferred_to(tmp_path: Path) -> None:
    had = '[[transfer]]\nto = "+33565300046"\nlabel = "l\'HAD du Lot"\n'
    text = VALID.replace("[hours]", f"{HOSPITAL}{had}\n[hours]", 1)

    department = load_department(write(tmp_path, "dac99.toml", text), {})

    assert department.partner_lines == (
        PartnerLine(number="+33565200046", label="le service social de l'hôpital"),
        PartnerLine(number="+33565300046", label="l'HAD du Lot"),
    )


@pytest.mark.parametrize(
    ("table", "key", "message"),
    [
        pytest.param('[[transfer]]\nlabel = "l\'HAD"\n', "transfer[0].to", "missing",
                     id="no-number"),
        pytest.param('[[transfer]]\nto = "+33536490099"\nlabel = "nous"\n', "transfer[0].to",
                     "own number", id="its-own-number"),
        pytest.param('[[transfer]]\nto = "+33565300046"\n', "transfer[0].label", "missing",
                     id="no-label"),
        pytest.param(HOSPITAL + "when = 3\n", "transfer[0].when", "unknown key", id="typo"),
    ],
)  # fmt: skip
def test_a_partner_line_with_a_problem(tmp_path: Path, table: str, key: str, message: str) -> None:
    text = VALID.replace("[hours]", f"{table}\n[hours]", 1)
    problems = problems_of(write(tmp_path, "dac99.toml", text))
    assert any(p.key == key and message in p.message for p in problems), [str(p) for p in problems]
