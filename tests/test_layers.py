"""The apps stand in layers: an app imports only apps on a lower layer (DESIGN.md, "Apps and layers").

Every module of every project app is parsed; `import x` and `from x import y` count wherever they are,
inside functions too (a late import hides a cycle from Python, not from the design). Migrations and tests
are left out. A lower app reaches a higher one only through a registry or signal that the higher app
fills in its AppConfig.ready.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

# Lowest first, written once: the one place the order is stated. A set holds peers, which must not
# import each other either.
LAYERS: list[str | set[str]] = [
    "core",
    "cases",
    "notices",
    "mediation",
    "courts",
    "credit_repair",
    "oversight",
    "dashboards",
    {"debtor_portal", "demo"},
    "config",
]

# Files that still import upward while the restructuring is under way elsewhere; each goes as that work
# lands, and the list ends empty. A file that no longer imports upward must leave the list.
KNOWN_UPWARD: set[str] = set()

ROOT = Path(__file__).resolve().parent.parent
NOT_APPS = {"tests"}  # top-level packages that are not apps
SKIPPED_DIRS = {"migrations", "tests"}


@dataclass(frozen=True)
class Upward:
    path: str  # relative to the project root, with forward slashes
    line: int
    app: str
    imported: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} {self.app} imports {self.imported}"


def layer_of() -> dict[str, int]:
    rank = {}
    for i, layer in enumerate(LAYERS):
        for app in [layer] if isinstance(layer, str) else layer:
            rank[app] = i
    return rank


def project_apps(root: Path) -> list[str]:
    packages = (p for p in root.iterdir() if p.is_dir() and (p / "__init__.py").exists())
    return sorted(p.name for p in packages if p.name not in NOT_APPS)


def imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, dotted name) of every absolute import anywhere in the module."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def upward_imports(root: Path) -> list[Upward]:
    rank = layer_of()
    upward = []
    for app in project_apps(root):
        if app not in rank:
            continue
        for module in sorted((root / app).rglob("*.py")):
            relative = module.relative_to(root)
            if SKIPPED_DIRS.intersection(relative.parts):
                continue
            tree = ast.parse(module.read_text(encoding="utf-8"), filename=str(module))
            for line, name in imported_modules(tree):
                top = name.split(".")[0]
                if top != app and top in rank and rank[top] >= rank[app]:
                    upward.append(Upward(relative.as_posix(), line, app, top))
    return upward


def test_every_app_has_a_layer() -> None:
    rank = layer_of()
    unplaced = [app for app in project_apps(ROOT) if app not in rank]
    assert not unplaced, f"apps missing from LAYERS in {__file__}: {unplaced}"


def test_no_app_imports_upward() -> None:
    new = [str(u) for u in upward_imports(ROOT) if u.path not in KNOWN_UPWARD]
    assert not new, "upward imports (see LAYERS):\n" + "\n".join(new)


def test_known_upward_files_still_import_upward() -> None:
    still = {u.path for u in upward_imports(ROOT)}
    gone = sorted(KNOWN_UPWARD - still)
    assert not gone, f"no longer import upward, remove them from KNOWN_UPWARD: {gone}"


def _package(root: Path, app: str, modules: dict[str, str]) -> None:
    (root / app).mkdir()
    (root / app / "__init__.py").write_text("")
    for name, source in modules.items():
        path = root / app / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)


def test_a_made_up_upward_import_is_caught_even_inside_a_function(tmp_path: Path) -> None:
    _package(tmp_path, "cases", {"models.py": "from core.models import Centre\n"})
    _package(
        tmp_path,
        "core",
        {
            "helpers.py": "import os\n\n\ndef late():\n    from cases.models import Case\n    return Case\n",
            "sub/deep.py": "import cases.services\n",
            "migrations/0001_initial.py": "from cases.models import Case\n",
        },
    )
    found = {str(u) for u in upward_imports(tmp_path)}
    assert found == {"core/helpers.py:5 core imports cases", "core/sub/deep.py:1 core imports cases"}


def test_peers_may_not_import_each_other_and_unplaced_apps_are_found(tmp_path: Path) -> None:
    _package(tmp_path, "demo", {"scenarios.py": "from debtor_portal import views\nfrom core import models\n"})
    _package(tmp_path, "debtor_portal", {"views.py": "from cases import selectors\n"})
    _package(tmp_path, "newapp", {})
    assert [str(u) for u in upward_imports(tmp_path)] == ["demo/scenarios.py:1 demo imports debtor_portal"]
    assert [app for app in project_apps(tmp_path) if app not in layer_of()] == ["newapp"]
