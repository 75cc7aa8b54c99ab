from errors import BadRequestKeyError
from errors import DecodeError as BodyDecodeError


def get(data, key):
    """The value of ``key``.

    :param data: The request's data.
    :param key: The key.
    :raise KeyError: if the key is missing (raised as a subclass of it).
    :return: The value.
    """
    if key not in data:
        raise BadRequestKeyError(key)
    return data[key]


def parse(text):
    """The parsed body.

    :param text: The body.
    :raise DecodeError: if the body does not parse (raised under an import alias).
    :return: The text.
    """
    if not text:
        raise BodyDecodeError(text)
    return text


def check(value):
    """Check a value.

    :param value: The value.
    :raise TypeError: documented, but a LookupError is what is raised.
    """
    if value:
        raise LookupError(value)


def builtin(value):
    """Look it up.

    :param value: The value.
    :raise LookupError: KeyError is one, as Python's own classes say.
    """
    if value:
        raise KeyError(value)
