"""What a mail address looks like, wherever one is typed or read (a manual request, a known
contact, a search, the department file): one rule."""

from __future__ import annotations

import re

# Anchored at both ends, the domain split at its dots: linear on whatever is typed
# (tests/test_regex_linear.py), where `[^@\s]+\.[^@\s]+` would try every dot.
_MAIL_ADDRESS = re.compile(r"\A[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+\Z")


def is_mail_address(text: str) -> bool:
    return _MAIL_ADDRESS.match(text) is not None
