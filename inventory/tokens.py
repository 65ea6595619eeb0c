"""Personal API tokens and the per-token rate limit.

A token is `inv_` followed by 256 random bits (URL-safe base64). Only its SHA-256 is stored:
a slow password hash is pointless for a secret of that entropy, and a plain digest lets a
request find its token with one indexed lookup. The first characters (the `prefix`) are kept
in clear so users can recognise a token in their list. A token acts as its user with the
user's *current* role and organizations: deactivating the user, or removing them from an
organization, takes effect on the very next request.

The rate limit is a fixed window per token, counted where every worker process sees it: in
Redis when QUEUE_URL is redis://, else in the database (`ApiRateCounter`), in a transaction
of its own so that a request which fails (and rolls back) still counts.
"""
import hashlib
import logging
import math
import re
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from .audit import record_audit
from .extensions import db
from .models import ApiRateCounter, ApiToken, User, utcnow

log = logging.getLogger(__name__)

TOKEN_MARK = "inv_"
PREFIX_LENGTH = 12  # "inv_" and 8 random characters: enough to tell tokens apart
MAX_ACTIVE_TOKENS = 20
# last_used_at is written at most this often per token (it is informative, not an audit).
LAST_USED_RESOLUTION = timedelta(minutes=1)
_TOKEN_SHAPE = re.compile(r"^inv_[A-Za-z0-9_-]{43}$")


def hash_token(secret):
    """Hex SHA-256 of a token's secret: what the database stores and looks up."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def token_status(token, now=None):
    """'active', 'expired' or 'revoked'."""
    now = now or utcnow()
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"


def active_tokens(user):
    """SELECT of `user`'s tokens that still work (not revoked, not expired)."""
    now = utcnow()
    return sa.select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None),
                                     ApiToken.expires_at > now)


def tokens_of(user):
    """`user`'s tokens for the profile page: newest first, active and recently ended ones."""
    since = utcnow() - timedelta(days=30)
    return db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id).where(
            sa.or_(sa.and_(ApiToken.revoked_at.is_(None), ApiToken.expires_at > since),
                   ApiToken.revoked_at > since))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).all()


class TokenError(Exception):
    """A token cannot be issued (bad lifetime, too many tokens); `message` is translated."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def lifetime_days(days=None):
    """The token lifetime to use: the configured default, or `days` within 1..the maximum."""
    cfg = current_app.config
    maximum = cfg["API_TOKEN_MAX_DAYS"]
    if days is None:
        return min(cfg["API_TOKEN_DEFAULT_DAYS"], maximum)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= maximum:
        raise TokenError(_l("A token lives between 1 and %(max)s days.", max=maximum))
    return days


def issue_token(user, name="", days=None, actor=None):
    """Create a token for `user` and return `(ApiToken, secret)`; the secret is never stored
    and cannot be shown again. Flushes; the caller commits."""
    days = lifetime_days(days)
    if not user.active:
        raise TokenError(_l("This account is deactivated."))
    count = db.session.scalar(sa.select(sa.func.count()).select_from(active_tokens(user)
                                                                      .subquery()))
    if count >= MAX_ACTIVE_TOKENS:
        raise TokenError(_l("You already have %(max)s active tokens: revoke one first.",
                            max=MAX_ACTIVE_TOKENS))
    secret = TOKEN_MARK + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=(name or "").strip()[:100], prefix=secret[:PREFIX_LENGTH],
                     token_hash=hash_token(secret),
                     expires_at=utcnow() + timedelta(days=days))
    db.session.add(token)
    db.session.flush()
    record_audit(actor or user, "api_token.create", token, user=user.email, name=token.name,
                 prefix=token.prefix, expires_at=token.expires_at.isoformat())
    return token, secret


def revoke_token(token, actor):
    """Revoke `token` now (idempotent). Flushes; the caller commits."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record_audit(actor, "api_token.revoke", token, user=token.user.email,
                     prefix=token.prefix)
        db.session.flush()
    return token


# --------------------------------------------------------------------------- authentication

class TokenRejected(Exception):
    """The request's credentials do not authenticate; `reason` is a stable code, `message`
    a translated explanation for the client."""

    MESSAGES = {
        "missing": _l("Send a personal API token: Authorization: Bearer <token>. Create one on "
                      "your profile page."),
        "malformed": _l("The Authorization header must be “Bearer <token>”."),
        "unknown": _l("This API token is not valid."),
        "revoked": _l("This API token has been revoked: create a new one on your profile page."),
        "expired": _l("This API token has expired: create a new one on your profile page."),
        "inactive_user": _l("The account of this API token is deactivated."),
    }

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason
        self.message = self.MESSAGES[reason]


def authenticate(authorization):
    """The active ApiToken named by an `Authorization: Bearer <token>` header value, or raise
    TokenRejected. The token's user is loaded with it."""
    if not authorization:
        raise TokenRejected("missing")
    scheme, _sep, secret = authorization.strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        raise TokenRejected("malformed")
    if not _TOKEN_SHAPE.match(secret):
        raise TokenRejected("unknown")
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    # A digest match on a 256-bit secret cannot happen by chance; compare anyway in constant
    # time so that no code path depends on partial matches.
    if token is None or not secrets.compare_digest(token.token_hash, hash_token(secret)):
        raise TokenRejected("unknown")
    status = token_status(token)
    if status != "active":
        raise TokenRejected(status)
    user = db.session.get(User, token.user_id)
    if user is None or not user.active:
        raise TokenRejected("inactive_user")
    return token


# --------------------------------------------------------------------------- rate limit

_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour|day)s?\s*$")


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int  # seconds


def parse_rate(text):
    """'300/minute' -> Rate(300, 60). Raises ValueError on anything else."""
    match = _RATE.match(text or "")
    if not match or int(match.group(1)) < 1:
        raise ValueError(f"API_RATE_LIMIT must look like 300/minute, not {text!r}")
    return Rate(int(match.group(1)), _PERIODS[match.group(2)])


@dataclass(frozen=True)
class RateState:
    limit: int
    count: int
    reset_in: int  # whole seconds until the window ends (at least 1)

    @property
    def allowed(self):
        return self.count <= self.limit

    @property
    def remaining(self):
        return max(0, self.limit - self.count)


def record_use(token):
    """Count one request of `token` in the shared window and note its last use; returns the
    RateState (check `.allowed`)."""
    rate = parse_rate(current_app.config["API_RATE_LIMIT"])
    now = time.time()
    window = int(now // rate.period) * rate.period
    reset_in = max(1, math.ceil(window + rate.period - now))
    # Keyed by the digest, not the id: ids are reused (SQLite) and one Redis may serve
    # several databases.
    key = f"token:{token.token_hash[:40]}"
    count = None
    if current_app.config.get("QUEUE_URL", "").startswith(("redis://", "rediss://")):
        count = _redis_hit(key, window, rate.period)
    now_dt = utcnow()
    stale_use = token.last_used_at is None or token.last_used_at < now_dt - LAST_USED_RESOLUTION
    if count is None or stale_use:
        with db.engine.begin() as conn:  # its own transaction, whatever the request does
            if count is None:
                count = _database_hit(conn, key, window)
            if stale_use:  # the condition again: another worker may have just written it
                conn.execute(sa.update(ApiToken).where(
                    ApiToken.id == token.id,
                    sa.or_(ApiToken.last_used_at.is_(None),
                           ApiToken.last_used_at < now_dt - LAST_USED_RESOLUTION))
                    .values(last_used_at=now_dt))
    return RateState(rate.limit, count, reset_in)


def _database_hit(conn, key, window):
    """Atomic upsert: +1 in the current window, or restart at 1 in a new one."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = ApiRateCounter.__table__
    stmt = insert(table).values(key=key, window_start=window, count=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={"count": sa.case((table.c.window_start == stmt.excluded.window_start,
                                table.c.count + 1), else_=1),
              "window_start": stmt.excluded.window_start},
    ).returning(table.c.count)
    return conn.execute(stmt).scalar_one()


def _redis_hit(key, window, period):
    """INCR of a per-window key that expires with its window; None when Redis is unreachable
    (the database then counts: a limiter outage must not take the API down)."""
    import redis
    client = current_app.extensions.get("inventory.api_redis")
    if client is None:
        client = redis.Redis.from_url(current_app.config["QUEUE_URL"], socket_timeout=2,
                                      socket_connect_timeout=2)
        current_app.extensions["inventory.api_redis"] = client
    name = f"inventory:api-rate:{key}:{window}"
    try:
        pipe = client.pipeline()
        pipe.incr(name)
        pipe.expire(name, period + 5)
        count, _ = pipe.execute()
        return int(count)
    except redis.RedisError as exc:
        log.warning("API rate limit: Redis unavailable (%s); counting in the database", exc)
        return None
