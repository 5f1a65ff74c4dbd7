"""The background jobs of the retention app (see ``crm.jobs``): large exports of the campaign
list."""

from crm.exports.services import export_source_register

from .exports import CAMPAIGNS_SOURCE

export_source_register(CAMPAIGNS_SOURCE)
