"""'Re-plan all' and 'Optimise' in the window: the search off the GUI thread, then before/after, accept or discard."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QThread, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...db import Database
from ...i18n import _
from ...services.errors import DomainError
from ...services.planning.replan import (
    DEFAULT_OPTIMISE_SECONDS,
    MAX_OPTIMISE_SECONDS,
    ScheduleProposal,
    optimise_preview,
)


class ProposalView(QWidget):
    """Lateness before and after, how much would change, and the orders late after the change."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.summary = QLabel()
        self.summary.setObjectName("proposal_summary")
        self.summary.setWordWrap(True)
        self.late = QTableWidget(0, 5)
        self.late.setObjectName("proposal_late")
        self.late.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.late.verticalHeader().setVisible(False)
        self.late.horizontalHeader().setStretchLastSection(True)
        self.late.setMinimumHeight(160)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.late, 1)

    def show_proposal(self, proposal: ScheduleProposal) -> None:
        lines = [
            _("Weighted lateness (priority × days late): before {before}, after {after}.",
              before=proposal.lateness_before, after=proposal.lateness_after),
            _("Orders late before: {before}; after: {after}.", before=len(proposal.late_before),
              after=len(proposal.late_after)),
            _("{orders} orders ({steps} steps) would change.", orders=len(proposal.changed_orders),
              steps=proposal.changed_steps),
        ]
        if proposal.status_text:
            lines.insert(0, proposal.status_text)
        if proposal.lower_bound is not None:
            lines.append(_("No plan can do better than {bound}.", bound=proposal.lower_bound))
        if proposal.newly_late:
            lines.append(_("Newly late: {orders}", orders=", ".join(o.order_no for o in proposal.newly_late[:20])))
        for problem in proposal.excluded[:5]:
            lines.append(_("Left out: {problem}", problem=problem))
        self.summary.setText("\n".join(lines))
        self.late.setHorizontalHeaderLabels([_("Order no."), _("Delivery date"), _("Projected finish"),
                                             _("Days late"), _("Priority")])
        rows = proposal.late_after[:500]
        self.late.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, value in enumerate((row.order_no, row.due.isoformat(), row.finish.isoformat(),
                                       str(row.days_late), str(row.priority))):
                self.late.setItem(r, c, QTableWidgetItem(value))
        self.late.resizeColumnsToContents()


class ProposalDialog(QDialog):
    """The result of 'Re-plan all': accept it (the plans change) or discard it (nothing changes)."""

    def __init__(self, title: str, proposal: ScheduleProposal, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("planning_proposal_dialog")
        self.setWindowTitle(title)
        self.proposal = proposal
        self.view = ProposalView()
        self.view.show_proposal(proposal)
        self.buttons = QDialogButtonBox()
        self.accept_button = self.buttons.addButton(_("Accept"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.accept_button.setObjectName("proposal_accept")
        self.discard_button = self.buttons.addButton(_("Discard"), QDialogButtonBox.ButtonRole.RejectRole)
        self.discard_button.setObjectName("proposal_discard")
        self.accept_button.setEnabled(bool(proposal.changed_orders))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.buttons)
        self.resize(640, 420)


class OptimiseWorker(QThread):
    """Runs the CP-SAT search; reports progress through signals (the solver calls back from its own threads)."""

    sig_progress = Signal(object, object, float)  # best lateness so far (or None), bound (or None), seconds
    sig_finished = Signal(object)                # ScheduleProposal
    sig_failed = Signal(str)

    def __init__(self, db: Database, seconds: float, parent=None):
        super().__init__(parent)
        self.db = db
        self.seconds = seconds
        self.cancel = threading.Event()

    def run(self) -> None:
        try:
            proposal = optimise_preview(self.db, self.seconds, cancel=self.cancel,
                                        on_progress=lambda best, bound, elapsed: self.sig_progress.emit(
                                            best, bound, float(elapsed)))
        except DomainError as exc:
            self.sig_failed.emit(str(exc))
            return
        except Exception as exc:  # shown to the planner instead of dying silently in a worker thread
            self.sig_failed.emit(f"{type(exc).__name__}: {exc}")
            return
        self.sig_finished.emit(proposal)


_RUNNING: set[QThread] = set()


class OptimiseDialog(QDialog):
    """Choose the time limit, watch the best lateness so far, cancel at any time, then accept or discard."""

    def __init__(self, db: Database, parent: QWidget | None = None, seconds: float = DEFAULT_OPTIMISE_SECONDS):
        super().__init__(parent)
        self.setObjectName("planning_optimise_dialog")
        self.setWindowTitle(_("Optimise"))
        self.db = db
        self.worker: OptimiseWorker | None = None
        self.proposal: ScheduleProposal | None = None
        self.started = 0.0
        self.intro = QLabel(_("OR-Tools CP-SAT searches for the plan with the least total weighted lateness (priority "
                              "× days late) of all open orders. Started and finished steps stay where they are."))
        self.intro.setWordWrap(True)
        self.seconds = QDoubleSpinBox()
        self.seconds.setObjectName("optimise_seconds")
        self.seconds.setRange(1, MAX_OPTIMISE_SECONDS)
        self.seconds.setDecimals(0)
        self.seconds.setValue(seconds)
        self.seconds.setSuffix(" s")
        form = QFormLayout()
        form.addRow(_("Time limit"), self.seconds)
        self.progress = QProgressBar()
        self.progress.setObjectName("optimise_progress")
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.status = QLabel(_("Press Start to search."))
        self.status.setObjectName("optimise_status")
        self.status.setWordWrap(True)
        self.result_view = ProposalView()
        self.result_view.setVisible(False)
        self.start_button = QPushButton(_("Start"))
        self.start_button.setObjectName("optimise_start")
        self.cancel_button = QPushButton(_("Cancel"))
        self.cancel_button.setObjectName("optimise_cancel")
        self.accept_button = QPushButton(_("Accept"))
        self.accept_button.setObjectName("optimise_accept")
        self.discard_button = QPushButton(_("Discard"))
        self.discard_button.setObjectName("optimise_discard")
        self.accept_button.setVisible(False)
        self.discard_button.setVisible(False)
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.accept_button.clicked.connect(self.accept)
        self.discard_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.start_button, self.cancel_button, self.accept_button, self.discard_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.result_view, 1)
        layout.addLayout(buttons)
        self.timer = QTimer(self)
        self.timer.setInterval(100)
        self.timer.timeout.connect(self._tick)
        self.resize(640, 460)

    def start(self) -> None:
        self.start_button.setEnabled(False)
        self.seconds.setEnabled(False)
        self.status.setText(_("Searching …"))
        self.started = time.monotonic()
        # No parent: a QThread destroyed while its run() is still returning aborts the process, so the worker
        # is kept alive by _RUNNING until its thread has ended, whenever the dialog itself goes away.
        self.worker = OptimiseWorker(self.db, float(self.seconds.value()), None)
        _RUNNING.add(self.worker)
        self.worker.finished.connect(lambda worker=self.worker: _RUNNING.discard(worker))
        self.worker.sig_progress.connect(self._on_progress)
        self.worker.sig_finished.connect(self._on_finished)
        self.worker.sig_failed.connect(self._on_failed)
        self.timer.start()
        self.worker.start()

    def cancel(self) -> None:
        """Before or during the search: stop (the best plan so far is still shown); after it: discard."""
        if self.worker is not None and self.worker.isRunning():
            self.worker.cancel.set()
            self.cancel_button.setEnabled(False)
            self.status.setText(_("Stopping the search …"))
            return
        self.reject()

    def _tick(self) -> None:
        limit = max(1.0, float(self.seconds.value()))
        self.progress.setValue(min(1000, int(1000 * (time.monotonic() - self.started) / limit)))

    def _on_progress(self, best, bound, elapsed: float) -> None:
        if best is None:
            return
        text = _("Best weighted lateness so far: {best} ({seconds} s)", best=best, seconds=f"{elapsed:.1f}")
        if bound is not None:
            text += " — " + _("no plan can do better than {bound}", bound=int(bound))
        self.status.setText(text)

    def _stop_timer(self) -> None:
        self.timer.stop()
        self.progress.setValue(1000)
        self.cancel_button.setVisible(False)
        self.start_button.setVisible(False)

    def _on_finished(self, proposal: ScheduleProposal) -> None:
        self._stop_timer()
        self.proposal = proposal
        self.status.setText(_("Search stopped by the planner.") if proposal.cancelled else
                            _("Search finished in {seconds} s.", seconds=f"{proposal.elapsed:.1f}"))
        self.result_view.show_proposal(proposal)
        self.result_view.setVisible(True)
        self.accept_button.setVisible(True)
        # "replanned": the current plan cannot be carried out (overloaded, steps left in the past), so
        # the valid plan found may show more lateness than the impossible one and is still worth taking.
        worth_taking = proposal.improves or proposal.status in ("improved", "optimal", "replanned")
        self.accept_button.setEnabled(bool(proposal.changed_orders) and worth_taking)
        self.discard_button.setVisible(True)

    def _on_failed(self, message: str) -> None:
        self._stop_timer()
        self.status.setText(_("The search failed: {message}", message=message))
        self.discard_button.setVisible(True)

    def wait_for_worker(self, timeout_ms: int = 60_000) -> None:
        if self.worker is not None:
            self.worker.wait(timeout_ms)

    def done(self, result: int) -> None:
        if self.worker is not None and self.worker.isRunning():
            self.worker.cancel.set()
            self.worker.wait()
        super().done(result)
