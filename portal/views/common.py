"""What every portal view shares: rendering in the customer's language, answers to forms."""

from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render

from portal import auth, texts


def render_page(request, template: str, *, language: str, status: int = 200, **context):
    words = texts.page_text(language)
    context = {"language": language, "words": words, **context}
    return render(request, f"portal/{template}.html", context, status=status)


def customer_page(request, template: str, *, section: str, status: int = 200, **context):
    """A signed-in customer's page, with the notice a change just left for it (once)."""
    notice = auth.portal_notice_pop(request)
    return render_page(
        request,
        template,
        language=request.portal_language,
        customer=request.portal_customer,
        section=section,
        status=status,
        notice=texts.page_text(request.portal_language).get(notice, "") if notice else "",
        **context,
    )


def see_other_with_notice(request, notice: str, to: str, **kwargs):
    """After a change: the page it leads to says what was done."""
    auth.portal_notice(request, notice)
    return see_other(to, **kwargs)


def file_download(opened, *, filename: str, content_type: str):
    """A document of the customer's, saved rather than shown (never rendered under /my/)."""
    response = FileResponse(
        opened, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def see_other(to: str, **kwargs):
    response = redirect(to, **kwargs)
    response.status_code = 303  # the browser follows a form's answer with a GET
    return response


def keyset(request, select):
    """A page of a keyset-paged list, and whether the link asked for was broken (the first
    page is shown then)."""
    try:
        return select(
            request.portal_customer,
            after=request.GET.get("after", ""),
            before=request.GET.get("before", ""),
        ), False
    except ValidationError:
        return select(request.portal_customer), True
