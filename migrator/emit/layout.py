"""Lay out an emitted statement exactly as `ruff format` (black style) would.

The codemod writes a few statements per rewritten site (`x = mod.Augmentation(...)`, a
`mod.index_batches(...).map(...).prefetch(...)` chain). If they came out in any other shape,
migrate-aug followed by a formatter in pre-commit would churn: so they are laid out here as
ruff 0.17 lays them out (tests/emit/test_layout.py checks that against the real ruff).

The rules, as observed on ruff and pinned by those tests (L = line length, I = indent):

- The whole statement on one line if it fits (the indentation counts).
- One call's arguments, once its parentheses are split: all on one line at +4 if that fits,
  else one per line with a trailing comma; a single argument never gets a trailing comma.
- A bare expression (no target), a call, or a chain of one method: the parentheses are split
  left to right, as ruff's printer does: a call's arguments stay flat when the line fits up to
  the next call's `(` (or the end), else they are split and the chain goes on after the `)`.
- `target = call` (or a chain of one method): that left-to-right split when all its lines
  fit, else `target = (` / the value at +4, itself split left to right if it does not fit
  there / `)` when all those lines fit, else the left-to-right split anyway.
- `target = head(...).a(...).b(...)` (two methods or more, ruff's "fluent" chain): on one
  line at +4 inside `target = (` ... `)` when that fits, else the head and each `.method(...)`
  on its own line at +4; a call that does not fit on its line has its arguments split at
  +8 (all on one line if they fit there, else one per line) and its `)` at +4. Without a
  target ruff adds no parentheses, so a bare chain is split left to right.

- A chain as an argument (`served(index_batches(...).map(...))`): on its line if it fits
  there, else split as inside any brackets: fluent (each call on its own line, no added
  parentheses) from two methods on, else left to right.

The target (a name, `self.name`) and each callee (a dotted name) are atoms, and so are the
other arguments: their text is kept as given, assumed to be in ruff's own form already (double
quotes, spacing, no magic trailing comma inside: a user's expression kept verbatim that is
not would be changed by ruff). When an argument is too long for a line of its own, ruff might
split inside it (a tuple, an operator); this module does not (the line stays long, as it
would for a name). A tuple target, which ruff could split, is not laid out here.

An argument whose text holds a comment or a newline forces its call's arguments one per
line: leading comment lines are put on their own lines at the argument's indentation, the
comma goes before a trailing comment (as ruff puts it), and the lines of a multi-line
expression are kept exactly (re-indenting them could change a triple-quoted string). Ruff
matches this for comments; for multi-line expressions it may choose other layouts (hugging a
lone multi-line string), which the emitter does not produce.
"""

from __future__ import annotations

import io
import tokenize
import unicodedata
from dataclasses import dataclass

INDENT = 4  # ruff's default indent-width (a tab counts as 4 columns too: see with_tabs)


@dataclass(frozen=True)
class Call:
    callee: str  # "idg_tfdata.index_batches", or a method name "map"
    # each argument's source text ("x_train", "batch_size=16", "**kw"), or a chain laid
    # out in its turn (the pipeline `served(...)` hands to the tf.data service)
    args: tuple[str | Chain, ...]


@dataclass(frozen=True)
class Chain:
    head: Call
    methods: tuple[Call, ...]  # .map(...), .prefetch(...)


@dataclass(frozen=True)
class _Arg:
    """One argument's text split around its comments (see `_parse_arg`)."""

    leading: tuple[str, ...]  # whole-line comments before the expression
    code: str  # the expression; may span lines (kept verbatim)
    trailing: str | None  # a comment after the expression on its last line

    @property
    def forces_split(self) -> bool:
        return bool(self.leading) or self.trailing is not None or "\n" in self.code


def width(text: str) -> int:
    """Columns `text` takes, as ruff counts them (East Asian wide characters take two,
    combining marks none)."""
    total = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        total += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return total


def _parse_arg(text: str) -> _Arg:
    """Find the comments of an argument's text with Python's own tokenizer (a `#` inside
    a string is no comment). Text the tokenizer cannot read is kept whole as the code."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return _Arg((), text.strip(), None)
    comments = [t for t in tokens if t.type == tokenize.COMMENT]
    if not comments:
        return _Arg((), text.strip(), None)
    lines = text.splitlines()
    code_tokens = [
        t
        for t in tokens
        if t.type
        not in (
            tokenize.COMMENT,
            tokenize.NL,
            tokenize.NEWLINE,
            tokenize.INDENT,
            tokenize.DEDENT,
            tokenize.ENDMARKER,
        )
    ]
    if not code_tokens:  # only comments: nothing to put a comma after
        return _Arg(tuple(c.string for c in comments), "", None)
    first, last = code_tokens[0].start, code_tokens[-1].end
    leading = tuple(c.string for c in comments if c.start < first)
    trailing = [c for c in comments if c.start[0] == last[0] and c.start > last]
    # The expression's text from its first token to its last, comments inside it kept.
    if first[0] == last[0]:
        code = lines[first[0] - 1][first[1] : last[1]]
    else:
        code = "\n".join(
            [lines[first[0] - 1][first[1] :]]
            + lines[first[0] : last[0] - 1]
            + [lines[last[0] - 1][: last[1]]]
        )
    return _Arg(leading, code, trailing[0].string if trailing else None)


def _calls(value: Call | Chain) -> list[Call]:
    return [value] if isinstance(value, Call) else [value.head, *value.methods]


def _flat(arg: str | Chain) -> str:
    """An argument on one line."""
    if isinstance(arg, str):
        return arg
    return "".join(_flat_call(call, "." if i else "") for i, call in enumerate(_calls(arg)))


def _flat_call(call: Call, prefix: str) -> str:
    return f"{prefix}{call.callee}({_joined(call.args)})"


def _joined(args: tuple[str | Chain, ...]) -> str:
    return ", ".join(_flat(arg) for arg in args)


def _forces(arg: str | Chain) -> bool:
    """The argument holds a comment or a line break: its call cannot stay on one line."""
    if isinstance(arg, str):
        return _parse_arg(arg).forces_split
    return any(_forced(call) for call in _calls(arg))


def _nested(chain: Chain, column: int, line_length: int) -> list[tuple[int, str]]:
    """A chain inside a call's split parentheses: on one line if it fits, else split as
    ruff splits an expression already in brackets (no parentheses added)."""
    calls = _calls(chain)
    flat = _flat(chain)
    if not _forces(chain) and column + width(flat) <= line_length:
        return [(column, flat)]
    if len(calls) >= 3:
        return _fluent_calls(calls, column, line_length)
    return _left_to_right("", calls, column, line_length)


def _body(args: tuple[str | Chain, ...], column: int, line_length: int) -> list[tuple[int, str]]:
    """The lines between a split call's parentheses, each as (indentation, text)."""
    forced = any(_forces(arg) for arg in args)
    joined = _joined(args)
    lone_text = len(args) == 1 and isinstance(args[0], str)  # never split: an atom
    if not forced and (lone_text or column + width(joined) <= line_length):
        return [(column, joined)]
    lines: list[tuple[int, str]] = []
    comma = "," if len(args) > 1 else ""
    for given in args:
        if isinstance(given, Chain):
            *nested, (last_column, last) = _nested(given, column, line_length)
            lines += [*nested, (last_column, last + comma)]
            continue
        arg = _parse_arg(given)
        lines += [(column, comment) for comment in arg.leading]
        if not arg.code:
            continue
        text = arg.code + comma
        if arg.trailing is not None:
            text += "  " + arg.trailing
        code_lines = text.split("\n")
        lines.append((column, code_lines[0]))
        lines += [(0, line) for line in code_lines[1:]]  # verbatim: already indented
    return lines


def _forced(call: Call) -> bool:
    return any(_forces(arg) for arg in call.args)


def _left_to_right(
    lead: str, calls: list[Call], indent: int, line_length: int
) -> list[tuple[int, str]]:
    """Split the calls' parentheses left to right, as ruff's printer does outside a
    parenthesized context: a call stays flat if the line fits up to the next `(` that could
    be split (or the end of the statement)."""
    lines: list[tuple[int, str]] = []
    current = lead
    for index, call in enumerate(calls):
        prefix = "" if index == 0 else "."
        current += f"{prefix}{call.callee}("
        if not call.args:
            current += ")"
            continue
        rest = ")"
        for later in calls[index + 1 :]:
            rest += f".{later.callee}("
            if later.args:
                break
            rest += ")"
        flat = _joined(call.args)
        if not _forced(call) and indent + width(current + flat + rest) <= line_length:
            current += flat + ")"
            continue
        lines.append((indent, current))
        lines += _body(call.args, indent + INDENT, line_length)
        current = ")"
    lines.append((indent, current))
    return lines


def _fluent(lead: str, calls: list[Call], indent: int, line_length: int) -> list[tuple[int, str]]:
    """`lead(` / each call on its own line at +4 / `)`: ruff's layout of a call chain of
    two methods or more in parentheses."""
    return [
        (indent, lead + "("),
        *_fluent_calls(calls, indent + INDENT, line_length),
        (indent, ")"),
    ]


def _fluent_calls(calls: list[Call], column: int, line_length: int) -> list[tuple[int, str]]:
    """Each call of a fluent chain on its own line at `column`, a call too long for its
    line split with its arguments at +4 and its `)` at `column`."""
    lines: list[tuple[int, str]] = []
    for index, call in enumerate(calls):
        prefix = "" if index == 0 else "."
        flat = _flat_call(call, prefix)
        if not call.args or (not _forced(call) and column + width(flat) <= line_length):
            lines.append((column, flat))
            continue
        lines.append((column, f"{prefix}{call.callee}("))
        lines += _body(call.args, column + INDENT, line_length)
        lines.append((column, ")"))
    return lines


def _render(lines: list[tuple[int, str]]) -> str:
    """The first line without its indentation (the caller writes it in place), the others
    with their absolute indentation."""
    first, *others = lines
    rendered = [first[1]]
    for column, text in others:
        rendered.append(" " * column + text if text else "")
    return "\n".join(rendered)


def format_statement(
    target: str | None, value: Call | Chain, *, indent: int, line_length: int = 88
) -> str:
    """`target = value` (or the bare expression when target is None) as ruff formats it at
    `line_length` when the statement is indented by `indent` spaces: the first line without
    the indentation, continuation lines with it, no trailing newline."""
    calls = _calls(value)
    lead = "" if target is None else f"{target} = "
    flat_value = "".join(_flat_call(call, "" if i == 0 else ".") for i, call in enumerate(calls))
    forced = any(_forced(call) for call in calls)
    if not forced and indent + width(lead + flat_value) <= line_length:
        return lead + flat_value
    if target is None:  # ruff does not parenthesize an expression statement
        return _render(_left_to_right("", calls, indent, line_length))
    if len(calls) >= 3:  # a fluent chain: ruff parenthesizes it
        parenthesized_fits = not forced and indent + INDENT + width(flat_value) <= line_length
        if parenthesized_fits:
            return _render([(indent, lead + "("), (indent + INDENT, flat_value), (indent, ")")])
        return _render(_fluent(lead, calls, indent, line_length))
    # ruff's best fit for `target = call`: the call's own parentheses split when every line
    # then fits, else the value in parentheses (split inside if need be) when every line then
    # fits, else the call's own parentheses anyway.
    split = _left_to_right(lead, calls, indent, line_length)
    if _all_fit(split, line_length):
        return _render(split)
    inner = _left_to_right("", calls, indent + INDENT, line_length)
    parenthesized = [(indent, lead + "("), *inner, (indent, ")")]
    return _render(parenthesized if _all_fit(parenthesized, line_length) else split)


def _all_fit(lines: list[tuple[int, str]], line_length: int) -> bool:
    return all(column + width(text) <= line_length for column, text in lines)


def with_tabs(text: str) -> str:
    """format_statement's text for a tab-indented file: each continuation line's leading
    groups of 4 spaces become tabs. The layout stays exact, as ruff counts a tab as 4 columns
    (its indent-width) when measuring lines; the first line is the caller's to indent."""
    first, *others = text.split("\n")
    converted = [first]
    for line in others:
        spaces = len(line) - len(line.lstrip(" "))
        converted.append("\t" * (spaces // INDENT) + line[spaces - spaces % INDENT :])
    return "\n".join(converted)
