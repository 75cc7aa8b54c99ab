def f(a, c):
    """Sum.

    Args:
        a: The a.
        b: The b.

    Returns:
        int: The sum.
    """
    return a + c
