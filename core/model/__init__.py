"""The served model: files on disk, the HTTP client, the server process, connecting to it.

``files`` (the bundled GGUF, format checks, identity), ``client`` (a small
OpenAI-compatible completions client, standard library only), ``server``
(llama-cpp-python's server: foreground, detached, or embedded for one run),
``connect`` (a client for the configured model, starting a server if none
answers at the default URL).
"""
