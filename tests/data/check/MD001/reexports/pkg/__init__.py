from ._client import *
from ._api import get

__all__ = ["Client", "get"]
