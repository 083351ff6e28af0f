"""The API's errors: drf-standardized-errors' shape, and the database out of reach as 503.

Without this a database outage answered 500 "Server Error", which a client takes for a bug
on our side; 503 with Retry-After says to try again, and clients that retry (urllib3's
Retry, requests' adapters) do.
"""

import errno

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from drf_standardized_errors.handler import ExceptionHandler
from rest_framework import exceptions

UNAVAILABLE = "The database cannot be reached just now: try again in a minute."
RETRY_SECONDS = 30


class DatabaseUnavailable(exceptions.APIException):
    status_code = 503
    default_detail = UNAVAILABLE
    default_code = "unavailable"
    wait = RETRY_SECONDS  # drf-standardized-errors sends it as Retry-After


class NoTemporarySpace(exceptions.APIException):
    status_code = 503
    default_detail = (
        "The server has no temporary space for this file just now (an Excel file is built on "
        "disk before it is sent): try again later, or ask for format=csv, which streams."
    )
    default_code = "unavailable"
    wait = RETRY_SECONDS


class BodyTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "too_large"


class PortfolioExceptionHandler(ExceptionHandler):
    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if isinstance(exc, OperationalError | InterfaceError):
            return DatabaseUnavailable()
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            return NoTemporarySpace()  # the partial file is closed, so removed, already
        if isinstance(exc, RequestDataTooBig):
            # Django's SuspiciousOperation, a bare 500 through DRF: the client sent too much.
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            return BodyTooLarge(
                f"The request body is over {limit:,} bytes: send less at a time, "
                "or import it as a file (the admin's imports)."
            )
        return super().convert_known_exceptions(exc)
