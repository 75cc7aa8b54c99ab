class BadRequest(Exception):
    """The request was bad."""


class BadRequestKeyError(BadRequest, KeyError):
    """A key is missing from the request's data."""


class DecodeError(ValueError):
    """The body is not what it says."""
