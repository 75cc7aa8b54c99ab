"""Search over code and docs: chunks -> embeddings + BM25 -> fused ranking.

``tokens`` (the project's one word splitter and stemmer), ``chunks`` (what a
result is), ``embed`` (sentence embeddings without torch on the query path),
``index`` (SQLite source of truth and the diff -> embed -> commit refresh),
``derived`` (FAISS and BM25 files rebuilt from it), ``rank`` (the Searcher and
its ranking signals). Heavy libraries are imported inside functions.
"""
