"""gunicorn settings, read from the project folder (gunicorn's default ./gunicorn.conf.py).

Every gunicorn started from here logs through lms.logging.RegistroGunicorn: request lines
and referers without their query strings, and the same masking as Django's logs (reset
keys in paths, CURP, e-mail addresses, tokens). Command-line options still apply on top.
"""

logger_class = "lms.logging.RegistroGunicorn"
