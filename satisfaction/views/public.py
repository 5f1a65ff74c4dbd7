"""The customer's pages: no login, reached from the invitation's signed link.

Every page speaks the language the survey is shown in, is never cached and never indexed
(the link in its address is the customer's key), and answers any token, however odd, with a
page of its own: a link that does not work, a survey already answered or closed.
"""

from functools import wraps

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_http_methods, require_safe

from satisfaction import services, texts
from satisfaction.models import Invitation

# A closed invitation's page, and its status: an answered one is fine, an expired one is gone.
_CLOSED = {
    services.AlreadyAnswered: ("answered_title", "answered", 200),
    services.LinkExpired: ("expired_title", "expired", 410),
    services.InvitationClosed: ("expired_title", "expired", 410),
}


def _public_page(view):
    """Pages whose address holds the customer's key: kept out of caches and search engines."""

    @wraps(view)
    def wrapper(request, token):
        response = view(request, token)
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex"
        return response

    return wrapper


def _language_of_browser(request) -> str:
    """For a link that leads to no invitation: the browser's language, if the pages speak it."""
    return texts.browser_language(request.headers.get("Accept-Language", ""))


def _page(request, template: str, language: str, *, status: int = 200, **context):
    words = texts.page_text(language)
    return render(
        request,
        f"satisfaction/public/{template}.html",
        {"language": language, "words": words, **context},
        status=status,
    )


def _message(request, language: str, title_key: str, text_key: str, *, status: int = 200):
    words = texts.page_text(language)
    return _page(
        request,
        "message",
        language,
        status=status,
        title=words[title_key],
        text=words[text_key],
    )


def _link_invalid(request):
    return _message(request, _language_of_browser(request), "invalid_title", "invalid", status=404)


def _closed(request, language: str, error: Exception):
    title_key, text_key, status = _CLOSED[type(error)]
    return _message(request, language, title_key, text_key, status=status)


class AnswerForm(forms.Form):
    """The score on the survey's scale, an optional comment and the follow-up answers."""

    def __init__(self, *args, invitation: Invitation, wording: dict, words: dict, **kwargs):
        super().__init__(*args, **kwargs)
        low, high = invitation.survey.scale
        choose = {"required": words["choose"], "invalid_choice": words["choose"]}
        self.fields["score"] = forms.TypedChoiceField(
            choices=[(n, str(n)) for n in range(low, high + 1)],
            coerce=int,
            error_messages=choose,
        )
        self.fields["comment"] = forms.CharField(
            required=False, max_length=services.COMMENT_MAX, widget=forms.Textarea
        )
        self.follow_up_names = []
        for number, question in enumerate(wording["follow_ups"]):
            name = f"follow_up_{number}"
            self.fields[name] = forms.CharField(
                label=question, required=False, max_length=services.FOLLOW_UP_ANSWER_MAX
            )
            self.follow_up_names.append(name)

    def follow_up_answers(self) -> list[str]:
        return [self.cleaned_data[name] for name in self.follow_up_names]


# HEAD too: mail scanners check links before the customer clicks; only a POST changes anything.
@_public_page
@require_http_methods(["GET", "HEAD", "POST"])
def answer(request, token):
    try:
        invitation = services.invitation_from_token(token)
    except services.LinkInvalid:
        return _link_invalid(request)
    language, wording = invitation.survey_version.texts_for(invitation.language)
    try:
        services.invitation_check_open(invitation)
    except tuple(_CLOSED) as error:
        return _closed(request, language, error)

    words = texts.page_text(language)
    # Django's own form messages (a comment too long) in the page's language too.
    with translation.override(language):
        form = AnswerForm(
            request.POST if request.method == "POST" else None,
            invitation=invitation,
            wording=wording,
            words=words,
        )
        if form.is_bound and form.is_valid():
            try:
                services.response_submit(
                    invitation=invitation,
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                    follow_up_answers=form.follow_up_answers(),
                )
            except tuple(_CLOSED) as error:  # a second submission, or the link ran out meanwhile
                return _closed(request, language, error)
            except ValidationError as error:
                if "score" in getattr(error, "error_dict", {}):
                    form.add_error("score", words["choose"])
                else:
                    form.add_error(None, error.messages)
            else:
                response = redirect("survey:thanks", token=token)
                response.status_code = 303  # the browser follows with a GET
                return response
        low_label, high_label = texts.scale_ends(invitation.survey.kind, language)
        return _page(
            request,
            "answer",
            language,
            status=400 if form.is_bound else 200,
            form=form,
            token=token,
            question=wording["question"],
            comment_label=wording["comment"] or words["comment_label"],
            scale=_scale(form, invitation),
            low_label=low_label,
            high_label=high_label,
            follow_ups=[form[name] for name in form.follow_up_names],
        )


def _scale(form: AnswerForm, invitation: Invitation) -> list[dict]:
    """Each score with whether the customer had picked it (kept when the form comes back)."""
    low, high = invitation.survey.scale
    picked = str(form["score"].value()) if form.is_bound else None
    return [{"value": n, "checked": str(n) == picked} for n in range(low, high + 1)]


@_public_page
@require_safe
def thanks(request, token):
    try:
        invitation = services.invitation_from_token(token)
    except services.LinkInvalid:
        return _link_invalid(request)
    if invitation.status != Invitation.Status.RESPONDED:
        return redirect("survey:answer", token=token)  # nothing to thank for yet
    language, _ = invitation.survey_version.texts_for(invitation.language)
    return _message(request, language, "thanks_title", "thanks")


@_public_page
@require_http_methods(["GET", "HEAD", "POST"])
def opt_out(request, token):
    """Works for every valid link, answered or expired: a customer can always say no more."""
    try:
        invitation = services.invitation_from_token(token)
    except services.LinkInvalid:
        return _link_invalid(request)
    language, _ = invitation.survey_version.texts_for(invitation.language)
    if request.method == "POST":
        services.survey_opt_out(invitation=invitation)
        return _message(request, language, "opt_out_title", "opt_out_done")
    return _page(
        request,
        "opt_out",
        language,
        token=token,
        can_answer=_is_open(invitation),
    )


def _is_open(invitation: Invitation) -> bool:
    try:
        services.invitation_check_open(invitation)
    except tuple(_CLOSED):
        return False
    return True


@_public_page
def link_invalid(request, token=""):
    """Any other address under the survey pages: the same clear page as an altered link. A
    link that lost its final slash on the way (mail and SMS apps drop it) still works."""
    if token and "/" not in token:
        return redirect("survey:answer", token=token)
    return _link_invalid(request)
