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
from frontdoor.department_file.keys import DEPARTMENT, RETENTION
from frontdoor.department_file.reader import Reader


def retention(reader: Reader, head: Mapping[str, Any], data: Mapping[str, Any]) -> RetentionPolicy:
    defaults = RetentionPolicy()
    if "retention_days" in head:
        defaults = RetentionPolicy.all_at(
            reader.declared_number(head, DEPARTMENT, "retention_days", default=365)
        )
    table = reader.table(data, "retention", "retention")
    return RetentionPolicy(
        **{
            rule.data_class.value: reader.declared_number(
                table, RETENTION, rule.data_class.value, default=defaults.days(rule.data_class)
            )
            for rule in CLASS_RULES
        }
    )
