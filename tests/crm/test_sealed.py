"""Secrets kept at rest only encrypted, readable for one purpose and for a short while."""

from datetime import timedelta

from crm.sealed import seal, unseal

MINUTE = timedelta(minutes=1)


def test_a_sealed_secret_reads_back_for_its_purpose_and_holds_no_plain_text():
    sealed = seal("crm_abc_secret", purpose="token.1")

    assert "crm_abc_secret" not in sealed
    assert unseal(sealed, purpose="token.1", max_age=MINUTE) == "crm_abc_secret"


def test_a_secret_sealed_for_another_purpose_reads_as_nothing():
    assert (
        unseal(seal("crm_abc_secret", purpose="token.1"), purpose="token.2", max_age=MINUTE) is None
    )


def test_a_tampered_or_garbled_seal_reads_as_nothing():
    sealed = seal("crm_abc_secret", purpose="token.1")
    tampered = sealed[:-6] + ("A" if sealed[-6] != "A" else "B") + sealed[-5:]

    assert unseal(tampered, purpose="token.1", max_age=MINUTE) is None
    assert unseal("not a seal", purpose="token.1", max_age=MINUTE) is None
    assert unseal(None, purpose="token.1", max_age=MINUTE) is None


def test_a_seal_made_under_another_secret_key_reads_as_nothing(settings):
    sealed = seal("crm_abc_secret", purpose="token.1")
    settings.SECRET_KEY = "another-key-" + "x" * 50

    assert unseal(sealed, purpose="token.1", max_age=MINUTE) is None


def test_a_seal_older_than_its_time_reads_as_nothing():
    sealed = seal("crm_abc_secret", purpose="token.1")

    assert unseal(sealed, purpose="token.1", max_age=timedelta(seconds=-1)) is None
