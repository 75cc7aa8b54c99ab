"""Extraction for JavaScript, TypeScript/TSX, Go, Rust and Java, with each doc-comment style."""

from __future__ import annotations

import textwrap

from llmctl.analyzers import analyze, language_for


def syms(code: str, path: str):
    res = analyze(textwrap.dedent(code).lstrip("\n").encode(), path, language_for(path))
    return {s.id: s for s in res.symbols}


def test_language_by_extension():
    assert [language_for(p) for p in ("a.py", "b.tsx", "c.mjs", "d.go", "e.rs", "F.java", "g.md", "Makefile")] == [
        "python", "typescript", "javascript", "go", "rust", "java", None, None]


def test_javascript_functions_classes_jsdoc():
    s = syms('''
        /**
         * Fetch one user.
         * @param {string} id - The user id.
         * @param {Object} [opts] Options.
         * @param {number} opts.retries Nested property, documented under opts.
         * @returns {Promise<User>} The user.
         * @throws {NotFound} When missing.
         */
        export async function getUser(id, opts = {}, ...rest) {}

        export const add = (a, b = 2) => a + b;

        class Store extends Base {
          /** Put a value. */
          put(key, value) {}
          #secret() {}
        }
    ''', "src/users.js")
    f = s["src.users.getUser"]
    assert f.kind == "function" and f.exported
    assert [(p.name, p.kind, p.default) for p in f.params] == [
        ("id", "positional_only", None), ("opts", "positional_only", "{}"), ("rest", "var_positional", None)]
    assert f.doc.style == "jsdoc" and f.doc.summary == "Fetch one user."
    assert [(p.name, p.type, p.description) for p in f.doc.params] == [
        ("id", "string", "The user id."), ("opts", "Object", "Options.")]
    assert (f.doc.returns.type, f.doc.returns.description) == ("Promise<User>", "The user.")
    assert [(r.type, r.description) for r in f.doc.raises] == [("NotFound", "When missing.")]
    assert [(p.name, p.default) for p in s["src.users.add"].params] == [("a", None), ("b", "2")]
    assert s["src.users.Store"].exported is False  # the file has exports; this class is not one
    assert s["src.users.Store.put"].doc.summary == "Put a value."
    assert s["src.users.Store.#secret"].visibility == "private"


def test_commonjs_and_prototype_definitions_with_their_docs():
    """express and koa define their API by assignment, with a blank line after each doc comment."""
    s = syms('''
        /**
         * @license MIT
         */

        function first() {}

        var app = exports = module.exports = {};

        /**
         * Listen for connections.
         *
         * @return {http.Server}
         */

        app.listen = function listen() {
          return server.listen.apply(server, arguments);
        };

        /** A view. */
        function View(name) { this.name = name; }

        /** Look the view up. */
        View.prototype.lookup = function lookup(name) { return name; };

        req.get = req.header = function header(name) { return name; };

        exports.helper = (x) => x;

        // not a doc comment
        app.quiet = function () {};
    ''', "lib/application.js")
    listen = s["lib.application.app.listen"]
    assert (listen.kind, listen.name, listen.parent) == ("function", "listen", "lib.application")
    assert listen.doc.summary == "Listen for connections." and listen.doc.returns.type == "http.Server"
    assert [(p.name, p.kind) for p in listen.params] == [("arguments", "var_positional")]
    lookup = s["lib.application.View.lookup"]
    assert (lookup.kind, lookup.parent, lookup.doc.summary) == ("method", "lib.application.View", "Look the view up.")
    assert s["lib.application.req.get"].name == "get"  # named by its first target
    assert s["lib.application.helper"].kind == "function"
    assert s["lib.application.app.quiet"].doc_raw is None
    assert s["lib.application.first"].doc_raw is None  # a file's licence comment is not its first function's

    koa = syms('''
        module.exports = class Application extends Emitter {
          /**
           * Use the given middleware `fn`.
           */

          use (fn) { return this }
        }
    ''', "lib/application.js")
    assert koa["lib.application.Application.use"].doc.summary == "Use the given middleware `fn`."
    request = syms('''
        module.exports = {
          /**
           * Return request header.
           */

          get header () { return this.req.headers },

          accepts (...args) { return this.accept.types(...args) }
        }
    ''', "lib/request.js")
    assert request["lib.request.header"].doc.summary == "Return request header."
    assert [p.kind for p in request["lib.request.accepts"].params] == ["var_positional"]
    # `module.exports = (stream) => …` is known by the name it is required as.
    assert "lib.is_stream.isStream" in syms("module.exports = (stream) => stream !== null;\n", "lib/is-stream.js")


def test_typescript_interfaces_enums_types_and_tsdoc():
    s = syms('''
        /** A shape. */
        export interface Shape {
          /** Area in m². */
          area(scale: number): number;
        }
        export enum Color { Red, Green }
        /**
         * Make a box.
         * @param w - Width.
         * @param h - Height.
         * @returns The box.
         */
        export function box(w: number, h?: number, ...rest: string[]): Shape { return null as any; }
        export class Box implements Shape {
          constructor(private readonly w: number) {}
          area(scale = 1): number { return 1; }
          private hidden(): void {}
        }
        export namespace Geo { export function dist(a: Point, b: Point): number { return 0; } }
    ''', "lib/shapes.ts")
    assert s["lib.shapes.Shape"].kind == "interface" and s["lib.shapes.Shape.area"].kind == "method"
    assert s["lib.shapes.Shape.area"].returns == "number"
    assert s["lib.shapes.Color"].kind == "enum"
    box = s["lib.shapes.box"]
    assert [(p.name, p.kind, p.default, p.annotation) for p in box.params] == [
        ("w", "positional_only", None, "number"), ("h", "positional_only", "undefined", "number"),
        ("rest", "var_positional", None, "string[]")]
    assert box.returns == "Shape"
    assert [(p.name, p.description) for p in box.doc.params] == [("w", "Width."), ("h", "Height.")]
    assert s["lib.shapes.Box.hidden"].visibility == "private"
    assert [(p.name, p.default) for p in s["lib.shapes.Box.area"].params] == [("scale", "1")]
    assert "lib.shapes.Geo.dist" in s


def test_tsx_components():
    s = syms('''
        /** Render a greeting. */
        export function Hello({ name }: { name: string }): JSX.Element {
          return <div className="x">Hello {name}</div>;
        }
        export const Card = (props: CardProps) => <section>{props.children}</section>;
    ''', "ui/Hello.tsx")
    assert s["ui.Hello.Hello"].doc.summary == "Render a greeting."
    assert s["ui.Hello.Hello"].returns == "JSX.Element"
    assert s["ui.Hello.Card"].params[0].annotation == "CardProps"


def test_go_functions_methods_types_and_doc_comments():
    s = syms('''
        // Package geo does geometry.
        package geo

        // Point is a location.
        type Point struct{ X, Y float64 }

        // Shape has an area.
        type Shape interface {
            // Area returns the area.
            Area() float64
        }

        // Meters is a distance.
        type Meters float64

        // Dist returns the distance between p and q.
        // It never fails.
        func Dist(p, q Point, opts ...Option) (Meters, error) { return 0, nil }

        // Scale scales p in place.
        func (p *Point) Scale(k float64) { p.X *= k }

        func helper() {}
    ''', "internal/geo/geo.go")
    assert s["internal/geo/geo.go"].doc.summary == "Package geo does geometry."
    assert s["internal.geo.Point"].kind == "struct" and s["internal.geo.Point"].doc.summary == "Point is a location."
    assert s["internal.geo.Shape"].kind == "interface" and s["internal.geo.Shape.Area"].returns == "float64"
    assert s["internal.geo.Meters"].kind == "type"
    d = s["internal.geo.Dist"]
    assert [(p.name, p.kind, p.annotation) for p in d.params] == [
        ("p", "positional_only", "Point"), ("q", "positional_only", "Point"), ("opts", "var_positional", "...Option")]
    assert d.returns == "(Meters, error)" and d.doc.style == "godoc"
    assert d.doc.summary == "Dist returns the distance between p and q."
    m = s["internal.geo.Point.Scale"]
    assert m.kind == "method" and m.params[0].kind == "receiver" and m.params[0].annotation == "*Point"
    assert s["internal.geo.helper"].exported is False


def test_rust_items_impls_and_rustdoc_sections():
    s = syms('''
        //! Crate docs.

        /// A counter.
        #[derive(Debug)]
        pub struct Counter { n: u64 }

        /// Things that count.
        pub trait Count { fn count(&self) -> u64; }

        impl Counter {
            /// Make one.
            ///
            /// # Arguments
            ///
            /// * `start` - The first value.
            ///
            /// # Errors
            ///
            /// Fails when start is too big.
            ///
            /// # Panics
            ///
            /// Never.
            pub fn new(start: u64) -> Result<Self, Error> { Ok(Counter { n: start }) }
            fn bump(&mut self) {}
        }

        impl Count for Counter { fn count(&self) -> u64 { self.n } }

        pub mod inner { pub enum Mode { A, B } }
        fn private_fn() {}
    ''', "src/lib.rs")
    assert s["crate"].doc.summary == "Crate docs."
    c = s["crate.Counter"]
    assert c.kind == "struct" and c.decorators == ["derive(Debug)"] and c.doc.summary == "A counter."
    assert s["crate.Count"].kind == "trait" and "crate.Count.count" in s
    new = s["crate.Counter.new"]
    assert [(p.name, p.description) for p in new.doc.params] == [("start", "The first value.")]
    assert [r.name for r in new.doc.raises] == ["Errors", "Panics"]
    assert new.returns == "Result<Self, Error>" and new.visibility == "public"
    # One line of `///` is one line of the doc: paragraphs are one blank line apart, as written.
    assert new.doc_raw.startswith("Make one.\n\n# Arguments\n\n* `start`")
    assert s["crate.Counter.bump"].visibility == "private"
    assert s["crate.Counter.bump"].params[0].kind == "receiver"
    assert s["crate.Counter.count"].visibility == "public"  # trait impls are public through the trait
    assert s["crate.inner.Mode"].kind == "enum"
    assert s["crate.private_fn"].exported is False


def test_java_types_methods_and_javadoc():
    s = syms('''
        package com.acme;

        /** Greets people. */
        @Service
        public class Greeter {
            /**
             * Greet someone.
             *
             * @param name who to greet
             * @param times how often
             * @return the greeting
             * @throws IllegalArgumentException if name is empty
             */
            public String greet(String name, int... times) throws IllegalArgumentException { return ""; }

            Greeter() {}
            private void secret() {}

            public interface Listener { void heard(String what); }
            public enum Mode { LOUD, QUIET }
        }
    ''', "src/main/java/com/acme/Greeter.java")
    g = s["com.acme.Greeter"]
    assert g.kind == "class" and g.decorators == ["Service"] and g.doc.summary == "Greets people."
    m = s["com.acme.Greeter.greet"]
    assert [(p.name, p.kind, p.annotation) for p in m.params] == [
        ("name", "positional_only", "String"), ("times", "var_positional", "int...")]
    assert m.returns == "String" and m.doc.style == "javadoc"
    assert [(p.name, p.description) for p in m.doc.params] == [("name", "who to greet"), ("times", "how often")]
    assert m.doc.returns.description == "the greeting"
    assert [(r.type, r.description) for r in m.doc.raises] == [("IllegalArgumentException", "if name is empty")]
    assert s["com.acme.Greeter.Greeter"].visibility == "private"  # package-private constructor
    assert s["com.acme.Greeter.secret"].visibility == "private"
    assert s["com.acme.Greeter.Listener.heard"].visibility == "public"  # interface members are public
    assert s["com.acme.Greeter.Mode"].kind == "enum"


def test_raised_names_come_in_source_order_whatever_the_hash_seed():
    # ky's Ky.#fetch listed TimeoutError, NetworkError, error in an order that changed from run to run.
    import json
    import os
    import subprocess
    import sys

    code = ("import json; from llmctl.analyzers import analyze; "
            "src = b'export async function go(a) {\\n if (a) throw new TimeoutError();\\n"
            " try { x() } catch (e) { throw new NetworkError(e) }\\n"
            " [1].map(() => { throw new RangeError() });\\n throw error;\\n}\\n'; "
            "s = analyze(src, 'k.ts', 'typescript').symbols[1]; print(json.dumps([s.raised, s.raised_nested]))")
    seen = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3", "4")}
    assert [json.loads(s) for s in seen] == [[["TimeoutError", "NetworkError", "error"], ["RangeError"]]]
