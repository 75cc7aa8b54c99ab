def label(count: int, name: str) -> str:
    """Label.

    Args:
        count (str): How many.
        name (str): The name.

    Returns:
        str: The label.
    """
    return f"{count} {name}"


def ratio(x: int) -> float:
    """Ratio.

    Args:
        x (float): int and float are compatible.

    Returns:
        float: The ratio.
    """
    return x / 2
