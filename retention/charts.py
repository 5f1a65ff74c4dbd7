"""The save-rate chart of a campaign: the bar chart of the home page (crm.charts), one bar per
group, with each rate's 95 % interval drawn over its bar."""

from dataclasses import dataclass

from crm.charts import HBar, HBarChart, hbar_chart

from .services.measure import CampaignMeasure, GroupRate


@dataclass(frozen=True)
class Whisker:
    x1: float
    x2: float
    y: float


def _shown(group: GroupRate) -> str:
    if group.rate is None:
        return "no member"
    return f"{group.rate:.1%}"


def save_rate_chart(measure: CampaignMeasure) -> tuple[HBarChart, list[Whisker]]:
    groups = [measure.treated, measure.control]
    chart = hbar_chart(
        "Save rate, treated and control, with 95 % intervals",
        [HBar(label=g.label, value=(g.rate or 0) * 100, shown=_shown(g), url="") for g in groups],
    )
    widest = max(chart.bars, key=lambda bar: bar.value)
    if widest.value <= 0:
        return chart, []
    scale = widest.width / widest.value
    whiskers = [
        Whisker(
            x1=round(chart.label_width + g.low * 100 * scale, 1),
            x2=round(chart.label_width + g.high * 100 * scale, 1),
            y=bar.y + 12,
        )
        for g, bar in zip(groups, chart.bars, strict=True)
        if g.members
    ]
    return chart, whiskers
