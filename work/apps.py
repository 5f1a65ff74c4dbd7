from django.apps import AppConfig


def _create_tasks(customers, actor, options):
    """The customer list's "Create a task": one task per customer in one batch; a customer
    merged into another is refused, the others get theirs."""
    from django.core.exceptions import ValidationError

    from customers.bulk import BulkOutcome
    from customers.models import Customer

    from .services import tasks_create_for

    refused = {
        customer.pk: f"Customer {customer.number} was merged into another; add the task there."
        for customer in customers
        if customer.merged_into_id
    }
    while True:
        rest = [customer for customer in customers if customer.pk not in refused]
        try:
            tasks_create_for(
                customers=rest,
                title=options["title"],
                owner=options["owner"] or actor,
                due_on=options["due_on"],
                priority=options["priority"],
                actor=actor,
            )
        except ValidationError as error:
            # Merged while the page was read: refuse those by name, give the rest their task.
            merged = Customer.objects.filter(
                pk__in=[customer.pk for customer in rest], merged_into__isnull=False
            ).values_list("pk", "number")
            if getattr(error, "code", None) != "merged" or not merged:
                message = " ".join(error.messages)
                refused |= {customer.pk: message for customer in rest}
                break
            refused |= {
                pk: f"Customer {number} was merged into another; add the task there."
                for pk, number in merged
            }
        else:
            break
    return [
        BulkOutcome(customer, done=customer.pk not in refused, message=refused.get(customer.pk, ""))
        for customer in customers
    ]


class WorkConfig(AppConfig):
    name = "work"
    verbose_name = "Tasks, notes and notifications"

    def ready(self):
        from customers.bulk import BulkAction, bulk_action_register
        from customers.panels import panel_register

        from .forms import BulkTaskForm
        from .selectors import customer_work

        panel_register(
            template="work/_customer_panel.html",
            permissions=("work.view_task", "work.view_note"),
            context=customer_work,
            order=40,
        )
        bulk_action_register(
            BulkAction(
                name="create_tasks",
                label="Create a task",
                permission="work.add_task",
                form=BulkTaskForm,
                apply_many=_create_tasks,
                summary="Each customer gets the task below, logged on their page; a customer "
                "merged into another is refused.",
            )
        )
