"""The background jobs of the partners app (see ``crm.jobs``): large exports of the partner
list."""

from crm.exports.services import export_source_register
from customers.partners.exports import PARTNERS_SOURCE

export_source_register(PARTNERS_SOURCE)
