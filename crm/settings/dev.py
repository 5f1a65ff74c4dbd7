"""Development mode (the default for ``manage.py``)."""

from .base import *  # noqa: F403
