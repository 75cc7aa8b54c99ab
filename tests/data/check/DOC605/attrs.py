class Pet:
    """A pet.

    Attributes:
        name (bytes): Its name.
    """

    name: str
