"""The template editor in headless Chromium at 1280 and 390 px: nothing scrolls sideways, axe
finds no serious violation, and the preview follows the text. Screenshots go to
test-artifacts/screens/ for a person to look at."""

import pytest

from tests.crm.test_browser_layout import _problems, _signed_in, administrator, axe  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_template_editor_works_on_a_desk_and_a_phone(axe, administrator):  # noqa: F811
    _signed_in(axe, administrator)
    axe.goto("/messages/templates/")
    problems = _problems(axe, "message-templates")
    axe.goto("/messages/templates/termination/fr/")
    problems += _problems(axe, "message-template-edit")
    axe.get_by_label("Subject").fill("Au revoir {name}")
    axe.get_by_role("button", name="Preview").click()
    assert axe.locator("#preview-subject").inner_text() == "Au revoir Ada Example"
    axe.get_by_label("Message").fill("Mot de passe : {password}")
    axe.get_by_role("button", name="Preview").click()
    assert "Unknown placeholder {password}" in axe.content()
    problems += _problems(axe, "message-template-refused")
    assert not problems, problems
