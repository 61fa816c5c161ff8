import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from claims.workflow import TransitionNotAllowed

logger = logging.getLogger(__name__)


def exception_handler(exc, context):
    """DRF's handler, plus the domain's errors with their messages.

    A refused transition: 403 when the role is missing, 409 when the state forbids it.
    Model validation: 400 with field messages. A protected row: 409.
    """
    if isinstance(exc, TransitionNotAllowed):
        code = status.HTTP_403_FORBIDDEN if exc.forbidden else status.HTTP_409_CONFLICT
        return Response({"detail": exc.message}, status=code)
    if isinstance(exc, ProtectedError):
        names = sorted({str(o._meta.verbose_name) for o in exc.protected_objects})
        return Response({"detail": "Still referred to by " + ", ".join(names) + "; "
                                   "remove those first."}, status=status.HTTP_409_CONFLICT)
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
