"""Staff pages: a customer's statements with their downloads, and the monthly runs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from customers.views.common import customer_or_404

from . import runs, selectors, services
from .models import Statement
from .periods import Period


@login_required
@permission_required("statements.view_statement", raise_exception=True)
@require_GET
def customer_statements(request, number):
    customer = customer_or_404(number)
    return render(
        request,
        "statements/customer.html",
        {"customer": customer, "statements": selectors.statements_of(customer)},
    )


@login_required
@permission_required("statements.view_statement", raise_exception=True)
@require_GET
def statement_download(request, statement_id, kind):
    try:
        statement = selectors.statement_get(statement_id=statement_id)
        stored = services.statement_file(statement, kind)
    except (Statement.DoesNotExist, services.StatementFileGone, ValidationError):
        raise Http404("This statement has no such file.") from None
    response = FileResponse(
        stored.open("rb"),
        # HTML opens in the browser to read or print; the PDF is saved.
        as_attachment=kind == "pdf",
        filename=services.statement_filename(statement, kind),
        content_type=services.CONTENT_TYPES[kind],
    )
    response["X-Content-Type-Options"] = "nosniff"
    # The stored HTML is ours, but it is opened alone: no script runs in it.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@login_required
@permission_required("statements.view_statementrun", raise_exception=True)
@require_GET
def run_list(request):
    return render(
        request,
        "statements/runs.html",
        {
            "runs": selectors.statement_runs_recent(),
            "suggested_period": str(Period.before(timezone.localdate())),
        },
    )


@login_required
@permission_required("statements.start_statementrun", raise_exception=True)
@require_POST
def run_start(request):
    try:
        run = runs.statement_run_request(period=request.POST.get("period", ""), actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Statement run {run.pk} for {run.period} started over {run.chunks_total} chunk(s).",
        )
    return redirect("statements:runs")
