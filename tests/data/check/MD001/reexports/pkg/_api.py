def get(url):
    """GET."""
