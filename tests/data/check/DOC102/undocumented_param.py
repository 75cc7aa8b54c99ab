def scale(value, factor, *args, **kwargs):
    """Scale a value.

    Args:
        value: What to scale.

    Returns:
        The scaled value.
    """
    return value * factor
