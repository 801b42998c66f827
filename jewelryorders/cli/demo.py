"""`jewelryorders demo --orders N --seed S`: a new database filled with a realistic factory."""

from __future__ import annotations

import argparse
import sys
import time

from ..demo import build_demo, data
from ..i18n import _
from ..services.stages import stage_label
from .registry import CliContext, Kind, register


def _args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--orders", type=int, default=500, help=_("number of orders (default 500)"))
    p.add_argument("--seed", type=int, default=1, help=_("random seed; the same seed gives the same factory"))


def _run(ctx: CliContext, args) -> int:
    if args.orders < 0:
        print(_("--orders must be zero or more."), file=sys.stderr)
        return 2
    started = time.monotonic()
    last = [0.0]
    phase_started: dict[str, float] = {}

    def progress(what: str, done: int, total: int) -> None:
        # A line when a phase begins, every few seconds while it runs (with its rate and the time it still needs),
        # and when it ends, with the time it took.
        now = time.monotonic()
        phase_started.setdefault(what, now)
        seconds = now - phase_started[what]
        if now - last[0] > 5 or done == total or done == 0:
            last[0] = now
            line = _("{what}: {done:,} / {total:,} ({seconds:.0f} s; {elapsed:.0f} s in all)", what=what, done=done,
                     total=total, seconds=seconds, elapsed=now - started)
            if 0 < done < total and total > 1 and seconds > 0:
                rate = done / seconds
                line += " " + _("{rate:,.1f} a second, about {eta:.0f} s to go", rate=rate, eta=(total - done) / rate)
            print(line, file=sys.stderr, flush=True)

    result = build_demo(ctx.db, n_orders=args.orders, seed=args.seed, progress=progress)
    print(_("Demo factory created in {file} in {seconds:.0f} s.", file=ctx.db.display_name,
            seconds=time.monotonic() - started))
    print(_("{users} users, {customers} customers, {styles} styles, {orders:,} orders.", users=result.users,
            customers=result.customers, styles=result.styles, orders=result.orders))
    for stage, count in sorted(result.stages.items(), key=lambda kv: -kv[1]):
        print(f"  {stage_label(stage)}: {count:,}")
    for note in result.notes:
        print("  " + note)
    print(_("Log in as admin / {admin_pw}, or as any demo user (sales, sales.head, production.head, manager, ...) "
            "with the password {pw}.", admin_pw=data.ADMIN_PASSWORD, pw=data.DEMO_PASSWORD))
    return 0


def register_cli() -> None:
    register("command", Kind("demo", _("fill a new database with a realistic demo factory"), _args, _run))
