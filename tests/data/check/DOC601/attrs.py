class Pet:
    """A pet.

    Attributes:
        name (str): Its name.
        legs (int): How many legs.
        colour (str): Gone since the last refactoring.
    """

    name: str
    legs: int = 4
    _secret: str = ""
