"""Rules the archive's services share: who owns a category, who reads freely, the archive's permissions."""

from __future__ import annotations

from ...i18n import N_
from ...models.documents import CATEGORY_OWNERS
from ..context import Actor
from ..permissions import register

register("archive.file", lambda a: a.department in ("sales", "archive", "management")
         or a.role in ("department_head", "manager", "administrator"), N_("file documents in the archive"))
register("archive.keep", lambda a: a.department == "archive" or a.role == "administrator",
         N_("keep the archive: grant requests, hand out and take back papers, record where papers are kept"))
register("archive.approve", lambda a: a.role in ("department_head", "manager"),
         N_("approve or refuse document access requests"))
register("archive.log", lambda a: a.department in ("archive", "management") or a.role in ("manager", "administrator"),
         N_("read and export the document access log"))
register("archive.backup", lambda a: a.department == "archive" or a.role == "administrator",
         N_("back up the database"))
register("archive.restore", lambda a: a.role == "administrator", N_("restore the database from a backup"))


def owner_department(category: str) -> str:
    return CATEGORY_OWNERS.get(category, "archive")


def reads_freely(actor: Actor, category: str) -> bool:
    """The owning department and management read a document without a request (procedure 7.3)."""
    return actor.department in (owner_department(category), "management") or actor.is_manager
