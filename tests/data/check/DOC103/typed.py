def label(count: int, name: str | None) -> str:
    """Label.

    Args:
        count (str): How many.
        name (Optional[str]): The name.

    Returns:
        str: The label.
    """
    return f"{count} {name}"


def ratio(x: int) -> float:
    """Ratio.

    Args:
        x (float): int and float are different types (pydoclint's policy; check.type_match = "builtin" relaxes it).

    Returns:
        float: The ratio.
    """
    return x / 2
