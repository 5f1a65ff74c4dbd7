"""The satisfaction panels on the customer page lay out on a phone as the other panels do: each
answer and each follow-up becomes a card of labelled lines instead of columns squeezed until
words break anywhere."""

import re

import pytest

from satisfaction import services

pytestmark = pytest.mark.django_db


def _panel(client, user, customer, heading: str = "surveys-h") -> str:
    client.force_login(user)
    page = client.get(customer.get_absolute_url()).content.decode()
    start = page.index(f'aria-labelledby="{heading}"')
    return page[start : page.index("</section>", start)]


def _table(panel: str, table_id: str) -> str:
    start = panel.index(f'id="{table_id}"')
    return panel[panel.rindex("<table", 0, start) : panel.index("</table>", start)]


def _cells_without_label(table: str) -> list[str]:
    body = table[table.index("<tbody>") :]
    return [cell for cell in re.findall(r"<td[^>]*>", body) if "data-label=" not in cell]


def test_the_answers_stack_into_labelled_lines_on_a_phone(client, manager, invitation):
    services.response_submit(invitation=invitation, score=9, comment="Quick and friendly")

    answers = _table(_panel(client, manager, invitation.customer), "survey-answers")

    assert 'class="list compact stack"' in answers
    assert _cells_without_label(answers) == []
    assert '<td data-label="Comment">Quick and friendly</td>' in answers


def test_the_follow_ups_stack_into_labelled_lines_on_a_phone(client, manager, invitation):
    services.response_submit(invitation=invitation, score=2)

    panel = _panel(client, manager, invitation.customer, heading="survey-follow-ups-h")
    follow_ups = _table(panel, "survey-follow-ups")

    assert 'class="compact stack"' in follow_ups
    # Only the cell of links goes without a label: it reads as what its links say.
    assert _cells_without_label(follow_ups) == ['<td class="row-actions">']
    assert 'data-label="Due"' in follow_ups and 'data-label="Assigned to"' in follow_ups
    assert ">Record outcome</a>" in follow_ups
