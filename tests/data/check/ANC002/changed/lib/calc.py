def area(w, h):
    return abs(w) * abs(h)
