from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "customers.partners"
    label = "partners"
    verbose_name = "Partners"

    def ready(self):
        from django.urls import reverse_lazy

        from crm.public_errors import public_area_register
        from customers.events import customer_event

        # The hub's outbox row is written inside the transaction of the change it reports.
        customer_event.connect(_record_hub_event, dispatch_uid="customers.hub_event_record")
        customer_event.connect(_forget_api_counts, dispatch_uid="customers.api_counts")
        # Organisations applying to become partners are not staff: errors there are public.
        public_area_register(name="partner_application", prefix=reverse_lazy("partner_apply"))


def _record_hub_event(sender, events, **kwargs):
    from customers.partners.services.hub_events import hub_events_record

    hub_events_record(events=events)


def _forget_api_counts(sender, events, **kwargs):
    from customers.partners.selectors import api_customer_counts_invalidate

    for partner_id in {event.customer.partner_id for event in events}:
        api_customer_counts_invalidate(partner_id=partner_id)
