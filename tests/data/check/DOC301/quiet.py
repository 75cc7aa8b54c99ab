def quiet(a):
    """Quiet.

    Args:
        a: The a.

    Raises:
        KeyError: Never, in fact.
    """
    print(a)


def loud(items):
    """Loud.

    Args:
        items: Things.

    Raises:
        ValueError: From inside a callback.
    """
    def check(x):
        raise ValueError(x)
    for i in items:
        check(i)
