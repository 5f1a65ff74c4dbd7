"""Reads for the drift section of the analysts' risk page."""

from dataclasses import dataclass

from .drift import ALERT_ABOVE, STABLE_BELOW, drift_alert_text, drift_status
from .models import RiskModel, ScoreKind, ScoringRun

_BAR_WIDTH = 220


@dataclass(frozen=True)
class Bar:
    label: str
    count: str  # what the bar's figure reads
    width: int  # in pixels, of _BAR_WIDTH for the PSI at the top of the scale


DRIFT_FEATURES_SHOWN = 8
_PSI_BAR_TOP = 0.5  # bars are drawn on a 0 to 0.5 scale, larger values reach the end


@dataclass(frozen=True)
class DriftPanel:
    kind: str
    label: str
    model_version: int | None
    score_psi: float | None
    score_status: str
    status: str
    bars: list[Bar]  # the score first, then the features that moved most
    figures: list[tuple[str, str]]  # the same, full names, for the table beside the chart
    alert_text: str


_LABEL_CHARACTERS = 22  # what fits left of a bar


def _short_label(name: str) -> str:
    return name if len(name) <= _LABEL_CHARACTERS else name[: _LABEL_CHARACTERS - 1] + "…"


def drift_overview() -> dict:
    """The drift the newest finished run measured, per learned model: the score's PSI and the
    features that moved most, each labelled stable, shift or alert."""
    run = (
        ScoringRun.objects.filter(status=ScoringRun.Status.DONE)
        .exclude(drift={})
        .order_by("-finished_at", "-id")
        .only("pk", "finished_at", "drift")
        .first()
    )
    if run is None:
        return {"run": None, "panels": []}
    versions = dict(
        RiskModel.objects.filter(pk__in=[e["model"] for e in run.drift.values()]).values_list(
            "pk", "version"
        )
    )
    panels = []
    for kind, label in ScoreKind.choices:
        entry = run.drift.get(kind)
        if entry is None:
            continue
        measured = [("the score", entry["score_psi"])] if entry["score_psi"] is not None else []
        moved = sorted(entry["features"].items(), key=lambda item: -item[1])
        measured += moved[:DRIFT_FEATURES_SHOWN]
        panels.append(
            DriftPanel(
                kind=kind,
                label=label,
                model_version=versions.get(entry["model"]),
                score_psi=entry["score_psi"],
                score_status=drift_status(entry["score_psi"] or 0.0),
                status=entry["status"],
                bars=[
                    Bar(
                        _short_label(name),
                        f"{value:.3f} {drift_status(value)}",
                        round(_BAR_WIDTH * min(value, _PSI_BAR_TOP) / _PSI_BAR_TOP),
                    )
                    for name, value in measured
                ],
                figures=[(name, f"{value:.3f} {drift_status(value)}") for name, value in measured],
                alert_text=drift_alert_text(kind, entry) if entry["status"] == "alert" else "",
            )
        )
    return {
        "run": run,
        "panels": panels,
        "stable_below": STABLE_BELOW,
        "alert_above": ALERT_ABOVE,
    }
