"""The survey links customers receive: altered, swapped, expired, used twice."""

from datetime import timedelta
from itertools import pairwise

from bench.security.harness import Family, Http, short

ANSWER_FORM = 'name="score"'


def _token_parts(token: str) -> tuple[str, str]:
    value, signature = token.rsplit(":", 1)
    return value, signature


def _altered(token: str) -> list[str]:
    """One character changed at a few places: in the id, in the signature, its case."""
    variants = set()
    for index in {0, len(token) // 2, len(token) - 1, token.index(":") + 1, token.index(":") - 1}:
        for replacement in ("A", "0", "-"):
            if token[index] != replacement:
                variants.add(token[:index] + replacement + token[index + 1 :])
    variants |= {token.upper(), token.swapcase(), token + "x", token[:-1], token.replace(":", "")}
    variants.discard(token)
    return sorted(variants)


def survey_links(port: int, seed) -> Family:
    from django.utils import timezone

    from satisfaction import services
    from satisfaction.models import Invitation, Response

    family = Family("tampered survey links")
    visitor = Http(port)
    invitations = list(Invitation.objects.filter(pk__in=[i.pk for i in seed.invitations]))
    tokens = {i.pk: services.invitation_token(i) for i in invitations}

    def shows_no_survey(response, what: str) -> None:
        family.case(
            response.status_code < 500 and ANSWER_FORM not in response.text,
            f"{what}: {short(response)}",
            severity=3 if ANSWER_FORM in response.text else 2,
        )

    def csrf() -> dict:
        return {"csrfmiddlewaretoken": visitor.cookies.get("csrftoken", "")}

    def page(token: str, suffix: str = ""):
        return visitor.get(f"/s/{token}/{suffix}")

    # Every untouched link opens its own survey (otherwise the rest proves nothing).
    for invitation in invitations:
        response = page(tokens[invitation.pk])
        family.case(
            response.status_code == 200 and ANSWER_FORM in response.text,
            f"the genuine link of invitation {invitation.pk} does not open: {short(response)}",
        )
    for invitation in invitations:
        token = tokens[invitation.pk]
        for altered in _altered(token):
            for suffix in ("", "thanks/", "opt-out/"):
                shows_no_survey(page(altered, suffix), f"altered {altered!r} {suffix}")
            response = visitor.post(f"/s/{altered}/", data={"score": "9", **csrf()})
            shows_no_survey(response, f"POST altered {altered!r}")
    # Swapped: one invitation's id with another's signature, and the other way round.
    for first, second in pairwise(invitations):
        value_1, signature_1 = _token_parts(tokens[first.pk])
        value_2, signature_2 = _token_parts(tokens[second.pk])
        for swapped in (f"{value_1}:{signature_2}", f"{value_2}:{signature_1}"):
            shows_no_survey(page(swapped), f"swapped {swapped!r}")
    # Another salt or no signature: the id alone, the id signed with the default salt.
    from django.core import signing

    for invitation in invitations[:3]:
        for forged in (str(invitation.pk), signing.Signer().sign(str(invitation.pk))):
            shows_no_survey(page(forged), f"forged {forged!r}")
    for odd in ("..%2F..%2Fadmin", "%00", "\u202e1:abc", "x" * 5000, "1:" + "A" * 27, "-1:x"):
        shows_no_survey(page(odd), f"odd token {odd[:30]!r}")
    # Expired: closed, no form.
    expired = invitations[0]
    Invitation.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    shows_no_survey(page(tokens[expired.pk]), "expired link")
    response = visitor.post(f"/s/{tokens[expired.pk]}/", data={"score": "9", **csrf()})
    shows_no_survey(response, "answer to an expired link")
    family.case(
        not Response.objects.filter(invitation=expired).exists(),
        "an expired link took an answer",
    )
    # Answered once, then again: the second is refused and only one answer is kept.
    answered = invitations[1]
    token = tokens[answered.pk]
    response = visitor.post(f"/s/{token}/", data={"score": "9", "comment": "fine", **csrf()})
    family.case(response.status_code == 303, f"the first answer: {short(response)}")
    for n in range(3):
        response = visitor.post(
            f"/s/{token}/", data={"score": str(n), "comment": "again", **csrf()}
        )
        shows_no_survey(response, f"answer {n + 2} to a used link")
        shows_no_survey(page(token), "the used link opened again")
    family.case(
        Response.objects.filter(invitation=answered).count() == 1,
        "a used link took a second answer",
        severity=3,
    )
    # Nobody else's invitation was answered by all of the above.
    others = Response.objects.filter(invitation__in=invitations).exclude(invitation=answered)
    family.case(not others.exists(), "an altered link answered another invitation", severity=3)
    return family
