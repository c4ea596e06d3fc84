"""migrator/emit/layout.py against the real `ruff format`: a table of cases and a property.

Every case is checked twice in the same ruff call: ruff's formatting of the statement written
naively (on one line, or with a line break only where a comment needs one) must be exactly
format_statement's text, and ruff must leave format_statement's text unchanged.
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from migrator.emit.layout import Call, Chain, _parse_arg, format_statement, width, with_tabs
from tests.ruff_runner import format_many


@dataclass(frozen=True)
class Case:
    target: str | None
    value: Call | Chain
    indent: int = 0
    line_length: int = 88


def _calls(value: Call | Chain) -> list[Call]:
    return [value] if isinstance(value, Call) else [value.head, *value.methods]


def _naive(case: Case) -> str:
    """The statement as a user might type it: on one line, except that an argument ending
    in a comment is followed by a line break (the next comma starts the next line) and one
    starting with comment lines is preceded by one (a comment right after `(` would stay on
    that line: ruff keeps it there)."""
    parts = []
    for index, call in enumerate(_calls(case.value)):
        args = []
        for arg in call.args:
            if isinstance(arg, Chain):  # a nested chain: on one line, as typed
                args.append(_naive(Case("_", arg))[len("_ = ") :])
                continue
            parsed = _parse_arg(arg)
            before = "\n" if parsed.leading else ""
            after = "\n" if parsed.trailing is not None else ""
            args.append(before + arg + after)
        parts.append(f"{'.' if index else ''}{call.callee}({', '.join(args)})")
    lead = "" if case.target is None else f"{case.target} = "
    return lead + "".join(parts)


def _in_blocks(statement: str, indent: int) -> str:
    """The statement inside `indent // 4` nested blocks, so that ruff sees its indentation."""
    levels = indent // 4
    lines = [" " * (4 * level) + "if x:" for level in range(levels)]
    return "\n".join([*lines, " " * indent + statement]) + "\n"


def _out_of_blocks(source: str, indent: int) -> str:
    return "".join(source.splitlines(keepends=True)[indent // 4 :])


def check(cases: list[Case]) -> None:
    """One ruff call for all cases; every mismatch is reported, not only the first."""
    ours = [
        format_statement(c.target, c.value, indent=c.indent, line_length=c.line_length)
        for c in cases
    ]
    snippets = [(_in_blocks(_naive(c), c.indent), c.line_length) for c in cases]
    snippets += [
        (_in_blocks(text, c.indent), c.line_length) for c, text in zip(cases, ours, strict=True)
    ]
    formatted = format_many(snippets)
    failures = []
    for index, (case, text) in enumerate(zip(cases, ours, strict=True)):
        expected = " " * case.indent + text + "\n"
        from_naive = _out_of_blocks(formatted[index], case.indent)
        again = _out_of_blocks(formatted[len(cases) + index], case.indent)
        if from_naive != expected or again != expected:
            failures.append(
                f"{case}\n--- format_statement:\n{expected}--- ruff:\n{from_naive}"
                f"--- ruff on format_statement's text:\n{again}"
            )
    assert not failures, f"{len(failures)} of {len(cases)} differ:\n\n" + "\n\n".join(failures)


AUGMENTATION = Call(
    "idg_tfdata.Augmentation",
    ("rotation_range=20", "width_shift_range=0.1", "height_shift_range=0.1"),
)
BATCHES = Chain(
    Call("idg_tfdata.index_batches", ("x_train", "y_train", "batch_size=16")),
    (
        Call("map", ("datagen", "num_parallel_calls=tf.data.AUTOTUNE")),
        Call("prefetch", ("tf.data.AUTOTUNE",)),
    ),
)
LONG = "a" * 40
PREFETCH = Call("prefetch", ("tf.data.AUTOTUNE",))
SERVICE_BATCHES = Chain(
    Call(
        "idg_tfdata.index_batches", ("x", "y", "batch_size=32", 'service="grpc://dispatcher:5050"')
    ),
    (Call("map", ("datagen", "num_parallel_calls=tf.data.AUTOTUNE")),),
)
SERVICE_TARGETS = Chain(
    SERVICE_BATCHES.head,
    (*SERVICE_BATCHES.methods, Call("map", ("images_as_targets", "num_parallel_calls=4"))),
)

TABLE = [
    # The example: the call's arguments on one line at +4; the chain is fluent.
    Case("datagen", AUGMENTATION),
    Case("datagen_batches", BATCHES),
    Case("datagen", AUGMENTATION, line_length=120),  # fits on one line
    Case("datagen", AUGMENTATION, indent=8, line_length=100),  # the indentation counts
    Case("datagen_batches", BATCHES, indent=12),
    Case("batches", BATCHES, line_length=200),
    # One argument per line with a trailing comma when they do not fit on one line at +4.
    Case("train", Call("idg_tfdata.index_batches", (LONG, LONG, "batch_size=16"))),
    # A single argument is never followed by a comma, even when too long for its line.
    Case("x", Call("f", ("b" * 100,))),
    Case("x", Call("f", ("**" + "k" * 100,))),
    Case("x", Call("f", ("*" + "k" * 50, "**" + "k" * 50))),
    # A long target: the value in parentheses when `target = callee(` does not fit...
    Case("t" * 70, Call("idg_tfdata.index_batches", ("x_train", "y_train"))),
    # ...but the call's own parentheses when the parenthesized value does not fit either.
    Case("t" * 66, Call("idg_tfdata.index_batches", ("x" * 80, "y_train"))),
    # Both fit: the call's own parentheses are preferred.
    Case("x", Call("f" * 16, ("a" * 25, "b" * 30, "c" * 17))),
    # A chain of one method is no fluent chain: split left to right.
    Case("y", Chain(Call("idg.batches", ("x",)), (Call("map", ("d" * 72,)),))),
    Case("y", Chain(Call("idg.batches", ("x" * 81,)), (Call("map", ("d",)),))),
    Case("y" * 48, Chain(Call("idg.batches", ("x" * 28,)), (Call("map", ("d",)),))),
    Case("y" * 78, Chain(Call("idg.batches", ("x",)), (Call("map", ("d",)),))),
    # Fluent: a call too long for its line has its arguments at +8, on one line if they fit
    # there, else one per line; a lone too-long argument gets no comma.
    Case(
        "y",
        Chain(
            Call("idg.batches", ("x", "y", "batch_size=16", "a" * 18 + "=1", "b" * 18 + "=2")),
            (Call("map", ("d",)), Call("prefetch", ("p",))),
        ),
    ),
    Case(
        "y",
        Chain(
            Call("idg.batches", ("x",)),
            (Call("map", ("d" * 37, "e" * 40)), Call("prefetch", ("p",))),
        ),
    ),
    Case(
        "y",
        Chain(
            Call("idg.batches", ("x",)),
            (Call("map", ("d" * 32, "e" * 27, "f" * 22)), Call("prefetch", ("p",))),
        ),
    ),
    Case("y", Chain(Call("idg.batches", ("x",)), (Call("map", ("d",)), Call("p", ("q" * 95,))))),
    # A fluent chain that fits on one line inside the parentheses stays on it.
    Case("y" * 69, Chain(Call("idg.batches", ("x",)), (Call("map", ("d",)), Call("p", ("p",))))),
    Case("y" * 47, Chain(Call("b", ("x",)), (Call("map", ("d",)), Call("p", ("p",)))), indent=8),
    # Calls without arguments are never split.
    Case("x", Chain(Call("f", ()), (Call("g", ()), Call("h" * 90, ())))),
    Case("x", Chain(Call("f", ()), (Call("g" * 90, ()),))),
    # Without a target ruff adds no parentheses: even a long chain splits left to right.
    Case(
        None, Chain(Call("idg.batches", ("x",)), (Call("map", ("d" * 46,)), Call("p", ("p" * 30,))))
    ),
    Case(None, Chain(Call("idg.batches", ("x" * 76,)), (Call("map", ("d",)), Call("p", ("p",))))),
    Case(None, Call("idg.batches", ("x" * 50, "y" * 38))),
    Case(None, Call("ffffffffffffffff", ("a" * 29, "b" * 30, "c" * 17))),
    Case(None, AUGMENTATION, indent=4),
    # Comments force one argument per line; the comma goes before a trailing comment.
    Case("x", Call("f", ("aaaa", "bbbb  # hello"))),
    Case("x", Call("f", ("aaaa  # hello", "bbbb"))),
    Case("x", Call("f", ("aaaa  # hello",))),
    Case("x", Call("f", ("# why\naaaa",))),
    Case("x", Call("f", ("# why\n# and why\naaaa  # what", "b=2")), indent=4),
    Case("x", Chain(Call("idg.batches", ("x  # c",)), (Call("map", ("d",)), Call("p", ("p",))))),
    Case("x", Chain(Call("idg.batches", ("x  # c",)), (Call("map", ("d",)),))),
    Case("x", Chain(Call("idg.batches", ("x",)), (Call("map", ("d  # c",)),))),
    Case("x", Call("f", ('"a # not a comment"', "b"))),
    # Text arguments: a tuple, a string, attribute access, keyword values.
    Case(
        "flow",
        Call(
            "idg_tfdata.directory_batches",
            (
                '"data/train"',
                "target_size=(IMG, IMG)",
                "batch_size=args.batch_size",
                "**flow_kwargs",
            ),
        ),
    ),
    # Wide characters take two columns: this fits at 88 only counted as 86.
    Case("x", Call("f", ('"' + "这" * 37 + '"', "b"))),
    Case("x", Call("f", ('"' + "这" * 39 + '"', "b"))),
    Case("self.train_data", BATCHES, indent=8),
    # A pipeline handed to the tf.data service: the chain inside `served(...)` on its line
    # if it fits, else fluent from two methods on, else split left to right.
    *(
        Case("train", Chain(Call("idg_tfdata.served", (inner,)), tuple(outer)), indent=indent)
        for inner in (SERVICE_BATCHES, SERVICE_TARGETS, Chain(Call("it.map", ("d",)), ()))
        for outer in ([PREFETCH], [PREFETCH, Call("repeat", ())])
        for indent in (0, 8)
    ),
    Case(None, Chain(Call("idg_tfdata.served", (SERVICE_BATCHES,)), (PREFETCH,)), indent=4),
    Case("t", Call("f", (SERVICE_BATCHES, "b" * 30))),
]


def test_width_counts_wide_characters_twice() -> None:
    assert width("ab") == 2
    assert width("这是") == 4
    assert width("e\u0301") == 1  # a combining accent takes no column


def test_table_matches_ruff() -> None:
    check(TABLE)


def test_multiline_argument_kept_verbatim_and_split() -> None:
    """A multi-line argument (ruff would re-lay it out; the emitter never writes one) keeps
    its text exactly and forces one argument per line."""
    text = format_statement("x", Call("f", ('"""a\n  b"""', "c")), indent=4)
    assert text == 'x = f(\n        """a\n  b""",\n        c,\n    )'


def test_with_tabs_for_a_tab_indented_file() -> None:
    text = format_statement("datagen_batches", BATCHES, indent=4)
    assert with_tabs(text) == (
        "datagen_batches = (\n"
        "\t\tidg_tfdata.index_batches(x_train, y_train, batch_size=16)\n"
        "\t\t.map(datagen, num_parallel_calls=tf.data.AUTOTUNE)\n"
        "\t\t.prefetch(tf.data.AUTOTUNE)\n"
        "\t)"
    )


# -- the property: random names, argument counts and lengths, indents, line lengths --------

# Identifiers of any length up to 25 (a leading letter, then letters, digits, underscores):
# long ones push statements over the line length at every indentation.
names = st.builds(
    str.__add__,
    st.sampled_from("abcdefghijklmnopqrstuvwxyz"),
    st.text("abcdefghijklmnopqrstuvwxyz0123456789_", max_size=24),
).filter(lambda n: not keyword.iskeyword(n))
dotted = st.lists(names, min_size=1, max_size=3).map(".".join)
atoms = st.one_of(
    dotted,
    st.integers(0, 10**6).map(str),
    st.text("abc xyz", max_size=30).map(lambda s: f'"{s}"'),
)


@st.composite
def arguments(draw: st.DrawFn) -> tuple[str, ...]:
    positional = draw(st.lists(st.one_of(atoms, names.map(lambda n: "*" + n)), max_size=3))
    keywords = draw(st.lists(st.tuples(names, atoms), max_size=4, unique_by=lambda kv: kv[0]))
    double_star = draw(st.lists(names.map(lambda n: "**" + n), max_size=1))
    args = [*positional, *(f"{k}={v}" for k, v in keywords), *double_star]
    # Now and then a comment (the user's, kept with the argument) before or after one.
    commented = draw(
        st.lists(
            st.sampled_from(["", "", "", "", "# why\n", "  # what"]),
            min_size=len(args),
            max_size=len(args),
        )
    )
    return tuple(
        comment + arg if comment.startswith("#") else arg + comment
        for arg, comment in zip(args, commented, strict=True)
    )


calls = st.builds(Call, dotted, arguments())
methods = st.builds(Call, names, arguments())
chains = st.builds(Chain, calls, st.lists(methods, max_size=3).map(tuple))
# A chain as the one argument of a call, as `served(...)` takes the pipeline.
nested = st.builds(
    lambda callee, inner, after: Chain(Call(callee, (inner,)), after),
    dotted,
    chains,
    st.lists(methods, max_size=2).map(tuple),
)
values = st.one_of(calls, chains, nested)
cases = st.builds(
    Case,
    st.one_of(st.none(), names, names.map(lambda n: "self." + n)),
    values,
    st.integers(0, 5).map(lambda levels: 4 * levels),
    st.integers(60, 120),
)


# A batch of cases per example: one ruff call formats them all.
@settings(max_examples=20, deadline=None)
@given(st.lists(cases, min_size=1, max_size=16))
def test_property_matches_ruff(batch: list[Case]) -> None:
    check(batch)
