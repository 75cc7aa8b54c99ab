class Flask:
    """The application.

    :param import_name: The name of the package.
    """

    #: The class that is used for response objects.
    #: See Response for more.
    response_class = dict

    testing = False
    """Whether testing mode is on: a string after the attribute documents it, as Sphinx reads it."""

    def __init__(self, import_name):
        self.import_name = import_name


class Blueprint:
    """A blueprint.

    :param name: Its name.
    """

    #: Not this attribute's: a blank line stands between.

    secret_key = None

    def __init__(self, name):
        self.name = name
