"""gunicorn's settings wherever the product is served with it (production, benchmarks, CI);
gunicorn reads this file from the directory it starts in."""

# The longest request line gunicorn reads: its own maximum, instead of its default of 4094
# bytes. Query strings a little too long for the API (over 4 KB) then reach Django, which
# answers with a TMF error body instead of gunicorn's HTML page; a proxy in front caps the rest.
limit_request_line = 8190
