"""Errors the domain raises; the API maps each class to one HTTP status."""

from __future__ import annotations


class ProblemError(Exception):
    """A request that cannot be served; `message` says what to do and `field` names the input."""

    status = 400
    code = "BAD_REQUEST"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidRequestError(ProblemError):
    status = 422
    code = "VALIDATION_ERROR"


class NotFoundError(ProblemError):
    status = 404
    code = "NOT_FOUND"


class ConflictError(ProblemError):
    status = 409
    code = "CONFLICT"


class ForbiddenError(ProblemError):
    status = 403
    code = "FORBIDDEN"


class GenerationError(Exception):
    """A generation failure whose message is safe to show the user: no data, no stack trace."""

    code = "GENERATION_FAILED"


class ShardFailedError(GenerationError):
    code = "SHARD_FAILED"


class ArtifactStorageError(GenerationError):
    code = "STORAGE_UNAVAILABLE"


class TransientError(GenerationError):
    """Throttling or a passing fault; the state machine retries this error with backoff."""

    code = "TRANSIENT"
