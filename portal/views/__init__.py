"""The customer portal's pages: sign-in by one-time code, then the customer's own data, the
changes they make and what they ask of us.

Views read the form, call one service or selector and render; the rules are in
portal.services (codes, sign-in), portal.self_service (the customer's own changes),
portal.selectors (what a customer may see) and portal.auth (the session). Every page speaks
the customer's language (the browser's before sign-in).
"""
