"""When a newly trained version replaces the version in use: the champion and challenger rule."""

# How much worse a challenger's Brier score (mean squared error of its probabilities) may be
# than the champion's on the same customers and still be promoted for ranking better: a few
# thousandths is within what recalibrating on the next training moves.
BRIER_TOLERANCE = 0.005


def holds_its_own(metrics: dict) -> bool:
    """Whether a new version earns its place over the version in use (see
    ``promotion_decision``)."""
    return promotion_decision(metrics)[0]


def promotion_decision(metrics: dict) -> tuple[bool, str]:
    """Whether a new version replaces the version in use, and why, from its metrics.

    With the paired-bootstrap 95 % interval of its AUC gain over the version in use on the
    same held-out customers (``compared_with.auc_gain_ci``), only on evidence: the interval's
    lower bound above zero, and its Brier score not worse by more than ``BRIER_TOLERANCE``.
    Without one (metrics of an earlier training), when its held-out AUC is at least the other's.
    Nothing to compare with (parameters without a measure, a version in use that cannot read
    the customers) lets it through."""
    compared = metrics.get("compared_with") or {}
    against = f"v{compared['version']}" if "version" in compared else "the version in use"
    if "roc_auc" not in metrics:
        return True, "parameters without a held-out measure"
    if "error" in compared:
        return True, f"{against} {compared['error']}"
    if "roc_auc" not in compared:
        return True, "no version in use to compare with"
    auc, theirs = metrics["roc_auc"], compared["roc_auc"]
    interval = compared.get("auc_gain_ci")
    if not interval:
        if auc >= theirs:
            return True, f"held-out ROC AUC {auc} is at least {against}'s {theirs}"
        return False, f"held-out ROC AUC {auc} is below {against}'s {theirs}"
    low, high = interval
    gain = f"AUC gain over {against} {low:+.4f} to {high:+.4f} (95 % interval)"
    if low <= 0:
        return False, f"no evidence it ranks better: {gain} does not exclude zero or a loss"
    brier, their_brier = metrics.get("brier"), compared.get("brier")
    if brier is not None and their_brier is not None and brier > their_brier + BRIER_TOLERANCE:
        return False, (
            f"ranks better ({gain}) but its Brier score {brier} is worse than {against}'s "
            f"{their_brier} by more than {BRIER_TOLERANCE}"
        )
    return True, f"ranks better on evidence: {gain}"
