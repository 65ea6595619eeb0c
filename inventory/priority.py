"""Priority for opening: a 0-100 score from the entry's inputs, its tier, and why.

The score is a weighted mean of normalised inputs; weights are an admin setting. Entries that
will not be opened (restricted or not publishable) are not scored low: their tier is
`excluded` and they are listed apart. A reviewer may override the tier with a reason.
"""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from .extensions import db
from .models import Setting

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


def set_weights(weights):
    clean = {k: max(0, int(v)) for k, v in weights.items() if k in DEFAULT_WEIGHTS}
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


def refresh(dataset, weights=None):
    """Store the computed score and the effective tier (the override wins) on the entry."""
    result = compute(dataset, weights or get_weights())
    dataset.priority_score = result.score
    if result.tier == "excluded":
        dataset.priority_tier = "excluded"
    else:
        dataset.priority_tier = dataset.priority_override_tier or result.tier
    return result
