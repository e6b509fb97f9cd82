"""Department files: the shipped ones load, and every mistake is named by file and key."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from frontdoor.core.department import RingStrategy
from frontdoor.core.roster import duty_gaps
from frontdoor.flows import (
    ConfigError,
    Problem,
    load_department,
    load_departments,
    load_prompts,
)

ROOT = Path(__file__).resolve().parents[1]
PROMPTS_PATH = ROOT / "templates" / "voice" / "prompts.toml"
PARIS = ZoneInfo("Europe/Paris")

# The prompt keys frontdoor.core.call_flow reads.
CALL_FLOW_PROMPTS = {
    "greeting", "who_menu", "who_menu_professionals_only", "profession_menu",
    "not_understood", "public_not_allowed", "connecting", "nobody_available",
    "leave_message", "no_message", "message_thanks", "closed", "closed_no_reopening",
    "emergency", "whisper", "whisper_taken",
}  # fmt: skip

VALID = """\
[department]
slug = "dac99"
name = "DAC test"
number = "+33536490099"
timezone = "Europe/Paris"
holidays = "FR"
public_allowed = true

[hours]
weekly = ["mon-fri 08:30-18:30"]
closures = [{ from = "2026-12-24 14:00", to = "2026-12-26 08:30" }]

[ringing]
strategy = "sequential"

[[referents]]
id = "amartin"
name = "Anne Martin"
phone = "+33612000001"

[roster]
backup = []

[[roster.shifts]]
days = "mon-fri"
hours = "08:30-18:30"
referents = ["amartin"]
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


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
