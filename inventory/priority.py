"""Priority for opening: a 0-100 score from the entry's inputs, its tier, and why.

The score is a weighted mean of normalised inputs; weights are an admin setting. Entries that
will not be opened (restricted or not publishable) are not scored low: their tier is
`excluded` and they are listed apart. A reviewer may override the tier with a reason.
"""
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from .audit import record_audit
from .errors import InvalidInput, PermissionDenied
from .extensions import db
from .models import Dataset, Setting, utcnow
from .reference_cache import cached_reference
from .workflow import can_override_priority

DEFAULT_WEIGHTS = {
    "demand": 25,
    "ati_requests": 10,
    "value": 25,
    "obligation": 20,
    "readiness": 10,
    "risk": 10,
}
WEIGHT_LABELS = {
    "demand": _l("Demand from users"),
    "ati_requests": _l("Access-to-information requests"),
    "value": _l("Economic and social value"),
    "obligation": _l("Legal obligation or high-value category"),
    "readiness": _l("Readiness (little effort to publish)"),
    "risk": _l("Low risk"),
}
THRESHOLDS = {"high": 60, "medium": 35}
OVERRIDE_TIERS = ("high", "medium", "low")  # "excluded" follows the classification only
MAX_WEIGHT = 100
ATI_CAP = 10  # ten or more access-to-information requests count fully
SETTING_KEY = "priority_weights"


@dataclass
class PriorityResult:
    score: int | None
    tier: str
    parts: list  # [(key, label, normalised 0..1, weight, points)]
    missing: list  # input keys not answered yet

    @property
    def complete(self):
        return not self.missing


def get_weights():
    """The admin's weights (missing keys fall back to the defaults)."""
    row = db.session.get(Setting, SETTING_KEY)
    weights = dict(DEFAULT_WEIGHTS)
    if row is not None and isinstance(row.value, dict):
        for key, value in row.value.items():
            if key in weights and isinstance(value, int | float) and value >= 0:
                weights[key] = value
    return weights


def shown_weights():
    """`get_weights()` kept per process under the reference version, for pages that only show
    a score's make-up (entry page, review pages). Code that writes settings or scores reads
    `get_weights()`: its own uncommitted write does not change the version."""
    return dict(cached_reference(("priority_weights",), get_weights))


def set_weights(weights):
    """Store the admin's weights (integers 0..MAX_WEIGHT; at least one positive). Stored scores
    are not touched: call `recompute_all` afterwards."""
    clean = {k: min(MAX_WEIGHT, max(0, int(v))) for k, v in weights.items()
             if k in DEFAULT_WEIGHTS}
    if not any(clean.values()):
        raise ValueError("at least one weight must be positive")
    row = db.session.get(Setting, SETTING_KEY)
    if row is None:
        row = Setting(key=SETTING_KEY, value=clean)
        db.session.add(row)
    else:
        row.value = clean
    return clean


def _level(value):
    return None if value is None else max(0, min(3, value)) / 3


def compute(dataset, weights=None):
    """Score `dataset` from its inputs; a pure function of the entry and the weights."""
    weights = weights or DEFAULT_WEIGHTS
    if dataset.classification in ("restricted", "not_publishable"):
        return PriorityResult(None, "excluded", [], [])
    inputs = {
        "demand": _level(dataset.demand),
        "ati_requests": (None if dataset.ati_requests is None
                         else min(max(dataset.ati_requests, 0), ATI_CAP) / ATI_CAP),
        "value": _level(dataset.value),
        "obligation": 1.0 if (dataset.legal_obligation or dataset.hvd_category) else 0.0,
        "readiness": _level(dataset.readiness),
        "risk": None if dataset.risk is None else 1 - _level(dataset.risk),
    }
    total_weight = sum(weights.values()) or 1
    parts, missing, points_sum = [], [], 0.0
    for key, normalised in inputs.items():
        if normalised is None:
            # ATI request counts default to none received; the other inputs must be answered.
            if key != "ati_requests":
                missing.append(key)
            normalised = 0.0
        points = 100 * weights.get(key, 0) * normalised / total_weight
        points_sum += points
        parts.append((key, WEIGHT_LABELS[key], normalised, weights.get(key, 0), round(points, 1)))
    score = int(round(points_sum))
    tier = "high" if score >= THRESHOLDS["high"] else (
        "medium" if score >= THRESHOLDS["medium"] else "low")
    return PriorityResult(score, tier, parts, missing)


def effective_tier(result, override_tier):
    """The tier stored and shown: an override wins, except over `excluded` (an entry that will
    not be opened is listed apart whatever a reviewer thinks of its priority)."""
    if result.tier == "excluded":
        return "excluded"
    return override_tier or result.tier


def refresh(dataset, weights=None):
    """Store the computed score and the effective tier (the override wins) on the entry."""
    result = compute(dataset, weights or get_weights())
    dataset.priority_score = result.score
    dataset.priority_tier = effective_tier(result, dataset.priority_override_tier)
    return result


_SCORING_COLUMNS = (Dataset.id, Dataset.classification, Dataset.demand, Dataset.ati_requests,
                    Dataset.value, Dataset.legal_obligation, Dataset.hvd_category,
                    Dataset.readiness, Dataset.risk, Dataset.priority_override_tier,
                    Dataset.priority_score, Dataset.priority_tier)


def recompute_all(weights=None, batch_size=1000):
    """Re-score every entry with `weights` (default: the stored ones), `batch_size` entries at a
    time; returns how many entries' stored score or tier changed.

    Reads only the scoring columns (keyset-paged by id) and writes only the rows that change,
    with one executemany per batch. The score is derived data, not an edit, so this is a Core
    UPDATE that leaves the optimistic-lock `version` alone: nobody editing an entry gets a
    conflict because an admin changed the weights. Flushes nothing else; the caller commits.
    """
    weights = weights or get_weights()
    table = Dataset.__table__
    update = (sa.update(table).where(table.c.id == sa.bindparam("b_id"))
              .values(priority_score=sa.bindparam("b_score"), priority_tier=sa.bindparam("b_tier")))
    changed, last_id = 0, 0
    while True:
        rows = db.session.execute(sa.select(*_SCORING_COLUMNS).where(Dataset.id > last_id)
                                  .order_by(Dataset.id).limit(batch_size)).all()
        if not rows:
            break
        batch = []
        for row in rows:
            result = compute(row, weights)
            tier = effective_tier(result, row.priority_override_tier)
            if (result.score, tier) != (row.priority_score, row.priority_tier):
                batch.append({"b_id": row.id, "b_score": result.score, "b_tier": tier})
        if batch:
            db.session.execute(update, batch)
            changed += len(batch)
        last_id = rows[-1].id
    return changed


def override_tier(dataset, user, tier, reason):
    """A reviewer (of the entry's organization) or an admin sets the tier by hand, with a reason.

    Records who, when and why on the entry and an audit row; flushes. Raises PermissionDenied,
    or InvalidInput with field-anchored messages (`tier`, `reason`)."""
    if not can_override_priority(user, dataset):
        raise PermissionDenied(_l("You are not allowed to do this on this entry."))
    problems = {}
    if compute(dataset).tier == "excluded":
        problems["tier"] = [_l("This entry will not be opened: it has no priority tier to "
                               "override.")]
    elif tier not in OVERRIDE_TIERS:
        problems["tier"] = [_l("Choose a tier.")]
    reason = (reason or "").strip()
    if not reason:
        problems["reason"] = [_l("Give the reason for setting the tier by hand.")]
    elif len(reason) > 2000:
        problems["reason"] = [_l("Keep the reason under %(max)s characters.", max=2000)]
    if problems:
        raise InvalidInput(problems)
    before = dataset.priority_tier
    dataset.priority_override_tier = tier
    dataset.priority_override_reason = reason
    dataset.priority_override_by_id = user.id
    dataset.priority_override_at = utcnow()
    refresh(dataset)
    record_audit(user, "dataset.priority_override", dataset, from_tier=before, to_tier=tier,
                 reason=reason)
    db.session.flush()


def clear_override(dataset, user):
    """Go back to the computed tier; the audit row keeps what the override was."""
    if not can_override_priority(user, dataset):
        raise PermissionDenied(_l("You are not allowed to do this on this entry."))
    if dataset.priority_override_tier is None:
        return
    previous = (dataset.priority_override_tier, dataset.priority_override_reason)
    dataset.priority_override_tier = None
    dataset.priority_override_reason = ""
    dataset.priority_override_by_id = user.id
    dataset.priority_override_at = utcnow()
    refresh(dataset)
    record_audit(user, "dataset.priority_override_cleared", dataset, previous_tier=previous[0],
                 previous_reason=previous[1], to_tier=dataset.priority_tier)
    db.session.flush()
