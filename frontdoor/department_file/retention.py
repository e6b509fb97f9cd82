"""The `[retention]` table of a department file: how many days each class of data is kept
(core.retention.CLASS_RULES gives each its default and bounds).

    [retention]
    recordings = 60        # voicemails, from the call (1–180)
    call_metadata = 730    # numbers, addresses, callers' names, from the last contact
    messages = 730         # SMS, mails, attachments, notes, from the last contact
    person_files = 730     # the person's identity traits, from her last contact

`[department] retention_days`, the single duration of earlier files, still works: it is then
the default of every class, brought within each class's bounds (a voicemail is never kept
more than 180 days).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from frontdoor.core.retention import CLASS_RULES, RetentionPolicy
from frontdoor.department_file.reader import Reader

# The former single key's bounds.
_OLD_MIN, _OLD_MAX = 30, 3650


def retention(reader: Reader, head: Mapping[str, Any], data: Mapping[str, Any]) -> RetentionPolicy:
    defaults = RetentionPolicy()
    if "retention_days" in head:
        days = reader.seconds(head, "retention_days", "department.retention_days", 365,
                              lo=_OLD_MIN, hi=_OLD_MAX, unit="days")  # fmt: skip
        defaults = RetentionPolicy.all_at(days)
    table = reader.table(data, "retention", "retention")
    return RetentionPolicy(
        **{
            rule.data_class.value: reader.seconds(
                table,
                rule.data_class.value,
                f"retention.{rule.data_class.value}",
                defaults.days(rule.data_class),
                lo=rule.min_days,
                hi=rule.max_days,
                unit="days",
            )
            for rule in CLASS_RULES
        }
    )
