"""Builds frontdoor/console/common_passwords.txt, the passwords a new password must not be.

    python scripts/common_passwords.py FRENCH_TOP5000 ZXCVBN_PASSWORDS > \
        frontdoor/console/common_passwords.txt

The sources, both public: Richelieu's 5,000 most common French passwords (tarraschk/richelieu,
french_passwords_top5000.txt, CC BY 4.0: passwords of ".fr" addresses in public leaks) and the
5,000 first of zxcvbn's password frequency list (dropbox/zxcvbn, data/passwords.txt, MIT: the
Xato ten-million corpus, one "password count" per line). Folded to lower case (the check
folds too), four characters or more (shorter ones are refused for their length anyway, and
as the stem of a longer password they would refuse too much), without duplicates, in the
order of the sources.
"""

from __future__ import annotations

import sys
from pathlib import Path

FROM_EACH = 5000
SHORTEST = 4
HEADER = (
    "# Common passwords (lower case), refused as a new console password, alone or with digits\n"
    "# and signs around them. Built by scripts/common_passwords.py from Richelieu's French\n"
    "# top 5000 (github.com/tarraschk/richelieu, CC BY 4.0, Maxime Alay-Eddine and Paul\n"
    "# Barbaste) and zxcvbn's password list (github.com/dropbox/zxcvbn, MIT, Dan Wheeler and\n"
    "# Dropbox, Inc.).\n"
)


def main(french: Path, zxcvbn: Path) -> None:
    seen: dict[str, None] = {}
    sources = (
        french.read_text(encoding="utf-8", errors="replace").splitlines()[:FROM_EACH],
        [line.split()[0] for line in zxcvbn.read_text().splitlines()[:FROM_EACH] if line],
    )
    for lines in sources:
        for line in lines:
            word = line.strip().casefold()
            if len(word) >= SHORTEST and not word.startswith("#"):
                seen.setdefault(word, None)
    sys.stdout.write(HEADER + "".join(f"{word}\n" for word in seen))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
