"""The background jobs of this app (see ``crm.jobs``): the task list's large exports."""

from crm.exports.services import export_source_register

from .exports import TASK_SOURCE

export_source_register(TASK_SOURCE)
