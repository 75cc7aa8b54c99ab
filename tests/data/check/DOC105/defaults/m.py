def fetch(url: str, retries: int = 3, timeout: float = 10.0) -> bytes:
    """Fetch a URL.

    Args:
        url (str): The address.
        retries (int, default=5): How often to try.
        timeout (float): Seconds to wait. Defaults to 10.0.

    Returns:
        bytes: The body.
    """
    return b""
