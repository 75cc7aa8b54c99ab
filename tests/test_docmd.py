"""Doc comment text as Markdown on a page (core/docs/docmd.py)."""

from __future__ import annotations

from llmctl.core.docs.docmd import to_markdown

HTTPX = '''Send a single HTTP request.

Example usage:

    with httpx.HTTPTransport() as transport:
        resp = transport.handle_request(req)

Returns a `Response` instance.'''

LIST = '''Status codes from the following RFCs are all observed:

    * RFC 7231: Hypertext Transfer Protocol (HTTP/1.1), obsoletes 2616
    * RFC 6585: Additional HTTP Status Codes'''

PROSE = '''Something like the following folders could be returned:

    Mac OS X (POSIX):
      the home folder.'''


def test_an_indented_block_after_a_colon_is_code_only_when_it_reads_as_code():
    assert ("Example usage:\n\n```python\nwith httpx.HTTPTransport() as transport:\n"
            "    resp = transport.handle_request(req)\n```\n\nReturns") in to_markdown(HTTPX, "python", "plain")
    assert "```" not in to_markdown(LIST, "python", "plain")  # a list, not code (httpx's codes)
    assert "```" not in to_markdown(PROSE, "python", "plain")  # a sentence, not code (click's get_app_dir)
