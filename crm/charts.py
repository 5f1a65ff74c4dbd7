"""Chart geometry (bars and columns) for any page, computed on the server: the templates draw
it as inline SVG with presentation attributes only (the CSP allows no script and no inline
style)."""

from dataclasses import dataclass, field

_LABEL_WIDTH, _BAR_AREA, _ROW = 150, 260, 24
_COLUMN_HEIGHT, _TOP, _BOTTOM, _LEFT, _SLOT = 180, 10, 34, 44, 40


@dataclass
class HBar:
    label: str
    value: float
    shown: str  # the value as the page prints it
    url: str
    width: float = 0
    y: float = 0


@dataclass
class HBarChart:
    """Horizontal bars, one per row: a label, a bar and its figure."""

    title: str
    bars: list[HBar]
    label_width: int = _LABEL_WIDTH
    width: int = _LABEL_WIDTH + _BAR_AREA + 90
    height: int = 0


def hbar_chart(title: str, bars: list[HBar]) -> HBarChart:
    top = max((bar.value for bar in bars), default=0) or 1
    for n, bar in enumerate(bars):
        bar.width = round(max(bar.value, 0) / top * _BAR_AREA, 1)
        bar.y = n * _ROW
    return HBarChart(title=title, bars=bars, height=max(len(bars), 1) * _ROW)


@dataclass
class Piece:
    """One part of a column: a series' share of a month."""

    series: int  # which series, for its colour class
    y: float
    height: float
    title: str


@dataclass
class Column:
    x: float
    label: str
    pieces: list[Piece] = field(default_factory=list)


@dataclass
class Tick:
    y: float
    label: str


@dataclass
class ColumnChart:
    """Columns per month, each stacked from one or more series."""

    title: str
    series: list[str]
    columns: list[Column]
    ticks: list[Tick]
    width: int
    height: int = _COLUMN_HEIGHT
    left: int = _LEFT
    slot: int = _SLOT
    bar_width: int = int(_SLOT * 0.7)
    label_y: int = _COLUMN_HEIGHT - _BOTTOM + 16
    baseline: float = _COLUMN_HEIGHT - _BOTTOM


def _nice_top(value: float) -> float:
    """The axis' top: 1, 2 or 5 times a power of ten, at or above ``value``."""
    if value <= 0:
        return 1
    step = 1.0
    while step * 10 <= value:
        step *= 10
    while step > value * 10:
        step /= 10
    for factor in (1, 2, 5, 10):
        if step * factor >= value:
            return step * factor
    return step * 10


def column_chart(
    title: str,
    series: list[str],
    months: list[str],
    values: list[list[float]],
    *,
    unit: str = "",
    describe=None,
) -> ColumnChart:
    """``values[m][s]``: series ``s`` in month ``m``, stacked from the bottom."""
    plot = _COLUMN_HEIGHT - _TOP - _BOTTOM
    top = _nice_top(max((sum(month) for month in values), default=0))

    def y_of(value: float) -> float:
        return round(_TOP + (top - value) / top * plot, 1)

    columns = []
    for n, (label, month) in enumerate(zip(months, values, strict=True)):
        column, base = Column(x=_LEFT + n * _SLOT + _SLOT * 0.15, label=label), 0.0
        for s, value in enumerate(month):
            if value <= 0:
                continue
            upper = y_of(base + value)
            column.pieces.append(
                Piece(
                    series=s,
                    y=upper,
                    height=max(round(y_of(base) - upper, 1), 0.5),
                    title=describe(label, s, value) if describe else f"{label}: {value:g}{unit}",
                )
            )
            base += value
        columns.append(column)
    ticks = [Tick(y_of(top * part / 4), _short(top * part / 4) + unit) for part in range(5)]
    return ColumnChart(
        title=title,
        series=series,
        columns=columns,
        ticks=ticks,
        width=_LEFT + _SLOT * max(len(months), 1) + 8,
    )


def _short(value: float) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:g}M"
    if value >= 1_000:
        return f"{value / 1_000:g}k"
    return f"{value:g}"
