"""Staff pages: the wording of the lifecycle messages, per event and language."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from customers.forms import apply_service_error

from . import selectors, services
from .forms import MessageTemplateForm
from .models import Event, Language
from .placeholders import PLACEHOLDERS

EDIT_PERMISSION = "messaging.change_messagetemplate"


@login_required
@permission_required(EDIT_PERMISSION, raise_exception=True)
def template_list(request):
    return render(
        request,
        "messaging/templates.html",
        {"overview": selectors.template_overview(), "languages": Language.choices},
    )


@login_required
@permission_required(EDIT_PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def template_edit(request, event, language):
    if event not in Event.values or language not in Language.values:
        raise Http404("No such message")
    current = selectors.template_texts([event])[(event, language)]
    form = MessageTemplateForm(
        request.POST if request.method == "POST" else None,
        event=event,
        initial={"subject": current.subject, "body": current.body},
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        subject, body = form.cleaned_data["subject"], form.cleaned_data["body"]
        try:
            if "preview" in request.POST:
                preview = services.message_preview(
                    event=event, language=language, subject=subject, body=body
                )
            else:
                services.message_template_save(
                    event=event, language=language, subject=subject, body=body, actor=request.user
                )
                messages.success(request, f"{Event(event).label} ({language}) saved.")
                return redirect("messaging:templates")
        except ValidationError as error:
            apply_service_error(form, error)
    elif request.method == "GET":
        preview = services.message_preview(
            event=event, language=language, subject=current.subject, body=current.body
        )
    return render(
        request,
        "messaging/template_form.html",
        {
            "form": form,
            "event": event,
            "event_label": Event(event).label,
            "language": language,
            "language_label": Language(language).label,
            "current": current,
            "placeholders": PLACEHOLDERS[event].items(),
            "preview": preview,
        },
    )
