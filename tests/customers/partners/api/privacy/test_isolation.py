"""A partner sees and changes only its own customers' consents: another's is as unknown as none."""

import pytest

from customers.models import Consent
from tests.customers.partners.api.conftest import tmf_error

from .conftest import agreement, answered

pytestmark = pytest.mark.django_db
LIST = "/partyPrivacyAgreement"


def test_another_partners_agreement_is_not_found(alpha_api, beta_customer, tmf644):
    theirs = answered(beta_customer)

    tmf_error(alpha_api.get(f"{LIST}/{theirs.pk}"), 404, tmf644)
    tmf_error(alpha_api.patch(f"{LIST}/{theirs.pk}", {"status": "rejected"}), 404, tmf644)
    tmf_error(alpha_api.delete(f"{LIST}/{theirs.pk}"), 404, tmf644)
    theirs.refresh_from_db()
    assert theirs.granted is True


def test_the_list_holds_only_the_partners_own(alpha_api, alpha_customer, beta_customer):
    mine = answered(alpha_customer)
    answered(beta_customer)

    response = alpha_api.get(LIST)

    assert [item["id"] for item in response.json()] == [str(mine.pk)]
    assert response["X-Total-Count"] == "1"
    filtered = alpha_api.get(LIST, **{"engagedParty.id": beta_customer.number})
    assert filtered.json() == [] and filtered["X-Total-Count"] == "0"


def test_a_partner_cannot_record_for_another_partners_customer(alpha_api, beta_customer, tmf644):
    tmf_error(alpha_api.post(LIST, agreement(beta_customer.number)), 404, tmf644)
    assert not Consent.objects.exists()


@pytest.mark.parametrize("agreement_id", ["abc", "-1", "1" * 30, "0"])
def test_an_id_not_ours_is_a_404(alpha_api, alpha_customer, tmf644, agreement_id):
    tmf_error(alpha_api.get(f"{LIST}/{agreement_id}"), 404, tmf644)
