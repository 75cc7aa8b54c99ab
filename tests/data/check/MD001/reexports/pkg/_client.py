__all__ = ["Client"]

TIMEOUT = 5.0


class Client:
    """A client."""

    def send(self, request):
        """Send."""
