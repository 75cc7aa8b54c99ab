def f(a, c):
    """Sum.

    :param a: The a.
    :param b: The b.
    :returns: The sum.
    """
    return a + c
