"""The layering DESIGN.md promises: the core never imports Qt, every module says what it is for."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "jewelryorders"
QT_FREE = ["services", "models", "reports", "scheduling", "gantt", "migrations", "i18n", "cli"]


def _modules(folder: Path):
    return sorted(p for p in folder.rglob("*.py") if "versions" not in p.parts)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_packages_never_import_qt():
    offenders = []
    for sub in QT_FREE:
        folder = PACKAGE / sub
        for path in _modules(folder) if folder.exists() else []:
            if _imports(path) & {"PySide6", "shiboken6", "PyQt5", "PyQt6"}:
                offenders.append(str(path.relative_to(PACKAGE)))
    # cli/main.py starts the GUI through a lazy import inside a function, which ast.walk would see: allow only that.
    offenders = [o for o in offenders if o != "cli/main.py"]
    assert offenders == []


def test_db_and_top_level_modules_never_import_qt():
    for path in PACKAGE.glob("*.py"):
        assert "PySide6" not in _imports(path), path.name


def test_every_module_starts_with_a_docstring():
    missing = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
               if ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) is None]
    assert missing == []


def test_widgets_never_write_to_the_session():
    offenders = []
    for path in (PACKAGE / "ui").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for word in ("session.add(", "session.commit(", "session.delete(", ".unit_of_work("):
            if word in text:
                offenders.append(f"{path.relative_to(PACKAGE)}: {word}")
    assert offenders == []
