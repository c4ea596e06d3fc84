"""Where the runtime module goes: which `idg_tfdata.py` files a run writes or upgrades.

The codemod marks each file whose new text uses the runtime module
(`FileResult.needs_runtime`). Such a file imports it, so it needs the module:

- by default `idg_tfdata.py` beside it, one per directory (a script run directly
  imports its sibling; every migrated file of the directory shares the copy);
- with `runtime-module` in `[tool.migrate-aug]`, that one file for the whole project
  (its import name is `runtime-import`, which Options.runtime_import carries to the
  codemod).

Files that inline the runtime (notebooks, `--inline`) need no module file
(migrator/runtime_inline.py). For each module file the plan says what happens: nothing
(the current text is there), write it (new), upgrade it (an unedited older copy: MA007),
report it (an edited or newer copy: MA007, never overwritten), or refuse (a file of that
name without migrate-aug's header is the project's own module: the files that would
import the runtime are not migrated, MA007 on each, since their import would load the
wrong module). A module file among the paths given to the run was already handled as
a file of its own (api.migrate_source upgrades copies); the plan only reads the others.
A file migrated by an earlier run (it imports the runtime) gets its module upgraded too,
when there is one: fixes reach migrated code even when a run is given that file alone.
Nothing here prints or writes (migrator/run.py does).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from migrator.diagnostics import Diagnostic
from migrator.options import FileResult, Options
from migrator.processing import Outcome
from migrator.runtime import MODULE_NAME, RUNTIME_VERSION, runtime_text
from migrator.runtime_copies import CODE, finding, module_copy
from migrator.runtime_inline import inlines
from migrator.sourcefile import SourceFile, SourceReadError, read_source

FILE_NAME = f"{MODULE_NAME}.py"

HELP_CONFLICT = (
    'Rename your module, or write the runtime elsewhere: `runtime-module = "path/to/'
    f'{FILE_NAME}"` in [tool.migrate-aug], or `--inline` (its text in each file)'
)


@dataclass
class ModuleFile:
    """One runtime module file of the run and what happens to it."""

    path: Path  # as shown to the user
    users: list[Path]  # the files migrated now that import it
    needed: bool = True  # False: only files migrated before import it
    readers: list[Path] = field(default_factory=list)  # those files
    source: SourceFile | None = None  # the file there now (None: there is none)
    new_text: str | None = None  # what to write (None: leave it as it is)
    findings: list[Diagnostic] = field(default_factory=list)
    conflict: bool = False  # the project's own module of that name is in the way
    error: str | None = None  # it could not be read

    @property
    def created(self) -> bool:
        return self.source is None and self.new_text is not None

    @property
    def description(self) -> str:
        return f"the {MODULE_NAME} runtime module, version {RUNTIME_VERSION}"


def module_path(user: Path, configured: Path | None) -> Path:
    """The module file `user` imports."""
    if configured is None:
        return user.parent / FILE_NAME
    return _shown(configured)


def _shown(path: Path) -> Path:
    """A path below the working directory is shown relative to it, as discovery does."""
    relative = os.path.relpath(path)
    return Path(relative) if not relative.startswith("..") else path


def _key(path: Path) -> str:
    return os.path.realpath(path)


def imports_runtime(text: str, name: str) -> bool:
    """`text` has the import the codemod writes for the runtime module `name`."""
    package, _, module = name.rpartition(".")
    statement = f"from {package} import {module}" if package else f"import {name}"
    return re.search(rf"^[ \t]*{re.escape(statement)}\b", text, re.M) is not None


def plan(
    outcomes: Sequence[Outcome], options: Options, configured: Path | None = None
) -> list[ModuleFile]:
    """The module files the migrated files of `outcomes` need, in first-use order. A file
    migrated by an earlier run (it imports the runtime, nothing to migrate now) has its
    module upgraded when one is there; only a file migrated now creates one or is
    refused for a module of the user's in the way."""
    given = {_key(outcome.path): outcome for outcome in outcomes}
    modules: dict[str, ModuleFile] = {}
    for outcome in outcomes:
        result = outcome.result
        if result is None or inlines(outcome.path, options):
            continue
        earlier = not result.needs_runtime
        if earlier and not imports_runtime(result.new_source, options.runtime_import):
            continue
        path = module_path(outcome.path, configured)
        module = modules.setdefault(_key(path), ModuleFile(path, [], needed=False))
        if earlier:
            module.readers.append(outcome.path)
        else:
            module.users.append(outcome.path)
            module.needed = True
    for key, module in modules.items():
        _decide(module, given.get(key), options)
    return list(modules.values())


def _decide(module: ModuleFile, processed: Outcome | None, options: Options) -> None:
    if not module.needed:  # only files migrated before: upgrade a copy, nothing else
        if processed is None and os.path.isfile(module.path):
            _existing(module, options)
            module.conflict = False
        return
    if processed is not None:  # a file of the run: a copy there was handled as such
        if processed.source is not None and module_copy(processed.source.text) is None:
            module.conflict = True
        elif processed.source is None and processed.error is not None:
            module.error = processed.error
        elif processed.source is None:  # no header, nothing to migrate: the user's own
            module.conflict = True
        return
    if not os.path.lexists(module.path):
        module.new_text = runtime_text()
        return
    _existing(module, options)


def _existing(module: ModuleFile, options: Options) -> None:
    """A module file outside the run's paths: read it and decide."""
    try:
        module.source = read_source(module.path)
    except SourceReadError as error:
        module.error = f"{module.path}: error: {error}"
        return
    copy = module_copy(module.source.text)
    if copy is None:
        module.conflict = True
        return
    if not options.enabled(CODE):
        return
    found = finding(copy, str(module.path), 1, f"runtime module `{MODULE_NAME}`")
    if found is not None:
        module.findings.append(found)
    if copy.replaceable:
        module.new_text = runtime_text()


def refused(result: FileResult, user: Path, module: ModuleFile, options: Options) -> FileResult:
    """`user`'s result when its module is in conflict: unchanged, its reports kept, the
    rewrites it would have made dropped, and MA007 saying why."""
    kept = [d for d in result.diagnostics if not (d.fixable or d.is_note)]
    if options.enabled(CODE):
        message = (
            f"not migrated: the rewrite imports `{options.runtime_import}`, but "
            f"{module.path} is another module of that name (it has no migrate-aug header)"
        )
        kept.append(Diagnostic(str(user), 1, 1, CODE, message, help=HELP_CONFLICT))
    kept.sort(key=Diagnostic.sort_key)
    return replace(result, new_source=result.source, diagnostics=kept, needs_runtime=False)
