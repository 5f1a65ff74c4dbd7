"""The chunked background job every feature runs its long work on.

A job kind (a scoring run, a duplicate scan, an import) is a run split into id-range chunks.
Any worker takes a chunk by claiming it with one UPDATE that only one worker can win; the claim
is a lease (``CRM_JOB_LEASE_SECONDS``), so a chunk whose worker died is taken over once it runs
out. A chunk's writes and its "done" mark commit together, so a chunk delivered twice does its
work once. A failing chunk is tried again up to ``CHUNK_ATTEMPTS`` times, then counted failed;
the last chunk to end runs the kind's completion step. One sweep (``jobs_resume``) queues again
the chunks whose message was lost.

Each app declares its kinds in its ``jobs`` module (``kinds.register``).
"""
