"""The session cookie (`extensions.SessionCookies`): a permanent session's idle expiry is renewed
at most once a minute, a changed session is always sent, an expired one signs out."""
import time

from itsdangerous import TimestampSigner

COOKIE = "session"


def _set_cookie_headers(response):
    return [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{COOKIE}=")]


def _signed_ago(app, client, monkeypatch, seconds):
    """Re-sign the client's session cookie as if it had been sent `seconds` ago."""
    serializer = app.session_interface.get_signing_serializer(app)
    data = serializer.loads(client.get_cookie(COOKIE).value)
    signed_at = int(time.time()) - seconds
    with monkeypatch.context() as m:
        m.setattr(TimestampSigner, "get_timestamp", lambda self: signed_at)
        client.set_cookie(COOKIE, serializer.dumps(data))


def test_a_page_within_the_minute_does_not_resend_the_cookie(admin_client):
    admin_client.get("/datasets")  # the first page adds the form token to the session
    for _ in range(3):
        response = admin_client.get("/datasets")
        assert response.status_code == 200
        assert _set_cookie_headers(response) == []


def test_a_cookie_older_than_a_minute_is_renewed(app, admin_client, monkeypatch):
    _signed_ago(app, admin_client, monkeypatch, 120)
    old = admin_client.get_cookie(COOKIE).value
    response = admin_client.get("/datasets")
    assert response.status_code == 200
    assert len(_set_cookie_headers(response)) == 1
    renewed = admin_client.get_cookie(COOKIE).value
    assert renewed != old
    serializer = app.session_interface.get_signing_serializer(app)
    _data, signed_at = serializer.loads(renewed, return_timestamp=True)
    assert time.time() - signed_at.timestamp() < 30
    assert admin_client.get("/datasets").status_code == 200  # still signed in


def test_a_changed_session_is_always_sent(admin_client):
    response = admin_client.get("/datasets?lang=fr")
    assert response.status_code == 200
    assert len(_set_cookie_headers(response)) == 1
    assert "lang=fr" not in response.headers.get("Location", "")
    assert 'lang="fr"' in response.get_data(as_text=True)


def test_a_session_idle_beyond_its_lifetime_is_signed_out(app, admin_client, monkeypatch):
    lifetime = int(app.permanent_session_lifetime.total_seconds())
    _signed_ago(app, admin_client, monkeypatch, lifetime + 60)
    response = admin_client.get("/datasets")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_tampered_cookie_is_an_empty_session(admin_client):
    admin_client.set_cookie(COOKIE, admin_client.get_cookie(COOKIE).value[:-2] + "xx")
    response = admin_client.get("/datasets")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
