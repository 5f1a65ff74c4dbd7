"""Field history: every change to a customer's own data, who made it, when, before and after.

Rows are written by database triggers (django-pghistory on django-pgtrigger), so a change is
recorded whatever wrote it: a service, a COPY of an import, a queryset update. Triggers exist on
PostgreSQL only; on the embedded SQLite default nothing is recorded and the page says so.
"""
