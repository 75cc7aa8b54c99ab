class NotAnAttrsClassError(ValueError):
    """Not an attrs class."""


class _InstanceOfValidator:
    """The validator instance_of returns."""

    def __call__(self, value):
        """Check it.

        Args:
            value: The value.

        Raises:
            TypeError: If the value is of another type.
        """
        if not isinstance(value, int):
            raise TypeError(value)


def fields(cls):
    """Its fields.

    Args:
        cls: The class.

    Raises:
        NotAnAttrsClassError: If *cls* is not an attrs class.

    Returns:
        list: The fields.
    """
    if not hasattr(cls, "__attrs_attrs__"):
        raise NotAnAttrsClassError(cls)
    return cls.__attrs_attrs__


def _fields_of(cls):
    return fields(cls)


def evolve(inst):
    """A copy, as a callee two calls away raises.

    Args:
        inst: The instance.

    Raises:
        NotAnAttrsClassError: If *inst* is not an attrs instance.
        ValueError: A base class of what the callee raises.

    Returns:
        object: The copy.
    """
    return _fields_of(type(inst))


def instance_of():
    """A validator; calling it raises what its __call__ raises.

    Raises:
        TypeError: With a readable message.

    Returns:
        object: The validator.
    """
    return _InstanceOfValidator()


def has(cls):
    """Says it raises, but no callee of this project does.

    Args:
        cls: The class.

    Raises:
        TypeError: If *cls* is not a class.

    Returns:
        bool: Whether it has fields.
    """
    return getattr(cls, "__attrs_attrs__", None) is not None


def asdict(inst, strict):
    """Raises one itself and documents one a callee raises (no DOC303 either).

    Args:
        inst: The instance.
        strict: Refuse a None.

    Raises:
        TypeError: If strict and *inst* is None.
        NotAnAttrsClassError: If *inst* is not an attrs instance.

    Returns:
        list: Its fields.
    """
    if strict and inst is None:
        raise TypeError(inst)
    return fields(type(inst))
