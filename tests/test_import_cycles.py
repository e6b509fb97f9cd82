"""No import cycle among frontdoor's modules, nor among its packages.

The graphs are read from the source (tests/source_imports.py): imports inside functions count,
and so do `if TYPE_CHECKING:` ones (a type named across a cycle is a cycle in the design, if
not at run time: a Protocol where the type is used breaks it). Between packages
(frontdoor.web, frontdoor.store…, and each module directly under frontdoor as a package of its
own) the imports run one way: web (the app
factory, the scheduler and the job registry) at the top; the channels (voice, sms, mailbox,
directory, console) and the jobs below it; the kit they share (frontdoor.kit) and the typed
keys (frontdoor.keys, whose imports of the service are for types only, of the packages below
the channels) under them; store,
outbound and core at the bottom.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.source_imports import ROOT, Edges, cyclic_edges, import_graph, package_of

FRONTDOOR = ROOT / "frontdoor"


def described(edges: Edges, cyclic: set[tuple[str, str]]) -> str:
    return "\n".join(
        f"  {source} → {target} ({'; '.join(edges[source, target][:3])})"
        for source, target in sorted(cyclic)
    )


def test_no_module_of_frontdoor_imports_one_that_imports_it_back() -> None:
    edges = import_graph(FRONTDOOR, type_checking=True)
    cyclic = cyclic_edges(edges)
    assert not cyclic, f"imports in a cycle:\n{described(edges, cyclic)}"


def test_no_package_of_frontdoor_imports_one_that_imports_it_back() -> None:
    edges = import_graph(FRONTDOOR, node_of=package_of, type_checking=True)
    cyclic = cyclic_edges(edges)
    assert not cyclic, f"imports in a cycle between packages:\n{described(edges, cyclic)}"


def write(root: Path, files: dict[str, str]) -> Path:
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    return root / "app"


@pytest.mark.parametrize(
    ("files", "cyclic"),
    [
        pytest.param(
            {"app/__init__.py": "", "app/a.py": "import app.b\n", "app/b.py": "import os\n"},
            set(),
            id="one-way",
        ),
        pytest.param(
            {
                "app/__init__.py": "",
                "app/a.py": "from app import b\n",
                "app/b.py": "import app.a\n",
            },
            {("app.a", "app.b"), ("app.b", "app.a")},
            id="both-ways",
        ),
        pytest.param(
            {
                "app/__init__.py": "",
                "app/a.py": "from .b import x\n",
                "app/b.py": "def later():\n    from app.c import y\n",
                "app/c.py": "from . import a\n",
            },
            {("app.a", "app.b"), ("app.b", "app.c"), ("app.c", "app.a")},
            id="through-a-function-and-relative-imports",
        ),
        pytest.param(
            {
                "app/__init__.py": "",
                "app/a.py": "import app.b\n",
                "app/b.py": "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from app.a import A\n",
            },
            set(),
            id="back-for-types-only",
        ),
    ],
)
def test_the_graph_finds_the_imports_that_close_a_cycle(
    tmp_path: Path, files: dict[str, str], cyclic: set[tuple[str, str]]
) -> None:
    assert cyclic_edges(import_graph(write(tmp_path, files))) == cyclic


def test_the_graph_of_packages_groups_modules_by_their_package(tmp_path: Path) -> None:
    package = write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/settings.py": "",
            "app/web/__init__.py": "",
            "app/web/keys.py": "import app.settings\n",
            "app/web/app.py": "import app.mail.job\n",
            "app/mail/__init__.py": "",
            "app/mail/job.py": "from app.web.keys import KEY\n",
        },
    )
    edges = import_graph(package, node_of=package_of)
    assert set(edges) == {
        ("app.web", "app.settings"),
        ("app.web", "app.mail"),
        ("app.mail", "app.web"),
    }
    assert cyclic_edges(edges) == {("app.web", "app.mail"), ("app.mail", "app.web")}
