"""The README documents every setting, every key of a department file and every scheduled job
(tables written from their declarations), and every webhook a Twilio number is pointed at."""

from __future__ import annotations

from pathlib import Path

import pytest

from frontdoor.core.indicators import NATIONAL_INDICATORS
from frontdoor.core.referrers import referrers_table
from frontdoor.department_file.keys import department_file_table
from frontdoor.environment import settings_table, tool_variables_table
from frontdoor.sms.webhooks import SMS_PATH
from frontdoor.voice.twiml import STATUS_PATH, VOICE_PATH
from frontdoor.web.job_registry import JOBS, jobs_table

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_the_settings_table_is_up_to_date() -> None:
    table = settings_table()
    assert table in README, f"paste under '## Settings' in README.md:\n{table}"


def test_the_table_of_the_tools_variables_is_up_to_date() -> None:
    table = tool_variables_table()
    assert table in README, f"paste under '## Settings' in README.md:\n{table}"


def test_the_department_file_table_is_up_to_date() -> None:
    table = department_file_table()
    assert table in README, f"paste under '## Writing a department file' in README.md:\n{table}"


@pytest.mark.parametrize("path", [VOICE_PATH, STATUS_PATH, SMS_PATH])
def test_the_webhooks_to_configure_are_documented(path: str) -> None:
    assert path in README


@pytest.mark.parametrize("name", [job.name for job in JOBS])
def test_every_job_is_documented(name: str) -> None:
    assert f"| `{name}` |" in README, name


def test_the_jobs_table_is_up_to_date() -> None:
    table = jobs_table(JOBS)
    assert table in README, f"paste under '## Scheduled jobs' in README.md:\n{table}"


def test_the_referrer_types_table_is_up_to_date() -> None:
    table = referrers_table()
    assert table in README, f"paste under '## Indicators' in README.md:\n{table}"


def test_the_readme_says_how_each_of_the_eight_national_indicators_is_computed() -> None:
    section = README.split("## Indicators and `frontdoor report`", 1)[1].split("\n## ", 1)[0]

    for number, (name, _) in enumerate(NATIONAL_INDICATORS, start=1):
        assert f"{number}. **{name}**" in section, name
