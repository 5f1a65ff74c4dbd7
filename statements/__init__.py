"""Customer statements: per customer and period, the invoices and payments, the opening and
closing balance, in the customer's currency and language, stored as HTML and PDF.

The public API for the apps above (the customer portal):

- ``statements.selectors.statements_of(customer)``: the customer's statements, newest first;
- ``statements.services.statement_file(statement, kind)``: the stored HTML or PDF file;
- ``statements.delivery.statement_delivery_due(statement)``: whether an e-mail with the PDF is
  owed; each run's chunk puts those e-mails in the ``messaging`` outbox (``delivery``).

Generated monthly in the background as a job of ``crm.jobs`` (``statements.runs``).
"""
