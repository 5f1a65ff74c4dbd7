"""Static files in production: compressed, named after their content, and never a failed page.

WhiteNoise's manifest storage links each file by the hashed name ``manage.py collectstatic``
wrote, and raises for a file that step did not collect; every page linking it would answer 500.
Django's ``manifest_strict = False`` alone does not help: it then hashes the file from
STATIC_ROOT, which is just as missing. Here such a file is linked by its plain name (at worst
that file is not found) and the missing deploy step is logged as an error, once per process.
"""

import logging

from whitenoise.storage import CompressedManifestStaticFilesStorage

logger = logging.getLogger(__name__)


class CollectedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    manifest_strict = False
    _missing_reported = False

    def stored_name(self, name):
        try:
            return super().stored_name(name)
        except ValueError:
            if not CollectedStaticFilesStorage._missing_reported:
                CollectedStaticFilesStorage._missing_reported = True
                logger.error(
                    "Static file %s was not collected: run `python manage.py collectstatic "
                    "--noinput` when deploying (see README.md, Production). Pages link static "
                    "files by their plain names until then.",
                    name,
                )
            return name
