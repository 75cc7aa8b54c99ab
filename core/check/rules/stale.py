"""DOC401: a change that edits code but leaves its doc comment as it was may have made the doc false."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from llmctl.core.check.rules import Finding, rule

DOC401 = rule("DOC401", "warning", "doc comment may be stale after this change",
              "Only for a change (--staged, --since, the hook): the change edited a documented function's or type's "
              "body or signature and left its doc comment word for word. A logistic model over features of the "
              "change (parameters removed that the doc describes, names and literals the doc mentions that left the "
              "code, new or dropped exceptions, a changed return, how much of the body changed and what it is about, "
              "and the rest of the change in the file: other doc comments it reworded, other symbols it edited) "
              "says how likely the doc needed an update, at the rate docs really went stale in those histories "
              "(about 6% of such changes); the finding names the feature that weighs most. Tests, examples and "
              "vendored code are not judged, nor changes of layout, comments or nested doc comments only. The "
              "shipped weights are learned from public projects' histories (bench/staleness.py); `llmctl train "
              "staleness` learns them from your own history into <store>/staleness.json, which is then used instead.",
              "read the doc comment against the change: update it, or leave it if it still holds")


def check_stale(changes: Iterable, model) -> Iterator[Finding]:
    """DOC401 for each change the model rates at or above its threshold."""
    from llmctl.core.check.staleness import features

    for change in changes:
        x, reasons = features(change)
        if model.probability(x) >= model.threshold:
            yield DOC401.at(change.new, f"doc comment may be stale ({model.chance(x):.0%} likely): "
                                        f"{model.reason(x, reasons)}")
