class Pet:
    """A pet.

    Attributes:
        legs (int): How many legs.
        name (str): Its name.
    """

    name: str
    legs: int = 4
