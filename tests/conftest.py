"""Shared fixtures: a fresh database per test (SQLite file, and PostgreSQL when CI provides one), users, data."""

from __future__ import annotations

import atexit
import datetime as dt
import os
import shutil
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests never read or write the user's own settings, data or cache folders (QSettings, the default database), and
# parallel workers (pytest-xdist) never share them: each test process gets its own, inherited by its subprocesses.
_PRIVATE_HOME = tempfile.mkdtemp(prefix="jewelryorders-tests-")
atexit.register(shutil.rmtree, _PRIVATE_HOME, True)
for _variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
    os.environ[_variable] = os.path.join(_PRIVATE_HOME, _variable.lower())

import pytest  # noqa: E402

from jewelryorders.db import open_database  # noqa: E402
from jewelryorders.i18n import set_language  # noqa: E402

def _worker_pg_url(url: str | None) -> str | None:
    """Each pytest-xdist worker gets its own PostgreSQL schema, so workers never drop each other's tables."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    return url + ("&" if "?" in url else "?") + f"options=-csearch_path%3Dw_{worker}"


PG_URL = _worker_pg_url(os.environ.get("JEWELRYORDERS_TEST_PG_URL"))
PG_SCHEMA = "w_" + os.environ["PYTEST_XDIST_WORKER"] if os.environ.get("PYTEST_XDIST_WORKER") else "public"
BACKENDS = ["sqlite"] + (["postgres"] if PG_URL else [])


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """Tests create many users; a low scrypt cost keeps them fast (the stored format and checks are the same)."""
    from jewelryorders.services import users

    monkeypatch.setattr(users, "SCRYPT_N", 2**10)
    # A failed login pauses before answering; tests of that pause replace this with a recorder.
    monkeypatch.setattr(users, "_pause_after_failure", lambda seconds: None)


@pytest.fixture(autouse=True)
def installation_data_dir(tmp_path, monkeypatch):
    """The installation's data folder (the audit anchor's key and anchors) is the test's own, never the real one."""
    folder = tmp_path / "installation-data"
    monkeypatch.setenv("JEWELRYORDERS_DATA_DIR", str(folder))
    return folder


# Every test runs at the same moment on the application's clock, whatever the real date, so no test passes today
# and fails next month (`JEWELRYORDERS_CLOCK=+365d ./jo test` or faketime a year ahead show it).
TEST_TODAY = dt.date(2026, 11, 16)


@pytest.fixture(autouse=True)
def fixed_clock():
    """The application's clock stands at 10:00 local time on TEST_TODAY; a test may move it with clock.set_fixed."""
    from jewelryorders import clock

    clock.set_fixed(TEST_TODAY)
    yield clock
    clock.reset()


@pytest.fixture(autouse=True)
def english():
    """Tests read messages in English unless they switch language themselves."""
    set_language("en")
    yield
    set_language("en")


def _reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {PG_SCHEMA}"))
    engine.dispose()


@pytest.fixture
def sqlite_db(tmp_path):
    db = open_database("sqlite:///" + str(tmp_path / "factory.db"))
    yield db
    db.close()


@pytest.fixture(params=BACKENDS)
def db(request, tmp_path):
    """Service tests run on a real SQLite file and, when $JEWELRYORDERS_TEST_PG_URL is set, on PostgreSQL."""
    if request.param == "postgres":
        _reset_postgres(PG_URL)
        database = open_database(PG_URL)
    else:
        database = open_database("sqlite:///" + str(tmp_path / "factory.db"))
    yield database
    database.close()


@pytest.fixture
def admin(db):
    from jewelryorders.services import users

    users.setup_factory(db, "金福珠寶廠 Golden Luck Jewelry", "admin", "admin-pass", "en", "Administrator")
    return users.authenticate(db, "admin", "admin-pass")


@pytest.fixture
def make_user(db, admin):
    """make_user("production", "department_head") -> an authenticated Actor of that department and role."""
    from jewelryorders.services import users

    counter = {"n": 0}

    def make(department: str, role: str = "clerk", username: str | None = None):
        counter["n"] += 1
        name = username or f"{department[:4]}{role[:3]}{counter['n']}"
        users.create_user(db, admin, name, name.title(), department, role, "password1")
        return users.authenticate(db, name, "password1")

    return make


@pytest.fixture
def sales(make_user):
    return make_user("sales", "clerk", "sales1")


@pytest.fixture
def customer(db, sales):
    from jewelryorders.services import customers

    return customers.create_customer(db, sales, customers.CustomerInput(
        name="周大福珠寶", name_en="Chow Tai Fook Jewellery", contact_person="陳小姐", phone="+852 2345 6789",
        email="orders@ctf.example", country="Hong Kong", credit_rating="A", credit_limit="2000000", currency="HKD"))


def order_input(customer_id: int, *, complete: bool = True, lines: int = 1, order_date=dt.date(2026, 11, 2),
                delivery_date=dt.date(2027, 1, 15), quantity=50):
    """A realistic order input; complete=False leaves out what a draft may lack."""
    from jewelryorders.services.orders.intake import LineInput, OrderInput, StoneInput

    return OrderInput(
        customer_id=customer_id, channel="trade_fair", order_date=order_date,
        delivery_date=delivery_date if complete else None,
        delivery_place="香港九龍彌敦道 88 號" if complete else "",
        special_requirements="鑲石需牢固；內圈刻字 LOVE", currency="HKD",
        lines=[LineInput(style_code=f"R-18K-{i:03d}", metal="Au750", quantity=quantity,
                         description="18K 金鑽石戒指" if complete else "", size="#12",
                         target_weight_g="3.125" if complete else None, unit_price="2380.00" if complete else None,
                         stones=[StoneInput("diamond", 12, "0.360")]) for i in range(1, lines + 1)])


@pytest.fixture
def order_factory(db, sales, customer):
    from jewelryorders.services.orders import intake as orders

    def make(**kw):
        return orders.create_order(db, sales, order_input(customer.id, **kw))

    return make


def pytest_collection_modifyitems(config, items):
    """PostgreSQL runs the service tests; widget tests (those using qtbot) run once, on SQLite."""
    kept, dropped = [], []
    for item in items:
        params = getattr(item, "callspec", None)
        on_postgres = params is not None and params.params.get("db") == "postgres"
        (dropped if on_postgres and "qtbot" in getattr(item, "fixturenames", ()) else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
