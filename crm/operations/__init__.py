"""What operators run and watch the product with: health checks, metrics, request ids carried
into logs and tasks. Wired in by ``crm/settings/operations.py`` and ``crm/operations_urls.py``."""
