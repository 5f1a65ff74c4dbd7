"""The operators' endpoints: health for load balancers and orchestrators, metrics for
Prometheus. None needs a session; /metrics needs its bearer token."""

import hmac

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from .metrics import metrics_text


@never_cache
@require_GET
def liveness(request):
    """The process is up and answering; asks nothing of the database or the broker."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def metrics(request):
    """Prometheus's scrape: ``Authorization: Bearer $CRM_METRICS_TOKEN``. Without a token
    configured, nobody may read them."""
    token = settings.CRM_METRICS_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not token or not hmac.compare_digest(given.encode(), token.encode()):
        response = HttpResponse("A valid metrics token is required.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        response["Content-Type"] = "text/plain; charset=utf-8"
        return response
    return HttpResponse(metrics_text(), content_type=CONTENT_TYPE_LATEST)
