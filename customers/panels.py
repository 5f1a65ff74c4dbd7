"""Panels other apps add to the customer page, without this app importing them.

An app registers a template, the permissions needed to see what the panel shows, and a
function that returns its context, usually in its ``AppConfig.ready``::

    panel_register(
        template="risk/_panel.html",
        permissions=("risk.view_customerscore",),
        context=scores_for_panel,
    )

A panel is shown, and its context read, only for a viewer who holds every one of its
permissions: the permissions travel with the panel, so a new panel cannot forget its check.
"""

from collections.abc import Callable
from dataclasses import dataclass

from customers.models import Customer


@dataclass(frozen=True)
class CustomerPanel:
    template: str
    permissions: tuple[str, ...]
    context: Callable[[Customer], dict]
    order: int = 100

    def visible_to(self, viewer) -> bool:
        return viewer.has_perms(self.permissions)


_panels: list[CustomerPanel] = []


def panel_register(
    *,
    template: str,
    permissions: tuple[str, ...],
    context: Callable[[Customer], dict],
    order: int = 100,
) -> None:
    if isinstance(permissions, str) or not permissions:
        raise ValueError(
            f"The panel {template} must name the permissions needed to see it, as a tuple."
        )
    if any(panel.template == template for panel in _panels):
        return
    _panels.append(
        CustomerPanel(
            template=template, permissions=tuple(permissions), context=context, order=order
        )
    )
    _panels.sort(key=lambda panel: panel.order)


def panels_for(customer: Customer, *, viewer) -> list[dict]:
    """The panels ``viewer`` may see, each with its context; the others are not even read."""
    return [
        {"template": panel.template, **panel.context(customer)}
        for panel in _panels
        if panel.visible_to(viewer)
    ]


def usage_panel_context(customer: Customer) -> dict:
    """The "Usage" panel: the customer's last three months with usage, over all products; one
    grouped query on usage_customer_month_idx."""
    from customers.services.usage import usage_totals

    months = usage_totals(customer=customer, months=3)
    for month in months:
        month["data_gb"] = (month["data_mb"] or 0) / 1024
    return {"usage_months": months}


# The customers app's own panel, registered with the registry itself: this module is loaded
# before any customer page renders (the page reads its panels from here).
panel_register(
    template="customers/_usage_panel.html",
    permissions=("customers.view_usagesummary",),
    context=usage_panel_context,
    order=35,
)
