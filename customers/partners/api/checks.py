"""The deployment check of the partner APIs' OpenAPI documents."""

from django.core.checks import Error, Warning
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.settings import patched_settings, spectacular_settings

import customers.partners.api.urls  # noqa: F401  (each API registers its document)
from customers.partners.api.openapi import DOCUMENTS


def api_documents_check(app_configs, **kwargs):
    """Each API's OpenAPI document generates without a warning (``check --deploy``).

    drf-spectacular's own check would generate one document of every URL, in which the three
    APIs' hubs share operation ids; each API is its own document, so each is checked alone.
    """
    problems = []
    for mounted, settings in DOCUMENTS:
        GENERATOR_STATS.reset()
        try:
            with GENERATOR_STATS.silence(), patched_settings(settings):
                generator = spectacular_settings.DEFAULT_GENERATOR_CLASS(urlconf=_Patterns(mounted))
                generator.get_schema(request=None, public=True)
        except Exception as error:  # any failure to generate is what the check reports
            problems.append(Error(f"{settings['TITLE']}: {error}", id="partners.E001"))
        problems += [
            Warning(f"{settings['TITLE']}: {message}", id="partners.W001")
            for message in [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
        ]
    GENERATOR_STATS.reset()
    return problems


class _Patterns:
    """URL patterns as the generator takes a URL module."""

    def __init__(self, patterns):
        self.urlpatterns = patterns
