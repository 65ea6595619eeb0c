"""How a request's transaction ends on PostgreSQL (`extensions.end_request_transaction`): rolled
back below psycopg, so that psycopg keeps its prepared statements, writes included; left to
the usual rollback when it failed or the request raised. A pooled connection that the server
closed is replaced at checkout (`extensions.drop_closed_connection`), a live one kept."""
import pytest
import sqlalchemy as sa
from psycopg.pq import TransactionStatus

from inventory.extensions import db, end_request_transaction
from inventory.models import Organization
from tests.conftest import PASSWORD, Factory

pytestmark = pytest.mark.postgres_only


@pytest.fixture(autouse=True)
def _postgres(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("prepared statements and transaction ids are PostgreSQL's")


def _prepared_statements():
    return db.session.scalar(sa.text("SELECT count(*) FROM pg_prepared_statements"))


def test_pages_that_write_nothing_keep_their_prepared_statements(app):
    with app.app_context():
        admin = Factory().user("admin")
        email = admin.email
        db.session.remove()
        db.engine.dispose()  # every request below uses the pool's only connection
        pool = db.engine.pool
    # No outer app context: each request pushes and pops its own, as under gunicorn.
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    for _ in range(8):  # psycopg prepares a statement at its fifth run on a connection
        assert client.get("/datasets").status_code == 200
    assert pool.checkedin() == 1
    with app.app_context():
        assert _prepared_statements() > 0
        db.session.remove()


def test_a_transaction_that_wrote_is_rolled_back(app):
    with app.test_request_context("/"):
        db.session.add(Organization(code="WROTE", name_ar="كتب", name_fr="Écrit"))
        db.session.flush()  # written in the transaction, never committed
        driver = db.session.connection().connection.dbapi_connection
        end_request_transaction(None)
        assert driver.info.transaction_status == TransactionStatus.IDLE
        db.session.remove()  # finds nothing left to roll back
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Organization)
                                 .where(Organization.code == "WROTE")) == 0


def test_prepared_statements_outlive_the_rollback(app):
    """A statement prepared inside the rolled-back transaction, even one that wrote, still
    runs in the next: psycopg kept its name and PostgreSQL the statement."""
    count_orgs = sa.select(sa.func.count()).select_from(Organization)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # one pooled connection for both contexts below
    with app.test_request_context("/"):
        db.session.add(Organization(code="PREP", name_ar="كتب", name_fr="Écrit"))
        for _ in range(6):  # prepared at the fifth run
            assert db.session.scalar(count_orgs) >= 1
        prepared = _prepared_statements()
        assert prepared > 0
        end_request_transaction(None)
        db.session.remove()
    with app.test_request_context("/"):
        assert _prepared_statements() == prepared
        assert db.session.scalar(count_orgs) == db.session.scalar(
            sa.text("SELECT count(*) FROM organization"))
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Organization)
                                 .where(Organization.code == "PREP")) == 0
        db.session.remove()


def test_a_failed_transaction_is_left_to_the_rollback(app):
    with app.test_request_context("/"):
        with pytest.raises(sa.exc.DataError):
            db.session.execute(sa.text("SELECT 1 / 0"))
        end_request_transaction(None)  # does not raise on the aborted transaction
        db.session.remove()
        assert db.session.scalar(sa.text("SELECT 1")) == 1


def test_a_request_that_raised_is_left_to_the_rollback(app):
    with app.test_request_context("/"):
        db.session.scalar(sa.select(sa.func.count()).select_from(Organization))
        driver = db.session.connection().connection.dbapi_connection
        end_request_transaction(RuntimeError("the view failed"))
        assert driver.info.transaction_status == TransactionStatus.INTRANS
        db.session.remove()


def _terminate_backend(app, pid):
    """Close a connection from the server's side, as a restart would; waits until it is gone."""
    killer = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=sa.pool.NullPool)
    with killer.connect() as conn:
        assert conn.scalar(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
    killer.dispose()


def test_a_connection_the_server_closed_does_not_fail_the_response(app, caplog):
    with app.test_request_context("/"):
        db.session.scalar(sa.select(sa.func.count()).select_from(Organization))
        _terminate_backend(app, db.session.scalar(sa.text("SELECT pg_backend_pid()")))
        end_request_transaction(None)  # logged, not raised
        db.session.remove()
    assert "could not end a request's transaction" in caplog.text
    with app.app_context():  # the pool replaced the connection
        assert db.session.scalar(sa.text("SELECT 1")) == 1
        db.session.remove()


def _backend_pid_of_pooled_connection(app):
    with app.app_context():
        pid = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
        db.session.remove()
    return pid


def test_a_healthy_pooled_connection_is_kept(app):
    """Without `pool_pre_ping`, the checkout's look at the socket keeps a live connection."""
    with app.app_context():
        db.engine.dispose()
        assert db.engine.pool._pre_ping is False
    first = _backend_pid_of_pooled_connection(app)
    assert _backend_pid_of_pooled_connection(app) == first


def test_a_pooled_connection_the_server_closed_is_replaced(app):
    with app.app_context():
        admin = Factory().user("admin")
        email = admin.email
        db.session.remove()
        db.engine.dispose()
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    pid = _backend_pid_of_pooled_connection(app)
    _terminate_backend(app, pid)
    # The next page runs on a new connection, not on the closed one (no 500).
    assert client.get("/datasets").status_code == 200
    assert _backend_pid_of_pooled_connection(app) != pid
