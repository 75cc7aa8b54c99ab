"""The generated API reference: ``docs sync`` and the pieces it is made of.

``sync`` (the five steps), ``templates`` (Jinja2), ``markers`` (provenance
markers, merging with the user's text), ``prose`` (what the model writes,
few-shot examples, validation, the prose cache), ``generate`` (asking the
model), ``render`` (one symbol's section).
"""
