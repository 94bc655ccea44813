"""The shape of the code (README, Layout): features stand on core and the pure domain and on
the features below them, never on one above; no module imports itself back in a circle; the
domain imports neither Flask nor SQLAlchemy; only the request boundary, the command line and
the scheduler commit."""

from __future__ import annotations

import ast
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "contest"

#: Lowest first. A module may import its own layer and the layers before it.
LAYERS = (
    "core",
    "accounts",
    "events",
    "stages",
    "registration",
    "exams",
    "results",
    "publication",
    "appeals",
    "judging",
    "organise",
    "packages",
    "demo",
    "cli",
)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def runtime_imports(path: Path) -> set[str]:
    """The contest modules ``path`` imports when it runs (not those only a type checker
    reads, under ``if TYPE_CHECKING:``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(child) for child in ast.walk(node))
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("contest"):
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("contest"))
    return found


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {
        name: {target for target in runtime_imports(path) if target in modules and target != name}
        for name, path in modules.items()
    }


def layer(module: str) -> str | None:
    """The layer of a module (None for the application factory and the domain)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def test_no_feature_imports_one_above_it():
    wrong = []
    for module, targets in graph().items():
        own = layer(module)
        if own is None:
            continue
        for target in targets:
            other = layer(target)
            if other is not None and LAYERS.index(other) > LAYERS.index(own):
                wrong.append(f"{module} → {target}")
    assert wrong == []


def test_the_domain_imports_only_the_domain():
    wrong = [
        f"{module} → {target}"
        for module, targets in graph().items()
        if module.startswith("contest.domain")
        for target in targets
        if not target.startswith("contest.domain")
    ]
    assert wrong == []
    for path in (PACKAGE / "domain").rglob("*.py"):
        imported = {
            (node.module or "" if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        }
        assert not imported & {"flask", "flask_babel", "sqlalchemy", "werkzeug"}, path


def test_no_import_circle():
    edges = graph()
    # A package's __init__ is imported with each of its modules; it imports none of them.
    for module in list(edges):
        edges[module] = {t for t in edges[module] if not module.startswith(t + ".")}
    state: dict[str, int] = defaultdict(int)
    circles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(edges.get(node, ())):
            if state[target] == 1:
                circles.append([*path[path.index(target) :], target])
            elif state[target] == 0:
                visit(target, [*path, target])
        state[node] = 2

    for module in sorted(edges):
        if state[module] == 0:
            visit(module, [module])
    assert circles == []


@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="needs the git checkout")
def test_only_the_boundaries_commit():
    found = subprocess.run(
        ["git", "grep", "-l", "session.commit", "--", "contest"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    assert sorted(found) == ["contest/core/transaction.py", "contest/core/web.py"]
