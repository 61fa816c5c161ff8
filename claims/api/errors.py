import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, IntegrityError, OperationalError, connection
from django.db.models import ProtectedError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from claims.workflow import TransitionNotAllowed

logger = logging.getLogger(__name__)

# Django's limits on a body (settings.DATA_UPLOAD_MAX_*), met when DRF reads request.data.
BODY_LIMITS = (
    (RequestDataTooBig, status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
     "The request body is larger than the {:,} bytes the API accepts.", "DATA_UPLOAD_MAX_MEMORY_SIZE"),
    (TooManyFieldsSent, status.HTTP_400_BAD_REQUEST,
     "The request has more than the {:,} fields the API accepts.", "DATA_UPLOAD_MAX_NUMBER_FIELDS"),
    (TooManyFilesSent, status.HTTP_400_BAD_REQUEST,
     "The request has more than the {:,} files the API accepts.", "DATA_UPLOAD_MAX_NUMBER_FILES"),
)


def exception_handler(exc, context):
    """DRF's handler, plus the domain's errors with their messages.

    A refused transition: 403 when the role is missing, 409 when the state forbids it.
    Model validation: 400 with field messages. A protected row: 409. A body over Django's
    limits: 413 when too large, 400 with too many fields or files, in JSON (Django's own answer
    is an HTML 400).
    """
    for kind, code, message, limit in BODY_LIMITS:
        if isinstance(exc, kind):
            return Response({"detail": message.format(getattr(settings, limit))}, status=code)
    if isinstance(exc, TransitionNotAllowed):
        code = status.HTTP_403_FORBIDDEN if exc.forbidden else status.HTTP_409_CONFLICT
        return Response({"detail": exc.message}, status=code)
    if isinstance(exc, ProtectedError):
        names = sorted({str(o._meta.verbose_name) for o in exc.protected_objects})
        return Response({"detail": "Still referred to by " + ", ".join(names) + "; "
                                   "remove those first."}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, OperationalError) and _database_unavailable():
        # The database went away (a restart, a failover): a 503 the client may retry, not a
        # 500 that reads as a fault of the request; the cause stays in the log.
        logger.warning("database unavailable: %s", exc)
        return Response({"detail": "The database is unavailable for a moment; try again."},
                        status=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": "5"})
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(as_serializer_error(exc))
    elif isinstance(exc, IntegrityError):
        # Validation runs first, so this is a race (e.g. two creates of one DOI at once);
        # the database's own words stay in the log, not in the answer.
        logger.warning("integrity error: %s", exc)
        return Response({"non_field_errors": ["The change conflicts with a record saved at the "
                                              "same moment; reload and try again."]},
                        status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


def _database_unavailable() -> bool:
    """Whether the database cannot be reached now: an OperationalError is also a deadlock or a
    statement SQLite gave up on, which are faults of the request (500)."""
    try:
        if connection.connection is not None and connection.is_usable():
            return False
        connection.close()
        connection.ensure_connection()
    except DatabaseError:
        return True
    return False
