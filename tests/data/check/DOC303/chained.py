import sys


def make_response(rv):
    """Make a response.

    Args:
        rv: The return value.

    Raises:
        TypeError: If rv is of a type that cannot be a response.

    Returns:
        The response.
    """
    try:
        return dict(rv)
    except TypeError as e:
        raise TypeError(f"cannot use {rv!r}").with_traceback(sys.exc_info()[2]) from e


def handle_build_error(error, endpoint):
    """Handle a build error.

    Args:
        error: The error raised.
        endpoint: The endpoint.

    Raises:
        ValueError: If the endpoint is empty.
    """
    if not endpoint:
        raise ValueError(endpoint)
    raise error
