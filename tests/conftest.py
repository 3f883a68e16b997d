"""Fixtures and set-up every test level shares."""

from __future__ import annotations

import logging
import sys

from aws_lambda_powertools import Logger

SERVICE_NAME = "civicline"


class _CurrentStdout:
    """Writes to whatever sys.stdout is at the time of writing: each test's own capture."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


# Powertools configures the service logger once, for the first Logger created, bound to the stdout of
# that moment. Creating it here with a stream that follows pytest's capture lets every test read (and
# scan for personal data) exactly what the handlers it runs would print in CloudWatch.
Logger(service=SERVICE_NAME, logger_handler=logging.StreamHandler(_CurrentStdout()))
