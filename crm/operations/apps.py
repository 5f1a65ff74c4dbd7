from django.apps import AppConfig
from django.db.backends.signals import connection_created


class OperationsConfig(AppConfig):
    name = "crm.operations"
    label = "operations"
    verbose_name = "Operations"

    def ready(self):
        from crm.public_errors import public_area_register

        from . import celery_hooks, logs, metrics

        # Load balancers, orchestrators and Prometheus have no session: these answer them.
        public_area_register(name="health", prefix="/health/")
        public_area_register(name="metrics", prefix="/metrics")
        logs.install_record_context()
        celery_hooks.connect()
        connection_created.connect(metrics.queries_counted, dispatch_uid="crm_queries_counted")
