def f(a, c):
    """Sum.

    Parameters
    ----------
    a : int
        The a.
    b : int
        The b.

    Returns
    -------
    int
        The sum.
    """
    return a + c
