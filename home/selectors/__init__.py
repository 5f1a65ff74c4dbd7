"""Reads of the home page: each person's work, and the business at a glance."""

from .business import business_at_a_glance
from .my_work import my_work

__all__ = ["business_at_a_glance", "my_work"]
