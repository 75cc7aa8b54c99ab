class Pet:
    """A pet.

    Attributes:
        name (str): Its name.
    """

    name: str
    legs: int = 4
