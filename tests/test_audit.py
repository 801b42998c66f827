"""The audit trail detects an edited or deleted event; `jewelryorders check` reports it."""

from __future__ import annotations

import sqlite3

from jewelryorders.cli.main import main
from jewelryorders.services import audit, customers, users


def _factory(path):
    from jewelryorders.db import open_database

    db = open_database(f"sqlite:///{path}")
    users.setup_factory(db, "Factory", "admin", "admin-pass", "en")
    admin = users.authenticate(db, "admin", "admin-pass")
    for name in ("A Ltd", "B Ltd", "C Ltd"):
        customers.create_customer(db, admin, customers.CustomerInput(name=name))
    db.close()


def test_check_passes_on_an_untouched_database(tmp_path, capsys):
    _factory(tmp_path / "f.db")
    assert main(["--db", str(tmp_path / "f.db"), "check"]) == 0
    out = capsys.readouterr().out
    assert "integrity: ok" in out and "chain intact" in out


def test_check_detects_an_edited_event(tmp_path, capsys):
    _factory(tmp_path / "f.db")
    con = sqlite3.connect(tmp_path / "f.db")
    con.execute("UPDATE audit_events SET summary = 'nothing happened' WHERE id = 3")
    con.commit()
    con.close()
    assert main(["--db", str(tmp_path / "f.db"), "check"]) == 1
    assert "Audit event 3 was edited" in capsys.readouterr().out


def test_check_detects_a_deleted_event_in_the_middle_and_at_the_end(tmp_path, capsys):
    _factory(tmp_path / "f.db")
    con = sqlite3.connect(tmp_path / "f.db")
    last = con.execute("SELECT max(id) FROM audit_events").fetchone()[0]
    con.execute("DELETE FROM audit_events WHERE id = ?", (last,))
    con.commit()
    assert main(["--db", str(tmp_path / "f.db"), "check"]) == 1
    assert "were deleted" in capsys.readouterr().out
    con.execute("DELETE FROM audit_events WHERE id = 2")
    con.commit()
    con.close()
    assert main(["--db", str(tmp_path / "f.db"), "check"]) == 1
    assert "chain broken" in capsys.readouterr().out


def test_events_record_before_and_after(db, sales, customer):
    from sqlalchemy import select

    from jewelryorders.models.audit import AuditEvent

    data = customers.CustomerInput(name=customer.name, name_en=customer.name_en, credit_limit="123.45",
                                   currency="HKD", credit_rating="A", contact_person=customer.contact_person,
                                   phone=customer.phone, email=customer.email, country=customer.country)
    customers.update_customer(db, sales, customer.id, customer.version, data)
    with db.read_session() as s:
        ev = s.scalars(select(AuditEvent).where(AuditEvent.entity == "customer").order_by(AuditEvent.id.desc())).first()
        assert ev.username == "sales1" and ev.action == "update"
        assert '"credit_limit":"2000000.00"' in ev.before_json and '"credit_limit":"123.45"' in ev.after_json
    assert audit.verify_chain(db).ok


def test_history_written_in_one_language_reads_in_the_readers_language(db, sales, customer, order_factory):
    """The clerk works in 繁體中文; the manager reads the same history in English and in 简体中文."""
    from jewelryorders.i18n import set_language
    from jewelryorders.services.orders import intake as orders
    from jewelryorders.services.orders import timeline

    order = order_factory()
    set_language("zh_TW")
    orders.submit_for_review(db, sales, order.id, order.version)
    set_language("en")
    newest = timeline.order_timeline(db, order.id)[0]
    assert newest.text == "Stage Draft → Preliminary review — submitted for review"
    set_language("zh_CN")
    assert timeline.order_timeline(db, order.id)[0].text == "阶段 草稿 → 初步评审 — 已提交评审"


def test_a_message_parameter_changed_in_the_file_is_detected(tmp_path, capsys):
    _factory(tmp_path / "f.db")
    con = sqlite3.connect(tmp_path / "f.db")
    row = con.execute("SELECT id, message_params FROM audit_events WHERE message_params LIKE '%B Ltd%'").fetchone()
    con.execute("UPDATE audit_events SET message_params = ? WHERE id = ?", (row[1].replace("B Ltd", "Z Ltd"), row[0]))
    con.commit()
    con.close()
    assert main(["--db", str(tmp_path / "f.db"), "check"]) == 1
    assert f"Audit event {row[0]} was edited" in capsys.readouterr().out


def test_services_record_history_as_messages_not_as_translated_text():
    """audit.record(..., _("...")) would freeze the writer's language into the history; services pass LazyText."""
    import ast
    from pathlib import Path

    package = Path(__file__).resolve().parents[1] / "jewelryorders"
    offenders = []
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "record"
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "audit"):
                continue
            summary = node.args[5] if len(node.args) > 5 else next(
                (k.value for k in node.keywords if k.arg == "summary"), None)
            if isinstance(summary, ast.Call) and isinstance(summary.func, ast.Name) and summary.func.id in ("_", "tr"):
                offenders.append(f"{path.relative_to(package)}:{node.lineno}")
    assert offenders == []
