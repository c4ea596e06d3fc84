"""`--add-ignore`: silence every current finding with `# migrate-aug: ignore[CODE,...]`.

A comment goes at the end of the line a finding is reported on (the codemod honours that
line as well as the lines of the site's construction, `.flow()` and `fit` calls), merged
into an existing `migrate-aug: ignore[...]` comment when there is one. Nothing else in
the file changes: encoding, BOM, newlines and every other byte stay as they were.

A line that ends inside a multi-line string or with a backslash continuation cannot carry
a comment; the finding is then tried on the other lines of the same site (checked by
running the codemod again) and reported as not suppressed when none works. In notebooks
the comments go into the cells the findings name (`nb.ipynb:cell 3`).
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from migrator.diagnostics import Diagnostic
from migrator.options import Options, SourceParseError
from migrator.processing import migrate_text, process
from migrator.runtime_copies import CODE as RUNTIME_CODE
from migrator.sourcefile import write_source
from migrator.suppression import COMMENT_PATTERN, comment_codes

Rerun = Callable[[str], list[Diagnostic]]

_NEWLINE = re.compile(r"\r\n|\n")
_MAX_ROUNDS = 4  # suppressing a finding can reveal another one at the same site
_MAX_FALLBACK_LINES = 8


@dataclass
class Placement:
    text: str
    comments: int = 0  # lines whose ignore comment was added or extended
    unplaced: list[Diagnostic] = field(default_factory=list)


def _lines(text: str) -> list[list[str]]:
    """[body, newline] per physical line, as the tokenizer counts them."""
    lines: list[list[str]] = []
    start = 0
    for match in _NEWLINE.finditer(text):
        lines.append([text[start : match.start()], match.group()])
        start = match.end()
    lines.append([text[start:], ""])
    return lines


@dataclass(frozen=True)
class _LineFacts:
    commentable: frozenset[int]  # 1-based lines whose end is real code, not a string
    comments: dict[int, tuple[int, str]]  # line -> (column, comment text)


def _facts(text: str) -> _LineFacts | None:
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return None  # the suppression module would not see comments either
    lines = _lines(text)
    blocked: set[int] = set()
    comments: dict[int, tuple[int, str]] = {}
    for token in tokens:
        if token.start[0] != token.end[0] and token.type != tokenize.NL:
            blocked.update(range(token.start[0], token.end[0]))  # multi-line strings
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = (token.start[1], token.string)
    commentable = set()
    for number, (body, _) in enumerate(lines, start=1):
        continued = number not in comments and body.rstrip().endswith("\\")
        if number not in blocked and not continued and body.strip():
            commentable.add(number)
    return _LineFacts(frozenset(commentable), comments)


def _codes_comment(codes: Iterable[str]) -> str:
    return f"# migrate-aug: ignore[{','.join(sorted(set(codes)))}]"


def _apply(text: str, wanted: dict[int, set[str]], facts: _LineFacts) -> str:
    lines = _lines(text)
    for number, codes in wanted.items():
        body = lines[number - 1][0]
        existing = facts.comments.get(number)
        match = COMMENT_PATTERN.search(existing[1]) if existing else None
        old = comment_codes(match) if match is not None else None
        if existing is not None and match is not None and old is not None:
            start = existing[0] + match.start()
            body = body[:start] + _codes_comment(old | codes) + body[existing[0] + match.end() :]
        else:
            trailing = body[len(body.rstrip(" \t")) :]
            body = body + ("" if trailing else "  ") + _codes_comment(codes)
        lines[number - 1][0] = body
    return "".join(body + newline for body, newline in lines)


def _key(diagnostic: Diagnostic) -> tuple[str, int, int]:
    return (diagnostic.code, diagnostic.line, diagnostic.column)


def place_ignores(text: str, diagnostics: Sequence[Diagnostic], rerun: Rerun) -> Placement:
    """`text` with ignore comments for `diagnostics`; `rerun` gives the findings of a text."""
    placement = Placement(text)
    pending = list(diagnostics)
    original_lines = sorted({d.line for d in diagnostics})
    try:
        for _ in range(_MAX_ROUNDS):
            facts = _facts(placement.text)
            if facts is None:
                break
            wanted: dict[int, set[str]] = {}
            # Notes first wait: a note often disappears with the rewrite it describes.
            findings = [d for d in pending if not d.is_note] or pending
            for diagnostic in findings:
                if diagnostic.line in facts.commentable:
                    wanted.setdefault(diagnostic.line, set()).add(diagnostic.code)
            if not wanted:
                break
            placement.text = _apply(placement.text, wanted, facts)
            pending = rerun(placement.text)
        for diagnostic in list(pending):
            if _key(diagnostic) not in {_key(d) for d in pending}:
                continue  # silenced with an earlier finding of the same site
            if _fallback(placement, diagnostic, pending, original_lines, rerun):
                pending = rerun(placement.text)
    except SourceParseError:  # an edit broke the file: a bug; never write it
        return Placement(text, 0, list(diagnostics))
    placement.unplaced = pending
    placement.comments = _changed_lines(text, placement.text)
    return placement


def _changed_lines(before: str, after: str) -> int:
    return sum(a != b for a, b in zip(_lines(before), _lines(after), strict=True))


def _fallback(
    placement: Placement,
    diagnostic: Diagnostic,
    pending: list[Diagnostic],
    original_lines: list[int],
    rerun: Rerun,
) -> bool:
    """Try the comment on nearby lines of the same site (the construction, `.flow()`,
    `fit`): keep the first that silences this finding without adding another."""
    facts = _facts(placement.text)
    if facts is None:
        return False
    text_lines = _lines(placement.text)
    site_lines = {
        number
        for number, (body, _) in enumerate(text_lines, start=1)
        if "ImageDataGenerator" in body or ".flow" in body or "fit" in body
    } | set(original_lines)
    candidates = sorted(
        (line for line in site_lines if line in facts.commentable and line != diagnostic.line),
        key=lambda line: (abs(line - diagnostic.line), line),
    )[:_MAX_FALLBACK_LINES]
    for line in candidates:
        trial = _apply(placement.text, {line: {diagnostic.code}}, facts)
        after = rerun(trial)
        if _key(diagnostic) not in {_key(d) for d in after} and len(after) < len(pending):
            placement.text = trial
            return True
    return False


def place_notebook_ignores(
    text: str, diagnostics: Sequence[Diagnostic], rerun: Rerun, path: str
) -> Placement:
    """The same for a notebook: each cell's findings (`path:cell N`) are placed in that
    cell's source, checked by migrating the whole notebook again. The notebook is written
    back as migrator.notebook writes it (nbformat's layout)."""
    import nbformat

    notebook = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
    by_cell: dict[int, list[Diagnostic]] = {}
    unplaced: list[Diagnostic] = []
    for diagnostic in diagnostics:
        number = _cell_number(diagnostic.path, path)
        if number is None or not 0 < number <= len(notebook.cells):
            unplaced.append(diagnostic)  # about the whole notebook: no line to put it on
        else:
            by_cell.setdefault(number, []).append(diagnostic)

    def render() -> str:
        written = nbformat.writes(notebook)
        return written + "\n" if text.endswith("\n") and not written.endswith("\n") else written

    comments = 0
    for number, found in sorted(by_cell.items()):
        cell = notebook.cells[number - 1]

        def cell_rerun(source: str, cell: object = cell, number: int = number) -> list[Diagnostic]:
            original = cell.source  # type: ignore[attr-defined]
            cell.source = source  # type: ignore[attr-defined]
            try:
                return [d for d in rerun(render()) if _cell_number(d.path, path) == number]
            finally:
                cell.source = original  # type: ignore[attr-defined]

        placement = place_ignores(cell.source, found, cell_rerun)
        cell.source = placement.text
        comments += placement.comments
        unplaced += placement.unplaced
    if not comments:
        return Placement(text, 0, unplaced)
    return Placement(render(), comments, unplaced)


def _cell_number(where: str, path: str) -> int | None:
    prefix = f"{path}:cell "
    if where.startswith(prefix) and where[len(prefix) :].isdigit():
        return int(where[len(prefix) :])
    return None


def add_ignores(
    files: list[Path],
    errors: list[str],
    options: Options,
    jobs: int,
    quiet: int,
    echo: Callable[..., None],
) -> int:
    """The `--add-ignore` run: exit 0 when every finding is suppressed, 1 when some could
    not be, 2 on errors (unreadable, unparsable or unwritable files). `quiet` as the CLI's
    -q: 1 prints only what was not suppressed and errors, 2 nothing."""
    errors = list(errors)
    comments = 0
    touched = 0
    unplaced: list[Diagnostic] = []
    hashed: list[Diagnostic] = []  # MA007: about the runtime's copies, never commented
    for outcome in process(files, options, jobs):
        if outcome.error is not None:
            errors.append(outcome.error)
        if outcome.result is None or outcome.source is None or not outcome.result.diagnostics:
            continue
        path, source = outcome.path, outcome.source
        hashed += [d for d in outcome.result.diagnostics if d.code == RUNTIME_CODE]
        if all(d.code == RUNTIME_CODE for d in outcome.result.diagnostics):
            continue

        commentable = [d for d in outcome.result.diagnostics if d.code != RUNTIME_CODE]

        def rerun(text: str, path: Path = path) -> list[Diagnostic]:
            found = migrate_text(text, path, options).diagnostics
            return [d for d in found if d.code != RUNTIME_CODE]

        try:
            if path.suffix == ".ipynb":
                placement = place_notebook_ignores(source.text, commentable, rerun, str(path))
            else:
                placement = place_ignores(source.text, commentable, rerun)
        except Exception as error:  # noqa: BLE001 - one bad file never stops the run
            errors.append(
                f"{path}: internal error: {type(error).__name__}: {error}; file left unchanged; "
                "please report this to the migrate-aug maintainers"
            )
            continue
        unplaced += placement.unplaced
        if placement.text == source.text:
            continue
        try:
            write_source(source, placement.text)
        except OSError as error:
            errors.append(f"{path}: error: cannot write: {error.strerror or error}")
            continue
        comments += placement.comments
        touched += 1
        if not quiet:
            lines = f"{placement.comments} line{'s' * (placement.comments != 1)}"
            echo(f"Added ignore comments on {lines} of {path}", err=True)
    for diagnostic in unplaced if quiet < 2 else ():
        echo(
            f"{diagnostic.format()} [not suppressed: no line of its site can take a comment "
            "(each ends inside a string or a continuation); add it by hand]"
        )
    for diagnostic in hashed if quiet < 2 else ():
        echo(
            f"{diagnostic.format()} [not suppressed: a comment would edit the runtime's "
            f"hashed text; deselect the rule instead (--ignore {RUNTIME_CODE}, or "
            f'ignore = ["{RUNTIME_CODE}"] in [tool.migrate-aug])]'
        )
    unplaced += hashed
    for error in errors if quiet < 2 else ():
        echo(error, err=True)
    if not quiet:
        echo(
            f"{comments} line{'s' * (comments != 1)} given ignore comments in {touched} "
            f"file{'s' * (touched != 1)}, {len(unplaced)} finding{'s' * (len(unplaced) != 1)} "
            f"not suppressed, {len(errors)} error{'s' * (len(errors) != 1)}",
            err=True,
        )
    if errors:
        return 2
    return 1 if unplaced else 0
