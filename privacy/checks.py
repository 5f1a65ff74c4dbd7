"""The system check that keeps erasure complete: every model about a customer has its rule."""

from django.core.checks import Error

from .personal import personal_data_uncovered


def personal_data_check(app_configs=None, **kwargs) -> list[Error]:
    return [
        Error(
            problem,
            hint="Add or complete its PersonalData rule in privacy/personal.py.",
            id="privacy.E001",
        )
        for problem in personal_data_uncovered()
    ]
