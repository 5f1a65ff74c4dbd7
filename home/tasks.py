"""Celery adapters of the home page: the nightly recount of its business figures."""

from celery import shared_task

from .tallies import business_tallies_recount


@shared_task
def business_tallies_recount_nightly() -> str:
    """Nightly, after the scoring run: recount the tallies the home page reads. Safe to run
    twice (the tables are replaced in one transaction)."""
    return str(business_tallies_recount().counted_on)
