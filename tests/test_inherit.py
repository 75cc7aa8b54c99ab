"""Doc comments an undocumented override inherits (core/docs/inherit.py) and facts the language fixes."""

from __future__ import annotations

import json

from llmctl.analyzers import analyze
from llmctl.core.docs.inherit import inherit, supertypes
from llmctl.core.docs.prose import SUMMARY, called_by, needs

from conftest import run_cli, write

SIGNER = '''
class SigningAlgorithm:
    """Subclasses implement a signature generation algorithm."""

    def get_signature(self, key: bytes, value: bytes) -> bytes:
        """Returns the signature for the given key and value.

        :param key: The secret key.
        """
        raise NotImplementedError()


class NoneAlgorithm(SigningAlgorithm):
    """Provides an algorithm that does not perform any signing."""

    def get_signature(self, key: bytes, value: bytes) -> bytes:
        return b""


class HMACAlgorithm(NoneAlgorithm):
    """Provides signature generation using HMACs."""

    def get_signature(self, key: bytes, value: bytes) -> bytes:
        return b"mac"

    def other(self) -> None:
        return None
'''


def test_supertypes_are_read_from_each_languages_signature():
    def first_type(src: str, path: str, language: str):
        return next(s for s in analyze(src.encode(), path, language).symbols if s.kind in ("class", "interface"))

    assert supertypes(first_type("class B(a.A, Generic[T], metaclass=M):\n    pass\n", "m.py", "python")) == ["A", "Generic"]
    java = "public final class ClassName extends TypeName<X, Y<Z>> implements Comparable<ClassName>, Cloneable {}"
    assert supertypes(first_type(java, "ClassName.java", "java")) == ["TypeName", "Comparable", "Cloneable"]
    ts = "export class HTTPError<T = unknown> extends KyError implements Named {}"
    assert supertypes(first_type(ts, "e.ts", "typescript")) == ["KyError", "Named"]


def test_an_undocumented_override_inherits_the_nearest_documented_method_up_the_chain():
    syms = analyze(SIGNER.encode(), "m.py", "python").symbols
    fwd: dict = {}
    assert inherit(fwd, syms, syms) == 2  # NoneAlgorithm's and, two levels up, HMACAlgorithm's get_signature
    for sid in ("m.NoneAlgorithm.get_signature", "m.HMACAlgorithm.get_signature"):
        assert fwd[sid][SUMMARY].callee.id == "m.SigningAlgorithm.get_signature"
        assert fwd[sid]["key"].text == "The secret key." and "value" not in fwd[sid]
    assert "m.HMACAlgorithm.other" not in fwd
    # Nothing is asked of the model for an inherited summary.
    none_alg = next(s for s in syms if s.id == "m.NoneAlgorithm.get_signature")
    assert needs(none_alg, "summaries", set(fwd[none_alg.id])) == []
    assert [r.field for r in needs(none_alg, "summaries")] == ["summary"]


def test_docs_sync_shows_the_inherited_doc_and_follows_it_when_the_base_doc_changes(tmp_path):
    write(tmp_path, "pyproject.toml", '[project]\nname = "sig"\n')
    write(tmp_path, "sig/__init__.py", '"""Signing."""\nfrom sig.algo import HMACAlgorithm, NoneAlgorithm, SigningAlgorithm\n'
                                       '__all__ = ["HMACAlgorithm", "NoneAlgorithm", "SigningAlgorithm"]\n')
    write(tmp_path, "sig/algo.py", SIGNER)
    first = json.loads(run_cli("docs", "sync", "--no-model", "--json", cwd=tmp_path, check=True).stdout)
    assert first["inherited"] == 2 and first["model_calls"] == 0
    page = (tmp_path / "docs/api/sig.md").read_text()
    section = page.split('begin id="sig.NoneAlgorithm.get_signature"')[1].split("llmctl:end")[0]
    assert ("Returns the signature for the given key and value. *(as in "
            "[`SigningAlgorithm.get_signature`](#sig.SigningAlgorithm.get_signature))*") in section
    assert "The secret key. *(as in" in section and "(generated)" not in section
    write(tmp_path, "sig/algo.py", SIGNER.replace("Returns the signature", "Computes the signature"))
    second = json.loads(run_cli("docs", "sync", "--no-model", "--json", cwd=tmp_path, check=True).stdout)
    # The base class (its body holds the doc), the base method, and both overrides, whose code did not change.
    assert second["sections_rendered"] == 4
    assert (tmp_path / "docs/api/sig.md").read_text().count("Computes the signature for the given key") == 3


def test_a_java_override_of_an_object_method_says_what_the_jdk_says():
    src = '''public final class JavaFile {
  @Override public int hashCode() { return 1; }
  public int size() { return 1; }
}'''
    syms = {s.name: s for s in analyze(src.encode(), "JavaFile.java", "java").symbols}
    assert called_by(syms["hashCode"]) == "Overrides `Object.hashCode`: returns a hash code value for the object."
    assert called_by(syms["size"]) is None


def test_an_override_of_a_method_outside_the_project_names_what_it_overrides():
    py = '''
class LookupDict(dict):
    """Dictionary lookup object."""

    def get(self, key, default=None):
        return self.__dict__.get(key, default)

    def lookup(self, key):
        return key

class Headers(typing.MutableMapping[str, str]):
    def values(self):
        return []
'''
    java = '''public final class ClassName extends TypeName implements Comparable<ClassName> {
  @Override public int compareTo(ClassName o) { return 0; }
  @Override public String toString() { return ""; }
  @Override public boolean isAnnotated() { return false; }
}
class TypeName {
  public boolean isAnnotated() { return false; }
}'''
    fwd: dict = {}
    syms = analyze(py.encode(), "m.py", "python").symbols + analyze(java.encode(), "ClassName.java", "java").symbols
    assert inherit(fwd, syms, syms) == 3
    facts = {sid: found[SUMMARY].text for sid, found in fwd.items()}
    assert facts == {"m.LookupDict.get": "Overrides `dict.get`.",
                     "m.Headers.values": "Overrides `MutableMapping.values`.",
                     "ClassName.compareTo": "Overrides `Comparable.compareTo`."}
    # Not lookup (dict has none), not toString (prose.called_by's), not isAnnotated (TypeName declares
    # it, undocumented: the model may say what it does).
