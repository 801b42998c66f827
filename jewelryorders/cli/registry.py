"""Where each part of the procedure registers its kinds for the one list/print/import/export command family."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Callable

from ..db import Database
from ..services.context import Actor


@dataclass
class CliContext:
    """What a command gets: the open database, the language, and (once asked for) the acting user."""

    db: Database
    lang: str
    args: argparse.Namespace
    actor_provider: Callable[[], Actor]

    def actor(self) -> Actor:
        return self.actor_provider()


@dataclass
class Kind:
    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[CliContext, argparse.Namespace], int]


LIST_KINDS: dict[str, Kind] = {}
PRINT_KINDS: dict[str, Kind] = {}
IMPORT_KINDS: dict[str, Kind] = {}
EXPORT_KINDS: dict[str, Kind] = {}
# Top-level commands other than the families above (e.g. "plan"), added by feature modules.
COMMANDS: dict[str, Kind] = {}

FAMILIES = {"list": LIST_KINDS, "print": PRINT_KINDS, "import": IMPORT_KINDS, "export": EXPORT_KINDS}


def register(family: str, kind: Kind) -> None:
    table = COMMANDS if family == "command" else FAMILIES[family]
    table[kind.name] = kind
