"""Department files for benchmarks: the examples of flows/ plus made-up ones, up to a count.

Each made-up department is flows/dac46.toml with its own slug, name and number, so that
loading, validating and indexing them costs what real ones do.

    python bench/departments_gen.py 100 /tmp/flows
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

FLOWS = Path(__file__).resolve().parent.parent / "flows"
TEMPLATE = FLOWS / "dac46.toml"


def number_of(index: int) -> str:
    """The single number of the made-up department `index` (from 1)."""
    return f"+3353640{index:04d}"


def slug_of(index: int) -> str:
    """The slug of the made-up department `index` (from 1)."""
    return f"bench{index:03d}"


def generate(count: int, folder: Path) -> list[Path]:
    """`count` department files in `folder`: flows/*.toml first, then copies of the Lot's."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for example in sorted(FLOWS.glob("*.toml"))[:count]:
        written.append(Path(shutil.copy(example, folder / example.name)))
    template = TEMPLATE.read_text(encoding="utf-8")
    for index in range(1, count - len(written) + 1):
        text = (
            template.replace('slug = "dac46"', f'slug = "{slug_of(index)}"')
            .replace('name = "DAC du Lot"', f'name = "DAC de banc d\'essai {index}"')
            .replace('number = "+33536490046"', f'number = "{number_of(index)}"')
        )
        path = folder / f"{slug_of(index)}.toml"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    files = generate(int(sys.argv[1]), Path(sys.argv[2]))
    print(f"{len(files)} department files in {sys.argv[2]}")
