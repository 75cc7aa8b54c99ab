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


JSOUP = b'''package org.jsoup;

public interface Connection {
    /**
     Set the authenticator. Use {@link #proxy(String, int)} first; the protocol must be {@code http}.
     <p>To use, supply a {@link RequestAuthenticator} that:
     <ol>
     <li>validates the URL, and</li>
     <li>returns the credentials</li>
     </ol>
     </p>
     <table><tr><td><code>E {@literal >} F</code></td><td>an F child of E</td></tr></table>
     <pre>{@code
     Connection session = Jsoup.newSession()
         .auth(auth -&gt; auth.credentials("u", "p"));
     }</pre>
     * @param authenticator the authenticator, or {@code null} to clear
     * @return this Connection, for chaining
     */
    Connection auth(RequestAuthenticator authenticator);
}
'''

EXPRESS = b'''/**
 * Send a response.
 *
 * Examples:
 *
 *     res.send('<p>some html</p>');
 *
 * @param {string|number} body The body; see {@link https://expressjs.com the guide}.
 * @public
 */
export function send(body) { return body; }
'''


def test_javadoc_inline_tags_and_html_read_as_markdown_and_jsdoc_html_is_left_alone():
    """jsoup's pages showed "#proxy(String, int)", "{@code http}" in a parameter table, list items and table
    cells run together, and its description indented by five spaces (a Markdown code block): it writes its
    text without `*` and its tags with them. JSDoc is Markdown: express's `<p>` in an example stays."""
    from llmctl.analyzers import analyze

    auth = next(s for s in analyze(JSOUP, "src/Connection.java", "java").symbols if s.name == "auth")
    text = to_markdown(auth.doc.description, "java", auth.doc.style)
    assert text.startswith("Set the authenticator. Use `proxy(String, int)` first; the protocol must be `http`.")
    assert "\n- validates the URL, and\n" in text and "\n- returns the credentials" in text
    assert "\n- `E > F` — an F child of E" in text
    assert "```\nConnection session = Jsoup.newSession()\n    .auth(auth -> auth.credentials(\"u\", \"p\"));\n```" in text
    assert auth.doc.params[0].description == "the authenticator, or `null` to clear"
    send = next(s for s in analyze(EXPRESS, "lib/response.js", "javascript").symbols if s.name == "send")
    assert "res.send('<p>some html</p>');" in to_markdown(send.doc.description, "javascript", send.doc.style)
    assert send.doc.params[0].description == "The body; see [the guide](https://expressjs.com)."


def test_a_line_of_a_directive_that_starts_with_a_role_is_text_not_an_option():
    """Flask's versionadded note lost ":data:`SERVER_NAME` does not implicitly enable it." as if it were an
    option like ``:caption:``, and the page ended the sentence at "Setting"."""
    text = to_markdown(".. versionadded:: 1.0\n   Setting\n   :data:`SERVER_NAME` does not enable it.\n\n"
                       ".. code-block:: python\n   :caption: x.py\n\n   print(1)\n", "python", "sphinx")
    assert "Setting `SERVER_NAME` does not enable it." in text
    assert "caption" not in text and "```python\nprint(1)\n```" in text
