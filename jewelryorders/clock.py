"""The application's one clock: every "now" and "today" comes from here, so tests and year-ahead runs can set it."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import threading
from typing import Iterator

_lock = threading.Lock()
_fixed: dt.datetime | None = None
_offset = dt.timedelta(0)

# "+365d", "-30d" (days from the real time) or "2027-12-03" / "2027-12-03T10:00:00" (a moment, then running).
ENV_VAR = "JEWELRYORDERS_CLOCK"
_OFFSET_FORMAT = re.compile(r"^([+-]\d+)d$")


def _real_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


_TICK = dt.timedelta(microseconds=1)


def now() -> dt.datetime:
    """The current moment, timezone-aware UTC. A stopped clock still ticks a microsecond per reading, so two
    events recorded one after the other keep their order, as they would in real time."""
    global _fixed
    with _lock:
        if _fixed is not None:
            _fixed = _fixed + _TICK
            return _fixed
        return _real_now() + _offset


def local_now() -> dt.datetime:
    """The current moment in the workstation's time zone (for what people read: papers, file names)."""
    return now().astimezone()


def today() -> dt.date:
    """The workstation's calendar date."""
    return local_now().date()


def set_fixed(moment: dt.datetime | dt.date) -> None:
    """Stop the clock at `moment` (a date means 10:00 local time that day)."""
    global _fixed, _offset
    with _lock:
        _fixed = _aware(moment)
        _offset = dt.timedelta(0)


def set_offset(delta: dt.timedelta) -> None:
    """Let the clock run, `delta` away from the real time."""
    global _fixed, _offset
    with _lock:
        _fixed = None
        _offset = delta


def advance(delta: dt.timedelta) -> None:
    """Move a stopped clock forward (or a running one further away)."""
    global _fixed, _offset
    with _lock:
        if _fixed is not None:
            _fixed = _fixed + delta
        else:
            _offset = _offset + delta


def reset() -> None:
    """Back to the real time (and to $JEWELRYORDERS_CLOCK if it is set)."""
    global _fixed, _offset
    with _lock:
        _fixed = None
        _offset = dt.timedelta(0)
    apply_environment()


@contextlib.contextmanager
def frozen(moment: dt.datetime | dt.date) -> Iterator[None]:
    """Within the block the clock stands at `moment`; afterwards it is as it was."""
    global _fixed, _offset
    with _lock:
        saved = (_fixed, _offset)
    set_fixed(moment)
    try:
        yield
    finally:
        with _lock:
            _fixed, _offset = saved


def _aware(moment: dt.datetime | dt.date) -> dt.datetime:
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time(10, 0))
    if moment.tzinfo is None:
        moment = moment.astimezone()  # a naive moment is local time
    return moment.astimezone(dt.timezone.utc)


def parse_setting(value: str) -> tuple[dt.datetime | None, dt.timedelta]:
    """(moment, offset) from "+365d" or an ISO date/time; ValueError with a readable message otherwise."""
    value = value.strip()
    m = _OFFSET_FORMAT.match(value)
    if m:
        return None, dt.timedelta(days=int(m.group(1)))
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{ENV_VAR}={value!r}: use +365d, -30d or a date such as 2027-12-03") from None
    return moment, dt.timedelta(0)


def apply_environment() -> None:
    """$JEWELRYORDERS_CLOCK moves the whole application in time: "+365d" or a starting moment that then runs."""
    value = os.environ.get(ENV_VAR, "").strip()
    if not value:
        return
    moment, offset = parse_setting(value)
    if moment is not None:
        offset = _aware(moment) - _real_now()
    set_offset(offset)


apply_environment()
