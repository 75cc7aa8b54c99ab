def typed(a) -> None:
    """Typed.

    Args:
        a: Text.

    Returns:
        str: Nothing really.
    """
    print(a)


class P:
    def abstract(self, a):
        """Abstract: a stub may document what overrides return.

        Args:
            a: The a.

        Returns:
            int: Something.
        """
        raise NotImplementedError
