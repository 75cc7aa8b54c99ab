def gives(a):
    """Gives.

    Args:
        a: The a.
    """
    return a


class C:
    """A class."""

    @property
    def size(self):
        """The size (properties need no Returns section)."""
        return 1

    def __init__(self, a):
        """Make one.

        Args:
            a: The a.
        """
        self.a = a


def hands_on(a) -> None:
    """Annotated -> None: returning another call's None is not a value to describe.

    Args:
        a: The a.
    """
    return print(a)
