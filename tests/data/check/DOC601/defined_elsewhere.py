import enum


class Base:
    """A base.

    Args:
        message: The message.

    Attributes:
        message: Set by the constructor.
    """

    def __init__(self, message):
        self.message = message


class Child(Base):
    """Inherits ``message``; sets ``code`` in a method; ``size`` is a property; ``kind`` is a slot.

    Attributes:
        message: From the base class.
        code: Set on self, in a tuple assignment.
        size: A property.
        kind: Listed in __slots__.
        renamed: Was ``old_name``; nothing defines it any more.
    """

    __slots__ = ("kind",)

    def reset(self):
        self.code, other = 0, 1

        def helper(this):
            this.nested = 1  # a nested function's receiver is its own
        return other

    @property
    def size(self):
        return 1


class Colour(enum.Enum):
    """Enum members have a ``value``, which Enum defines.

    Attributes:
        RED: Red.
        value: The member's value.
        nested: Only a nested function sets it, on its own receiver.
    """

    RED = 1

    def paint(self):
        def helper(this):
            this.nested = 1
        return helper


class Foreign(SomeThirdPartyBase):
    """A base outside the project and Python: cannot tell.

    Attributes:
        anything: Perhaps the base defines it.
    """
