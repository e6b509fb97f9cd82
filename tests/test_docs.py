"""The README documents every setting, every webhook a Twilio number is pointed at, and every
scheduled job."""

from __future__ import annotations

from pathlib import Path

import pytest

from frontdoor.core.indicators import NATIONAL_INDICATORS
from frontdoor.jobs.registry import JOBS, jobs_table
from frontdoor.settings import Settings
from frontdoor.sms.webhooks import SMS_PATH
from frontdoor.voice.twiml import STATUS_PATH, VOICE_PATH

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def environment_names(name: str) -> list[str]:
    field = Settings.model_fields[name]
    alias = field.validation_alias
    if alias is not None:
        return [str(choice) for choice in alias.choices]  # type: ignore[union-attr]
    return [f"FRONTDOOR_{name.upper()}"]


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented(name: str) -> None:
    assert any(env in README for env in environment_names(name)), name


@pytest.mark.parametrize("path", [VOICE_PATH, STATUS_PATH, SMS_PATH])
def test_the_webhooks_to_configure_are_documented(path: str) -> None:
    assert path in README


@pytest.mark.parametrize("name", [job.name for job in JOBS])
def test_every_job_is_documented(name: str) -> None:
    assert f"| `{name}` |" in README, name


def test_the_jobs_table_is_up_to_date() -> None:
    table = jobs_table(JOBS)
    assert table in README, f"paste under '## Scheduled jobs' in README.md:\n{table}"


def test_the_readme_says_how_each_of_the_eight_national_indicators_is_computed() -> None:
    section = README.split("## Indicators and `frontdoor report`", 1)[1].split("\n## ", 1)[0]

    for number, (name, _) in enumerate(NATIONAL_INDICATORS, start=1):
        assert f"{number}. **{name}**" in section, name
