"""Demo archive, through the services: documents of every category with paper locations, access requests pending,
approved, granted and refused, papers on loan (one overdue) and returned, and the access log they leave."""

from __future__ import annotations

import datetime as dt
import random
from typing import Mapping

from sqlalchemy import select

from .. import clock
from ..db import Database
from ..i18n import _, tr
from ..models.documents import DOCUMENT_CATEGORIES, Document
from ..models.orders import Order
from ..services.archive import filing, loans, requests
from ..services.context import Actor
from ..services.errors import DomainError


def _content(category: str, order_no: str, n: int) -> bytes:
    return (f"{tr(DOCUMENT_CATEGORIES[category], 'zh_TW')} / {tr(DOCUMENT_CATEGORIES[category], 'en')}\n"
            f"{order_no or '-'} #{n}\n").encode("utf-8")


def advance_demo(db: Database, rng: random.Random, actors: Mapping[str, Actor], today: dt.date) -> str:
    keeper, head = actors["archive"], actors["archive.head"]
    with db.read_session() as s:
        orders = list(s.execute(select(Order.id, Order.order_no).where(
            Order.stage.not_in(("draft", "preliminary_review", "negotiating", "escalated", "detailed_review",
                                "abandoned", "cancelled"))).order_by(Order.id)))
        present = set(s.scalars(select(Document.category).distinct()))
    if not orders:
        return _("Archive: no contracted orders, no documents filed.")
    filed = 0
    chosen = rng.sample(orders, min(len(orders), 12))
    for n, category in enumerate(DOCUMENT_CATEGORIES):
        if category in present and category not in ("signed_contract", "customer_letter"):
            continue
        order_id, order_no = chosen[n % len(chosen)]
        with clock.frozen(clock.now() - dt.timedelta(days=rng.randint(1, 60))):
            try:
                filing.file_document(db, head, category=category, content=_content(category, order_no, n),
                                     file_name=f"{order_no}-{category}.txt", order_no=order_no,
                                     title=f"{tr(DOCUMENT_CATEGORIES[category], 'zh_TW')} {order_no}",
                                     cabinet=f"{chr(65 + n % 4)}", shelf=str(1 + n % 5), box=f"{n + 1:02d}")
                filed += 1
            except DomainError:
                pass
    # Signed contracts (scans) of a few more orders, kept in cabinet A.
    for i, (order_id, order_no) in enumerate(chosen[:6]):
        doc = filing.file_document(db, actors["sales"], category="signed_contract",
                                   content=_content("signed_contract", order_no, 100 + i),
                                   file_name=f"{order_no}-signed-contract.txt", order_no=order_no,
                                   title=f"簽署合同 {order_no}")
        filing.set_location(db, keeper, doc, "A", str(1 + i // 3), f"{i + 1:02d}")
        filed += 1
    with db.read_session() as s:
        contracts = list(s.scalars(select(Document.id).where(Document.category == "signed_contract",
                                                              Document.removed.is_(False)).order_by(Document.id)))
    counts = {"pending": 0, "approved": 0, "granted": 0, "refused": 0, "overdue": 0, "returned": 0}

    def ask(user: str, doc: int, kind: str, purpose: str, days_back: int, until_days: int) -> int | None:
        with clock.frozen(clock.now() - dt.timedelta(days=days_back)):
            try:
                return requests.request_access(db, actors[user], doc, kind, purpose,
                                               clock.today() + dt.timedelta(days=until_days))
            except DomainError:
                return None

    def at(days_back: int):
        return clock.frozen(clock.now() - dt.timedelta(days=days_back, hours=-1))

    docs = contracts or [d for d in range(1)]
    pick = lambda i: docs[i % len(docs)]  # noqa: E731
    # Pending: waiting for the head of production.
    if ask("production", pick(0), "read", "核對客戶刻字要求 check the engraving text", 1, 7):
        counts["pending"] += 1
    # Approved, waiting for the archive's grant.
    r = ask("logistics", pick(1), "borrow", "出貨前核對合同交貨地點 check the delivery place", 2, 10)
    if r:
        with at(1):
            requests.decide_request(db, actors["logistics.head"], r, True, "同意")
        counts["approved"] += 1
    # Refused by the head of technical.
    r = ask("technical", pick(2), "read", "參考價格 look at the price", 5, 5)
    if r:
        with at(4):
            requests.decide_request(db, actors["technical.head"], r, False, "與本部門工作無關 not needed for our work")
        counts["refused"] += 1
    # Granted read, opened.
    r = ask("purchasing", pick(3), "read", "核對客供料條款 check the customer-supplied metal clause", 3, 14)
    if r:
        with at(2):
            requests.decide_request(db, actors["purchasing.head"], r, True)
        with at(2):
            requests.grant_request(db, keeper, r)
        with at(1):
            requests.open_document(db, actors["purchasing"], pick(3))
        counts["granted"] += 1
    # Borrowed and overdue.
    r = ask("quality", pick(4), "borrow", "客訴調查 complaint investigation", 20, 10)
    if r:
        with at(19):
            requests.decide_request(db, actors["quality.head"], r, True)
            requests.grant_request(db, keeper, r)
            loans.hand_out(db, keeper, r)
        counts["overdue"] += 1
    # Borrowed and returned.
    r = ask("production", pick(5), "borrow", "首件比對 first article comparison", 30, 7)
    if r:
        with at(29):
            requests.decide_request(db, actors["production.head"], r, True)
            requests.grant_request(db, keeper, r)
            loans.hand_out(db, keeper, r)
        with at(25):
            loans.return_document(db, keeper, pick(5), "完好 complete")
        counts["returned"] += 1
    return _("Archive: {filed} documents filed; access requests {pending} pending, {approved} approved, {granted} "
             "granted, {refused} refused; {overdue} loans overdue, {returned} returned.", filed=filed, **counts)
