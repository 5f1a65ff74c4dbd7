"""The background jobs of this app (see ``crm.jobs``): exports of the survey answers list."""

from crm.exports.services import export_source_register

from .exports import ANSWERS_SOURCE

export_source_register(ANSWERS_SOURCE)
