from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "customers.partners"
    label = "partners"
    verbose_name = "Partners"

    def ready(self):
        from django.core.checks import register
        from django.urls import reverse_lazy

        from customers.partners.api.checks import api_documents_check

        register(api_documents_check, deploy=True)

        from crm.public_errors import public_area_register
        from customers.events import customer_event, party_event

        # The hub's outbox row is written inside the transaction of the change it reports.
        customer_event.connect(_record_hub_event, dispatch_uid="customers.hub_event_record")
        customer_event.connect(_forget_api_counts, dispatch_uid="customers.api_counts")
        party_event.connect(_record_party_hub_event, dispatch_uid="customers.party_hub_event")
        # Organisations applying to become partners are not staff: errors there are public.
        public_area_register(name="partner_application", prefix=reverse_lazy("partner_apply"))


def _record_hub_event(sender, events, **kwargs):
    from customers.partners.services.hub_events import hub_events_record

    hub_events_record(events=events)


def _record_party_hub_event(sender, events, **kwargs):
    from customers.partners.api.party.events import party_event_notices
    from customers.partners.services.hub_events import hub_notices_record

    # hub_notices_record writes an event only for the hubs that hear it.
    hub_notices_record(party_event_notices(events, hears=lambda event_type, partner_id: True))


def _forget_api_counts(sender, events, **kwargs):
    from customers.partners.selectors import api_customer_counts_invalidate

    for partner_id in {event.customer.partner_id for event in events}:
        api_customer_counts_invalidate(partner_id=partner_id)
