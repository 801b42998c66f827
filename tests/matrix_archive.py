"""Permission matrix cases of the archive (part 7)."""

from __future__ import annotations

import datetime as dt

from jewelryorders.services.archive import backups, filing, loans, requests

from .conftest import TEST_TODAY


def prepare(world) -> None:
    world.archive_doc = filing.file_document(world.db, world.admin, category="signed_contract", content=b"%PDF scan",
                                             file_name="matrix-contract.pdf", order_no=world.contracted.order_no)
    asker = world.make_user("production", "clerk", "archive.asker")
    world.archive_request = requests.request_access(world.db, asker, world.archive_doc, "read", "matrix",
                                                    TEST_TODAY + dt.timedelta(days=3))


CALLS = {
    "archive.file": lambda a, w: filing.file_document(w.db, a, category="customer_letter", content=b"x",
                                                      file_name="x.txt"),
    "archive.keep": lambda a, w: filing.set_location(w.db, a, w.archive_doc, "Z", "9", "9"),
    "archive.approve": lambda a, w: requests.decide_request(w.db, a, w.archive_request, True),
    "archive.log": lambda a, w: requests.access_log(w.db, a),
    "archive.backup": lambda a, w: backups.backup_now(w.db, a, w.out("backup.db")),
    "archive.restore": lambda a, w: backups.check_restore_right(a),
}

_unused = loans  # loans' rights are archive.keep (set_location represents it)
