"""``docs check``: drift between documentation and code.

``run`` (the entry point), ``scope`` (what is checked), ``lookup`` (symbol
questions, through the store), ``rules/`` (one module per rule family, each
rule declared once beside its check), ``suppress`` (config filters, inline
comments, baseline), ``report`` (the text formatter the hook prints too).
"""
