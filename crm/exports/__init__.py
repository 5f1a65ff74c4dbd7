"""Exports of list pages: exactly the rows a list's filters show, to CSV or XLSX.

A small result (up to ``STREAM_LIMIT`` rows) is written while it is downloaded. A larger one is
a background job (``crm.jobs``) that writes the file a chunk of rows at a time, in keyset pages,
under ``MEDIA_ROOT/exports``; its page shows the progress and then a link that serves the file
to the person who asked for it only. Every export is recorded by the list's own audit.

A list offers exports by registering an ``ExportSource`` (``sources.export_source_register``)
in its app's ``jobs`` module.
"""
