def parse(text: str) -> int:
    """Parse a number.

    Args:
        text: Digits.

    Returns:
        The number.
    """
    if not text.isdigit():
        raise ValueError(text)
    return int(text)


def lenient(text: str) -> int:
    """Parse, never raising itself: the nested helper raises.

    Args:
        text: Digits.

    Returns:
        The number, or 0.
    """
    def check(t):
        raise ValueError(t)
    try:
        return int(text)
    except ValueError:
        return 0
