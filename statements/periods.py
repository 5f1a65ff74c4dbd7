"""Statement periods: a run closes one month; quarterly customers are due in the months that
end a quarter, and their statement covers the whole quarter."""

import calendar
import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError

from .models import Frequency

_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Period:
    """The month a run closes ("2026-11")."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> "Period":
        match = _PERIOD.match(text or "")
        if not match:
            raise ValidationError(
                f"A period is a month written YYYY-MM, such as 2026-11, not {text!r}."
            )
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def before(cls, day: date) -> "Period":
        """The month before ``day``'s: what a run on the 1st closes."""
        return cls(day.year - 1, 12) if day.month == 1 else cls(day.year, day.month - 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def ends_quarter(self) -> bool:
        return self.month % 3 == 0

    @property
    def quarter_first_day(self) -> date:
        return date(self.year, self.month - (self.month - 1) % 3, 1)

    def first_day_for(self, frequency: str) -> date:
        """Where a customer's statement closing with this month starts."""
        return self.quarter_first_day if frequency == Frequency.QUARTERLY else self.first_day
