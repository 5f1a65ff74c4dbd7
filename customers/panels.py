"""Panels other apps add to the customer page, without this app importing them.

An app registers a template and a function that returns its context, usually in its
``AppConfig.ready``: ``panel_register(template="risk/_panel.html", context=scores_for_panel)``.
"""

from collections.abc import Callable
from dataclasses import dataclass

from customers.models import Customer


@dataclass(frozen=True)
class CustomerPanel:
    template: str
    context: Callable[[Customer], dict]
    order: int = 100


_panels: list[CustomerPanel] = []


def panel_register(*, template: str, context: Callable[[Customer], dict], order: int = 100) -> None:
    if any(panel.template == template for panel in _panels):
        return
    _panels.append(CustomerPanel(template=template, context=context, order=order))
    _panels.sort(key=lambda panel: panel.order)


def panels_for(customer: Customer) -> list[dict]:
    return [{"template": panel.template, **panel.context(customer)} for panel in _panels]
