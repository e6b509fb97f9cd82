"""Nothing CPU-heavy runs on the event loop where callers wait: what takes more than a few
milliseconds is called only through the CPU pools (frontdoor.cpu): pure Python only through
the worker processes (in a thread it would hold the GIL the loop needs), and the password
hasher (Argon2 releases the GIL) only through the worker threads. Checked on the source, not
with a stopwatch: a busy machine makes timings lie, a call in the wrong place does not move."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

import frontdoor
from frontdoor.console import passwords
from frontdoor.cpu import PRELOADED, CpuThreads

PACKAGE = Path(frontdoor.__file__).parent
# Pure-Python work measured at tens of milliseconds to seconds (bench/loop_blocking.py), by
# the module that defines it: anywhere else, it may only be handed to the `run` (or
# `run_waiting`) of the worker processes, an expression that names them ("processes").
HEAVY = {
    "to_xlsx": "frontdoor.indicators.export_xlsx",
    "to_csv": "frontdoor.indicators.export_csv",
    "overrides_from_ical": "frontdoor.core.ical_roster",
    # A 25 MB mail with attachments: the stdlib's email package, pure Python.
    "parse": "frontdoor.mailbox.parse",
    "oversized": "frontdoor.mailbox.parse",
    "read_mail": "frontdoor.mailbox.parse",
}
# Libraries whose work is CPU-heavy, and the one module that may import each.
HEAVY_LIBRARIES = {"argon2": "frontdoor.console.passwords"}


def _modules() -> list[tuple[str, ast.Module]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(("frontdoor", *path.relative_to(PACKAGE).with_suffix("").parts))
        found.append((name.removesuffix(".__init__"), ast.parse(path.read_text(), str(path))))
    return found


MODULES = _modules()


def _handed_to_the_pool(tree: ast.Module) -> set[int]:
    """ids of the nodes passed as the work of a `<…processes…>.run(task, work, …)` call."""
    return {
        id(call.args[1])
        for call in ast.walk(tree)
        if isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr in ("run", "run_waiting")
        and "processes" in ast.unparse(call.func.value).lower()
        and len(call.args) > 1
    }


def _bound_names(tree: ast.Module, function: str, module: str) -> tuple[set[str], set[str]]:
    """The names this module gives the heavy function (`from module import function as f`)
    and its module (`import module as m`, `from package import module`): a name such as
    `parse` means the heavy one only where it was imported from its module."""
    package, _, leaf = module.rpartition(".")
    functions, modules = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == module:
            functions |= {a.asname or a.name for a in node.names if a.name == function}
        elif isinstance(node, ast.ImportFrom) and node.module == package:
            modules |= {a.asname or a.name for a in node.names if a.name == leaf}
        elif isinstance(node, ast.Import):
            modules |= {a.asname or a.name for a in node.names if a.name == module}
    return functions, modules


@pytest.mark.parametrize("function", sorted(HEAVY))
def test_heavy_work_is_only_handed_to_the_cpu_pool(function: str) -> None:
    misplaced = []
    for module, tree in MODULES:
        if module == HEAVY[function] or _runs_in_its_own_process(module):
            continue
        pooled = _handed_to_the_pool(tree)
        functions, modules = _bound_names(tree, function, HEAVY[function])
        for node in ast.walk(tree):
            named = (isinstance(node, ast.Name) and node.id in functions) or (
                isinstance(node, ast.Attribute)
                and node.attr == function
                and ast.unparse(node.value) in modules
            )
            if named and id(node) not in pooled:
                misplaced.append(f"{module}:{node.lineno}")

    assert misplaced == []


def test_the_check_sees_through_imports() -> None:
    """What the test above would catch, shown on a few lines (a test that finds nothing
    anywhere must still be able to find something)."""
    tree = ast.parse(
        "from frontdoor.mailbox.parse import parse as p\n"
        "from frontdoor.mailbox import parse as mail_parse\n"
        "from urllib.parse import parse_qs\n"
        "p(raw)\n"
        "mail_parse.parse(raw)\n"
        "await threads.run('mail_parse', p, raw)\n"  # a thread holds the GIL: misplaced
        "await app[CPU_PROCESSES].run('mail_parse', p, raw)\n"
    )
    functions, modules = _bound_names(tree, "parse", "frontdoor.mailbox.parse")
    assert (functions, modules) == ({"p"}, {"mail_parse"})
    pooled = _handed_to_the_pool(tree)
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    work = [c.func for c in calls] + [c.args[1] for c in calls if len(c.args) > 1]
    assert sum(id(node) in pooled for node in work) == 1


def _runs_in_its_own_process(module: str) -> bool:
    """The command-line verbs (`frontdoor report`…): no call waits on their loop."""
    return module == "frontdoor.cli" or module.endswith("_command")


@pytest.mark.parametrize("library", sorted(HEAVY_LIBRARIES))
def test_a_heavy_library_is_imported_by_one_module_only(library: str) -> None:
    importers = {
        module
        for module, tree in MODULES
        for node in ast.walk(tree)
        if (
            isinstance(node, ast.Import)
            and any(a.name.split(".")[0] == library for a in node.names)
        )
        or (isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == library)
    }

    assert importers == {HEAVY_LIBRARIES[library]}


def test_the_password_hasher_is_reached_only_through_the_pool() -> None:
    reaching = [
        (name, function)
        for name, function in vars(passwords).items()
        if inspect.isfunction(function)
        and function.__module__ == passwords.__name__
        and not name.startswith("_")
        and "_HASHER" in inspect.getsource(function) + _callees_source(function)
    ]

    assert reaching, "the module no longer hashes: this test would prove nothing"
    for name, function in reaching:
        first = next(iter(inspect.signature(function).parameters.values()))
        assert inspect.iscoroutinefunction(function), name
        assert first.annotation in (CpuThreads, "CpuThreads"), name


def _callees_source(function: object) -> str:
    """The source of the module's private functions this one names (one level deep)."""
    source = inspect.getsource(function)  # type: ignore[arg-type]
    return "".join(
        inspect.getsource(helper)
        for name, helper in vars(passwords).items()
        if name.startswith("_") and inspect.isfunction(helper) and name in source
    )


@pytest.mark.parametrize("function", sorted(HEAVY))
def test_the_worker_processes_start_with_the_heavy_modules_imported(function: str) -> None:
    """The fork server imports them once; a new worker then starts in milliseconds, not in
    the second their imports take."""
    assert HEAVY[function] in PRELOADED


def test_received_attachments_are_written_off_the_loop() -> None:
    """Up to 25 MB each, written to disk: in a thread (asyncio.to_thread), never on the loop."""
    saves, off_the_loop = [], set()
    for module, tree in MODULES:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "asyncio.to_thread":
                off_the_loop.add(id(node.args[0]))
            elif (
                isinstance(node, ast.Attribute)
                and node.attr == "save"
                and ast.unparse(node.value).endswith("attachments")
            ):
                saves.append((module, node))

    assert saves, "no attachment is saved any more: this test would prove nothing"
    on_the_loop = [f"{module}:{n.lineno}" for module, n in saves if id(n) not in off_the_loop]
    assert on_the_loop == []
