"""Staff sign-in: lockout after failed passwords (django-axes), idle and absolute session
timeouts, the TOTP second factor and its recovery codes (django-otp), and the sign-in log.

Who may use the staff UI, and when a second factor is needed, is decided in ``crm/staff.py``;
this package carries those decisions out.
"""
