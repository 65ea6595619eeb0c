"""How a request's transaction ends (`extensions.end_unwritten_transaction`): with COMMIT on
PostgreSQL when it wrote nothing, so psycopg keeps its prepared statements; with the usual
ROLLBACK when it wrote, failed or raised."""
import pytest
import sqlalchemy as sa
from psycopg.pq import TransactionStatus

from inventory.extensions import db, end_unwritten_transaction
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
        end_unwritten_transaction(None)
        assert driver.info.transaction_status == TransactionStatus.INTRANS
        db.session.remove()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Organization)
                                 .where(Organization.code == "WROTE")) == 0


def test_a_transaction_that_only_read_ends_with_commit(app):
    with app.test_request_context("/"):
        db.session.scalar(sa.select(sa.func.count()).select_from(Organization))
        driver = db.session.connection().connection.dbapi_connection
        end_unwritten_transaction(None)
        assert driver.info.transaction_status == TransactionStatus.IDLE
        db.session.remove()  # finds nothing left to roll back


def test_a_failed_transaction_is_left_to_the_rollback(app):
    with app.test_request_context("/"):
        with pytest.raises(sa.exc.DataError):
            db.session.execute(sa.text("SELECT 1 / 0"))
        end_unwritten_transaction(None)  # does not raise on the aborted transaction
        db.session.remove()
        assert db.session.scalar(sa.text("SELECT 1")) == 1


def test_a_request_that_raised_is_left_to_the_rollback(app):
    with app.test_request_context("/"):
        db.session.scalar(sa.select(sa.func.count()).select_from(Organization))
        driver = db.session.connection().connection.dbapi_connection
        end_unwritten_transaction(RuntimeError("the view failed"))
        assert driver.info.transaction_status == TransactionStatus.INTRANS
        db.session.remove()


def test_a_lost_connection_does_not_fail_the_response(app, monkeypatch, caplog):
    with app.test_request_context("/"):
        db.session.scalar(sa.select(sa.func.count()).select_from(Organization))

        def lost(*args, **kwargs):
            raise sa.exc.OperationalError("SELECT", {}, Exception("server closed the connection"))
        monkeypatch.setattr(sa.engine.Connection, "exec_driver_sql", lost)
        end_unwritten_transaction(None)  # logged, not raised
        monkeypatch.undo()
        db.session.remove()
    assert "could not end a read-only transaction" in caplog.text
