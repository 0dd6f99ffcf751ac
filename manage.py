#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    # Production unless told otherwise: a forgotten variable must never mean DEBUG and a
    # published key. `make run` exports lms.settings.dev; pytest uses lms.settings.test.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.production")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
