"""Error pages of the public pages, in their look and the visitor's language.

crm.public_errors calls them for every public page: the survey links, and the partner
application, which wears the same look. A form refused because the browser sent no cookie
tells the visitor what to do, and links back to the page to send it again.
"""

from django.shortcuts import render

from crm.public_errors import BAD_REQUEST, CSRF
from satisfaction import services, texts

# Problems that another try from a fresh page can put right.
_TRY_AGAIN = {CSRF, BAD_REQUEST}


def public_error_page(request, *, problem: str, status: int, language: str | None):
    language = language or texts.browser_language(request.headers.get("Accept-Language", ""))
    words = texts.page_text(language)
    context = {
        "language": language,
        "words": words,
        "title": words[f"{problem}_title"],
        "text": words[problem],
    }
    if problem in _TRY_AGAIN:
        context.update(link_url=request.path, link_text=words["open_again"])
    response = render(request, "satisfaction/public/message.html", context, status=status)
    # Survey addresses hold the customer's key: kept out of caches and search engines.
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def invitation_language(request) -> str | None:
    """The language the survey behind the link in the address is shown in, if it has one."""
    match = request.resolver_match
    token = match.kwargs.get("token") if match else None
    if not token:
        return None
    try:
        invitation = services.invitation_from_token(token)
    except services.LinkInvalid:
        return None
    language, _ = invitation.survey_version.texts_for(invitation.language)
    return language
