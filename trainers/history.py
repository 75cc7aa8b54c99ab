"""Doc-staleness examples mined from a repository's git history, and the model trained on them.

From each commit (merges skipped), every documented function, method or type
whose body or signature changed is an example (old doc, old code, new code):
positive when the same commit also reworded its doc comment (the doc needed an
update), negative when the doc stayed as it was. Not counted either way: doc
edits that only change layout, version notes (``versionadded``, ``.. deprecated``)
or fix a typo; symbols in tests, examples, vendored or generated code. Every
language llmctl parses takes part.

:func:`fit` trains :class:`~llmctl.core.check.staleness.Model` (logistic
regression, NumPy, standardised features, L2, class-balanced) and picks the
threshold that maximises F1 on the training examples (0.5, the balanced cut,
when there are fewer than 500).
"""

from __future__ import annotations

import difflib
import re
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from llmctl.analyzers import analyze, language_for
from llmctl.core.api import excluded
from llmctl.core.check.staleness import FEATURES, Model, changes, doc_changed, elsewhere, features, file_counts, judged

_VERSION_NOTE = re.compile(r"(versionadded|versionchanged|deprecated|\.\. note|@since|@deprecated)", re.I)
_DOC_WORD = re.compile(r"[A-Za-z0-9_]+")


@dataclass
class Example:
    """One documented symbol changed by one commit."""

    repo: str
    commit: str
    path: str
    symbol: str
    language: str
    label: int  # 1: the commit reworded the doc comment too
    x: list[float]
    params_changed: bool
    check_new: bool  # `docs check` finds something on the new version that the old did not have
    old_doc: str
    new_doc: str
    diff: str = ""  # the symbol's code change, unified (what a suggestion is asked from)
    old_code: str = ""  # the symbol's source before the commit
    new_code: str = ""  # and after

    def to_json(self) -> dict:
        """One line of the examples JSONL."""
        return asdict(self)


def substantive(old_doc: str, new_doc: str) -> bool | None:
    """True: reworded; False: unchanged; None: changed only in layout, version notes or a typo (not counted)."""
    if not doc_changed(old_doc, new_doc):
        return False

    def words(d: str) -> list[str]:
        out, in_note = [], False
        for ln in d.splitlines():
            if _VERSION_NOTE.search(ln):
                in_note = True  # a version note runs to the next blank line
            elif not ln.strip():
                in_note = False
            if not in_note:
                out.extend(w.lower() for w in _DOC_WORD.findall(ln))
        return out

    a, b = words(old_doc), words(new_doc)
    if a == b:
        return None
    ops = [op for op in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes() if op[0] != "equal"]
    typo = all(tag == "replace" and i2 - i1 == j2 - j1 == 1
               and difflib.SequenceMatcher(a=a[i1], b=b[j1]).ratio() >= 0.8 for tag, i1, i2, j1, j2 in ops)
    return None if typo and len(ops) <= 2 else True


class _Blobs:
    """``git cat-file --batch``: file contents at revisions, one process for the whole walk."""

    def __init__(self, root: Path):
        self.proc = subprocess.Popen(["git", "cat-file", "--batch"], cwd=root, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE)

    def get(self, rev: str, path: str) -> bytes | None:
        self.proc.stdin.write(f"{rev}:{path}\n".encode())
        self.proc.stdin.flush()
        header = self.proc.stdout.readline().split()
        if len(header) < 3 or header[1] != b"blob":
            return None
        data = self.proc.stdout.read(int(header[2]))
        self.proc.stdout.read(1)
        return data

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


def _commits(root: Path, max_commits: int) -> list[str]:
    """The last ``max_commits`` non-merge commits, newest first; a clear error where there are none to mine."""
    from llmctl.core.errors import LlmctlError

    try:
        return _git(root, "rev-list", "--no-merges", f"--max-count={max_commits}", "HEAD").split()
    except (subprocess.CalledProcessError, OSError) as e:
        why = (getattr(e, "stderr", "") or str(e)).strip().splitlines()
        raise LlmctlError(f"{root}: no commits to mine ({why[0] if why else 'git failed'})",
                          "run it in a git repository with history (--history mines its commits)") from None


def mine(root: Path, *, max_commits: int = 2000, name: str | None = None,
         progress: Callable[[int, int], None] | None = None) -> Iterator[Example]:
    """The examples of the last ``max_commits`` non-merge commits of the repository at ``root``."""
    from llmctl.core.check.rules.docstring import DocContext, check_doc
    from llmctl.core.config import CheckConfig

    commits = _commits(root, max_commits)
    blobs = _Blobs(root)
    ctx = DocContext(CheckConfig())
    repo = name or root.name
    try:
        for n, commit in enumerate(commits):
            if progress:
                progress(n, len(commits))
            try:
                changed = _git(root, "diff", "--name-only", "--diff-filter=M", f"{commit}^", commit).split("\n")
            except subprocess.CalledProcessError:
                continue  # the root commit
            files = {}
            for path in changed:
                lang = language_for(path) if path else None
                if not lang or excluded(path, lang, [], []):
                    continue
                old_src, new_src = blobs.get(f"{commit}^", path), blobs.get(commit, path)
                if old_src is None or new_src is None or len(old_src) > 1_000_000:
                    continue
                old_syms = analyze(old_src, path, lang).symbols
                if not any(map(judged, old_syms)):
                    continue
                files[path] = (old_syms, analyze(new_src, path, lang).symbols, old_src, new_src)
            counts = {path: file_counts(olds, news) for path, (olds, news, _, _) in files.items()}
            for path, (old_syms, new_syms, old_src, new_src) in files.items():
                lang = old_syms[0].language
                old_lines = old_src.decode("utf-8", "replace").splitlines()
                new_lines = new_src.decode("utf-8", "replace").splitlines()
                for change in changes(old_syms, new_syms, old_lines, new_lines, elsewhere(counts, path)):
                    old, new = change.old, change.new
                    label = substantive(old.doc_raw or "", new.doc_raw or "")
                    if label is None:
                        continue
                    x, _ = features(change)
                    before = {(f.rule, f.message) for f in check_doc(old, ctx)}
                    yield Example(repo, commit, path, old.id, lang, int(label), x,
                                  [p.name for p in old.params] != [p.name for p in new.params],
                                  any((f.rule, f.message) not in before for f in check_doc(new, ctx)),
                                  old.doc_raw or "", new.doc_raw or "", change.diff(),
                                  "\n".join(change.old_lines), "\n".join(change.new_lines))
    finally:
        blobs.close()


def fit(xs: list[list[float]], ys: list[int], *, l2: float = 1.0, trained_on: list[str] | None = None) -> Model:
    """Logistic regression (Newton steps, class-balanced, L2) over standardised features; threshold at best F1."""
    import numpy as np

    X = np.asarray(xs, dtype=np.float64)
    y = np.asarray(ys, dtype=np.float64)
    mean = X.mean(0)
    scale = X.std(0)
    scale[scale == 0] = 1.0
    Z = np.hstack([(X - mean) / scale, np.ones((len(X), 1))])
    pos = max(y.sum(), 1.0)
    weight = np.where(y == 1, len(y) / (2 * pos), len(y) / (2 * max(len(y) - pos, 1.0)))
    w = np.zeros(Z.shape[1])
    reg = np.full(Z.shape[1], l2)
    reg[-1] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(Z @ w, -30, 30)))
        grad = Z.T @ (weight * (p - y)) + reg * w
        hess = (Z * (weight * p * (1 - p))[:, None]).T @ Z + np.diag(reg + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    model = Model(w[:-1].tolist(), float(w[-1]), mean.tolist(), scale.tolist(), 0.5, trained_on or [],
                  float(y.mean()))
    if len(y) >= 500:  # enough examples to pick the cut on them; with fewer, the balanced 0.5 overfits less
        probs = np.array([model.probability(list(r)) for r in X])
        model.threshold = best_threshold(probs, y)
    return model


def split_by_time(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    """(the examples of the oldest 80% of commits, those of the newest 20%)."""
    order = list(dict.fromkeys(e.commit for e in examples))  # rev-list order: newest first
    newest = set(order[:max(1, len(order) // 5)])
    return [e for e in examples if e.commit not in newest], [e for e in examples if e.commit in newest]


def evaluate(train: list[Example], test: list[Example], name: str = "this repository's model"
             ) -> dict[str, dict[str, float]]:
    """Fit on ``train``, score on ``test``: the learned model beside the shipped one."""
    from llmctl.core.check.staleness import Model

    out = {}
    models = {"shipped model": Model.load()}
    if sum(e.label for e in train) and sum(1 - e.label for e in train):
        models[name] = fit([e.x for e in train], [e.label for e in train])
    ys = [e.label for e in test]
    for name, model in models.items():
        probs = [model.probability(e.x) for e in test]
        out[name] = metrics([p >= model.threshold for p in probs], probs, ys)
    return out


def metrics(pred: list[bool], scores: list[float], ys: list[int]) -> dict[str, float]:
    """Precision, recall, F1 of ``pred`` and the AUC of ``scores`` against labels ``ys``."""
    tp = sum(1 for p, y in zip(pred, ys) if p and y)
    fp = sum(1 for p, y in zip(pred, ys) if p and not y)
    fn = sum(1 for p, y in zip(pred, ys) if not p and y)
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": prec, "recall": rec, "f1": 2 * prec * rec / (prec + rec) if prec + rec else 0.0,
            "auc": auc(scores, ys)}


def auc(scores: list[float], ys: list[int]) -> float:
    """Area under the ROC curve (ties count half); NaN without both classes."""
    pairs = sorted(zip(scores, ys))
    pos = sum(ys)
    neg = len(ys) - pos
    if not pos or not neg:
        return float("nan")
    rank_sum, i = 0.0, 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        rank_sum += sum(1 for k in range(i, j) if pairs[k][1]) * (i + j + 1) / 2
        i = j
    return (rank_sum - pos * (pos + 1) / 2) / (pos * neg)


def best_threshold(probs, y) -> float:
    """The probability cut with the best F1 on (probs, y)."""
    import numpy as np

    best = (0.0, 0.5)
    for t in np.unique(np.round(probs, 3)):
        pred = probs >= t
        tp = float((pred & (y == 1)).sum())
        if tp == 0:
            continue
        f1 = 2 * tp / (pred.sum() + (y == 1).sum())
        best = max(best, (f1, float(t)))
    return best[1]


__all__ = ["FEATURES", "Example", "auc", "evaluate", "fit", "metrics", "mine", "substantive"]


def write_history(roots: list[Path], out_dir: Path, *, max_commits: int = 2000, split: str = "time",
                  progress: Callable[[str, int, int], None] | None = None) -> dict:
    """Mine every repository into ``out_dir/history/{train,test}.jsonl`` (+ ``stats.json``), atomically.

    ``split="time"``: per repository, the examples of its newest 20% of commits
    are the test split (what a model trained on the past meets next).
    ``split="repo"``: whole repositories are held out: every fifth one given
    (the last one when fewer than five), so test figures are on code the model
    never saw. Each line is one :class:`Example` plus the symbol's old and new code.
    """
    import json
    import os
    import shutil
    import tempfile

    from llmctl.core.errors import LlmctlError

    if split not in ("time", "repo"):
        raise LlmctlError(f"--split {split}: unknown split", "use time or repo")
    if split == "repo" and len(roots) < 2:
        raise LlmctlError("--split repo holds whole repositories out: it needs two or more",
                          "give more repositories, or use --split time")
    rows: dict[str, list[dict]] = {"train": [], "test": []}
    for i, root in enumerate(roots):
        held = i % 5 == 4 or (len(roots) < 5 and i == len(roots) - 1)
        commits = _commits(root, max_commits)
        newest = set(commits[: len(commits) // 5])  # rev-list lists the newest first
        tick = (lambda n, total, name=root.name: progress(name, n, total)) if progress else None
        for e in mine(root, max_commits=max_commits, progress=tick):
            test = held if split == "repo" else e.commit in newest
            rows["test" if test else "train"].append(e.to_json())
    stats = {"split": split, "repositories": [str(r) for r in roots], "features": list(FEATURES),
             **{f"{k}_examples": len(v) for k, v in rows.items()},
             **{f"{k}_positive": sum(r["label"] for r in v) for k, v in rows.items()}}
    target = out_dir.resolve() / "history"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".history.", dir=target.parent))
    try:
        for name, items in rows.items():
            (tmp / f"{name}.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in items),
                                               encoding="utf-8")
        (tmp / "stats.json").write_text(json.dumps(stats, indent=2) + "\n")
        old = target.with_name(f".history.old-{os.getpid()}")
        if target.exists():
            os.replace(target, old)
        os.replace(tmp, target)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return stats


def read_history(data_dir: Path, split: str) -> list[Example]:
    """The examples of ``data_dir/history/<split>.jsonl`` (written by ``llmctl train data --history``)."""
    import json

    from llmctl.core.errors import LlmctlError

    path = data_dir / "history" / f"{split}.jsonl"
    if not path.is_file():
        raise LlmctlError(f"{path}: missing", "run `llmctl train data --history` first")
    fields = set(Example.__dataclass_fields__)
    return [Example(**{k: v for k, v in json.loads(ln).items() if k in fields})
            for ln in path.read_text("utf-8").splitlines() if ln.strip()]
