"""What the customer asks of us: an answer to a question or a complaint, their statements,
the data we hold about them, to be forgotten."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from portal import selectors, self_service, texts
from portal.auth import portal_customer_required
from portal.forms import ErasureForm, InquiryForm
from portal.views.common import customer_page, file_download, see_other_with_notice
from privacy.subject_access import FILE_KINDS as EXPORT_KINDS
from privacy.subject_access import SubjectAccessFileGone, subject_access_filename
from statements.services import CONTENT_TYPES as STATEMENT_TYPES
from statements.services import FILE_KINDS as STATEMENT_KINDS
from statements.services import StatementFileGone, statement_file, statement_filename

EXPORT_TYPES = {"json": "application/json", "html": "text/html; charset=utf-8"}


def _words(request) -> dict:
    return texts.page_text(request.portal_language)


@require_http_methods(["GET", "HEAD", "POST"])
@portal_customer_required
def inquiry_new(request):
    form = InquiryForm(request.POST if request.method == "POST" else None, words=_words(request))
    if form.is_bound and form.is_valid():
        interaction = self_service.inquiry_raise(
            customer=request.portal_customer,
            kind=form.cleaned_data["kind"],
            summary=form.cleaned_data["summary"],
        )
        return see_other_with_notice(
            request, "inquiry_sent", "portal:interaction", interaction_id=interaction.pk
        )
    return customer_page(
        request,
        "inquiry",
        section="interactions",
        form=form,
        kinds=self_service.RAISABLE_KINDS,
        status=400 if form.is_bound else 200,
    )


def _gone(request, *, section: str):
    return customer_page(request, "gone", section=section, status=410)


@require_safe
@portal_customer_required
def statements(request):
    return customer_page(
        request,
        "statements",
        section="statements",
        statements=selectors.customer_statements(request.portal_customer),
    )


@require_safe
@portal_customer_required
def statement_download(request, statement_id: int, kind: str):
    if kind not in STATEMENT_KINDS:
        raise Http404
    statement = selectors.customer_statement(request.portal_customer, statement_id)
    try:
        stored = statement_file(statement, kind)
    except StatementFileGone:
        return _gone(request, section="statements")
    return file_download(
        stored.open("rb"),
        filename=statement_filename(statement, kind),
        content_type=STATEMENT_TYPES[kind],
    )


def _data_page(request, *, erasure_form=None, status: int = 200):
    return customer_page(
        request,
        "data",
        section="data",
        exports=selectors.customer_exports(request.portal_customer),
        erasure_form=erasure_form or ErasureForm(words=_words(request)),
        status=status,
    )


@require_safe
@portal_customer_required
def data_rights(request):
    return _data_page(request)


@require_POST
@portal_customer_required
def data_export(request):
    self_service.data_export_request(customer=request.portal_customer)
    return see_other_with_notice(request, "export_requested", "portal:data")


@require_safe
@portal_customer_required
def data_download(request, export_id: int, kind: str):
    if kind not in EXPORT_KINDS:
        raise Http404
    try:
        path, export = self_service.data_export_file(
            customer=request.portal_customer, export_id=export_id, kind=kind
        )
    except SubjectAccessFileGone:
        return _gone(request, section="data")
    return file_download(
        open(path, "rb"),  # FileResponse closes it
        filename=subject_access_filename(export, kind),
        content_type=EXPORT_TYPES[kind],
    )


@require_POST
@portal_customer_required
def data_erasure(request):
    form = ErasureForm(request.POST, words=_words(request))
    if not form.is_valid():
        return _data_page(request, erasure_form=form, status=400)
    try:
        self_service.erasure_ask(
            customer=request.portal_customer, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        # Asked twice: the first request stands, and the answer is the same.
        if error.code != "waiting":
            form.add_error(None, error)
            return _data_page(request, erasure_form=form, status=409)
    return see_other_with_notice(request, "erasure_asked", "portal:data")
