"""Starting the project stays quick: setting up Django and loading the URLs (every manage.py
call, every web and worker process) does not import the heavy numeric libraries. scikit-learn
and SciPy are imported where a model is trained or the relationship graph is ranked."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sklearn", "scipy", "pandas")


def test_setting_up_django_and_loading_the_urls_imports_no_heavy_library():
    script = (
        # Setting up loads every app, its models and its admin; the URLs load every view.
        "import sys, django; django.setup(); import crm.urls; "
        f"print(','.join(name for name in {HEAVY!r} if name in sys.modules))"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "crm.settings.dev"}

    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

    assert result.stdout.strip() == "", f"imported at start-up: {result.stdout.strip()}"
