"""Load test of the deadline scenario plus a browsing mix (`manage.py carga`).

Lives in constancias, the top layer, because the scenario builds a course, its
evaluation and a constancia rule and checks all of them afterwards. The building
blocks that know only `lms` (hostile workbooks, measurement, the local stack, logged-in
sessions) stay in `lms.carga`. Not imported by the site: the `carga` command is its
only user.
"""
