"""Load test of the deadline scenario plus a browsing mix (`manage.py carga`).

Not imported by the site: the `carga` management command is its only user.
"""
