"""SQLAlchemy entities, one module per part of the procedure; importing this package registers them all."""

from importlib import import_module
from pkgutil import iter_modules

from .base import Base, UTCDateTime, utcnow

# Every module in this package is an entity module; importing them all fills Base.metadata for Alembic and tests.
for _info in iter_modules(__path__):
    if _info.name != "base":
        import_module(f"{__name__}.{_info.name}")

__all__ = ["Base", "UTCDateTime", "utcnow"]
