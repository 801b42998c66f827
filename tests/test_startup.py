"""A fast start (issue 7): the login dialog is on the screen before the database layer is imported; the database is
opened right after the dialog is painted, and logging in is possible once it is ready. Each start runs in a fresh
interpreter (through the command line, as a user starts the application), since this process has imported everything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from jewelryorders.db import open_database, resolve_url
from jewelryorders.services import users
from jewelryorders.ui import app as app_module

ROOT = Path(__file__).resolve().parents[1]

# The child starts the application with `jewelryorders --db FILE --lang en`; when the login dialog is first painted
# it notes which heavy modules are loaded, then it logs in as soon as the dialog is ready, and reports once the main
# window is shown.
CHILD = r"""
import json, sys
from PySide6.QtCore import QCoreApplication, QSettings, QTimer
from PySide6.QtWidgets import QApplication
from jewelryorders.ui.login.login_dialog import LoginDialog
from jewelryorders.ui import app as app_module

HEAVY = ("sqlalchemy", "alembic", "jewelryorders.db", "jewelryorders.models", "jewelryorders.services.users",
         "jewelryorders.services.context", "jewelryorders.ui.main_window", "ortools", "pandas", "numpy", "reportlab",
         "openpyxl")
seen = {"events": []}
original_paint = LoginDialog.paintEvent

def paint(self, event):
    if "at_first_paint" not in seen:
        seen["at_first_paint"] = sorted(m for m in HEAVY if m in sys.modules)
        seen["ready_at_first_paint"] = self.ready
        seen["enabled_at_first_paint"] = self.buttons.button(self.buttons.StandardButton.Ok).isEnabled()
        seen["hint_at_first_paint"] = self.database_hint.text()
    original_paint(self, event)

LoginDialog.paintEvent = paint
original_create = app_module.create_application

def create_application(argv=None):
    app = original_create(argv)
    QCoreApplication.setOrganizationName("jo-startup-test")
    QSettings().clear()
    return app

app_module.create_application = create_application

def poll():
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, LoginDialog) and widget.isVisible() and widget.ready and "logged_in" not in seen:
            seen["logged_in"] = True
            seen["ok_enabled_when_ready"] = widget.buttons.button(widget.buttons.StandardButton.Ok).isEnabled()
            seen["hint_when_ready"] = widget.database_hint.text()
            seen["heading_when_ready"] = widget.heading.text()
            widget.username.setText(sys.argv[2])
            widget.password.setText(sys.argv[3])
            widget.accept()
        if widget.objectName() == "main_window" and widget.isVisible():
            seen["main_window"] = True
            seen["at_main_window"] = sorted(m for m in ("ortools", "pandas", "numpy", "reportlab", "openpyxl", "alembic")
                                            if m in sys.modules)
            QSettings().clear()
            QApplication.instance().quit()
            return
    QTimer.singleShot(20, poll)

QTimer.singleShot(0, poll)
from jewelryorders.cli.main import main
code = main(["--db", sys.argv[1], "--lang", "en"])
seen["exit"] = code
print("RESULT " + json.dumps(seen))
"""


def _start(path: Path, username: str = "admin", password: str = "admin-pass") -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", CHILD, str(path), username, password], capture_output=True,
                         text=True, cwd=ROOT, env=env, timeout=180)
    assert out.returncode == 0, out.stderr
    line = next(line for line in out.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


@pytest.fixture
def factory_file(tmp_path) -> Path:
    path = tmp_path / "factory.db"
    db = open_database(f"sqlite:///{path}")
    users.setup_factory(db, "金福珠寶廠", "admin", "admin-pass", "en")
    db.close()
    return path


def test_the_login_dialog_is_shown_before_the_database_layer_is_imported(factory_file):
    seen = _start(factory_file)
    assert seen["at_first_paint"] == []  # no SQLAlchemy, no models, no services: Qt alone shows the dialog
    assert seen["ready_at_first_paint"] is False and seen["enabled_at_first_paint"] is False
    assert str(factory_file) in seen["hint_at_first_paint"] and "Opening" in seen["hint_at_first_paint"]
    # Right after the dialog is painted the database opens; then the button is enabled, the factory named.
    assert seen["ok_enabled_when_ready"] is True
    assert seen["heading_when_ready"] == "金福珠寶廠"
    assert seen["hint_when_ready"] == f"Database: {factory_file}"
    assert seen["main_window"] is True and seen["exit"] == 0
    assert seen["at_main_window"] == []  # and still no heavy library (the lazy start of the main window holds)


def test_a_damaged_database_is_still_explained_when_the_dialog_is_shown_first(tmp_path, qapp, monkeypatch):
    """The database opens after the dialog is painted, through open_or_explain, with the dialog as parent: the
    message is the one a damaged file always gets, and quitting ends the start with the exit code as before."""
    wrong = tmp_path / "orders.db"
    wrong.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    said: list[tuple[object, str]] = []
    monkeypatch.setattr(app_module, "explain_open_error",
                        lambda parent, message: said.append((parent, message)) or app_module.CHOICE_QUIT)
    db, actor = app_module.sign_in_at_start(app_module.sqlite_url(wrong), True)
    assert db is None and actor is None
    assert len(said) == 1
    parent, message = said[0]
    assert parent.objectName() == "login_dialog"
    assert str(wrong) in message and "not an SQLite file" in message


def test_enter_before_the_database_is_ready_logs_in_once_it_is(qtbot, db, admin):
    from jewelryorders.ui.login.login_dialog import LoginDialog

    dialog = LoginDialog(None, "", username="admin", database_name="somewhere.db")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert not dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()
    dialog.password.setText("admin-pass")
    dialog.accept()  # Enter pressed while the database is still opening
    assert dialog.isVisible() and dialog.actor is None
    dialog.set_database(db, "F")
    assert dialog.actor is not None and dialog.actor.username == "admin"


def test_the_window_finds_the_same_database_as_the_command_line(tmp_path, monkeypatch):
    """window_database_url resolves --db, $JEWELRYORDERS_DB and the default file as db.resolve_url does, without
    the database layer; a server URL in the environment is left to the usual way (None)."""
    monkeypatch.delenv("JEWELRYORDERS_DATABASE_URL", raising=False)
    monkeypatch.delenv("JEWELRYORDERS_DB", raising=False)
    assert app_module.window_database_url(None) == resolve_url(None, None)
    assert app_module.window_database_url(tmp_path / "a.db") == resolve_url(tmp_path / "a.db", None)
    monkeypatch.setenv("JEWELRYORDERS_DB", str(tmp_path / "env.db"))
    assert app_module.window_database_url(None) == resolve_url(None, None)
    monkeypatch.setenv("JEWELRYORDERS_DATABASE_URL", "postgresql+psycopg://u:secret@host/db")
    assert app_module.window_database_url(None) is None
    assert "secret" not in app_module.database_display_name("postgresql+psycopg://u:secret@host/db")
