"""`[tool.migrate-aug]` in pyproject.toml: found by walking up from the paths, validated.

Keys: `select`, `ignore` (rule codes or prefixes), `exclude` (replaces the default excludes),
`extend-exclude` (adds to them), `all` (= --all), `force-exclude` (= --force-exclude),
`augment-on` (= --augment-on: "host" or "replica"), `inline` (= --inline), and the place of
the runtime module for a whole package: `runtime-module` (its path) and `runtime-import`
(its import name, derived from the path when not given), and `tf-data-service` (=
--tf-data-service: the dispatcher address the emitted pipelines are served by).
Patterns and the module's path are relative to the directory holding the config file.
"""

from __future__ import annotations

import keyword
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from migrator.options import AUGMENT_ON, service_address_error
from migrator.rules import expand_selector

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: tomli when installed
    try:
        import tomli as tomllib  # type: ignore[no-redef]
    except ModuleNotFoundError:
        tomllib = None  # type: ignore[assignment]

SECTION = "migrate-aug"
LIST_KEYS = ("select", "ignore", "exclude", "extend-exclude")
BOOL_KEYS = ("all", "force-exclude", "inline")
CHOICE_KEYS = {"augment-on": AUGMENT_ON}
STRING_KEYS = ("runtime-module", "runtime-import", "tf-data-service")


class ConfigError(Exception):
    """A config file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Config:
    path: Path | None = None  # the file read, None when there is none
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    exclude: tuple[str, ...] | None = None  # None: the default excludes
    extend_exclude: tuple[str, ...] = ()
    all: bool | None = None
    force_exclude: bool | None = None
    augment_on: str | None = None
    inline: bool | None = None
    # The one runtime module of the project (absolute), and the name its users import.
    runtime_module: Path | None = None
    runtime_import: str | None = None
    tf_data_service: str | None = None  # a dispatcher address, checked

    @property
    def root(self) -> Path:
        """Where the config's patterns are anchored."""
        return self.path.parent if self.path is not None else Path.cwd()


def check_selectors(selectors: Sequence[str], where: str) -> None:
    for selector in selectors:
        if selector.strip() and not expand_selector(selector):
            raise ConfigError(f"{where}: unknown rule code or prefix {selector.strip()!r}")


def check_service_address(address: str, where: str) -> None:
    error = service_address_error(address)
    if error is not None:
        raise ConfigError(f"{where}: {error}")


def _read_toml(path: Path) -> dict[str, object]:
    if tomllib is None:
        raise ConfigError(
            f"{path}: reading configuration needs Python 3.11+ or `pip install tomli`"
        )
    try:
        with path.open("rb") as stream:
            return tomllib.load(stream)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from error


def _section(data: dict[str, object]) -> object:
    tool = data.get("tool")
    return tool.get(SECTION) if isinstance(tool, dict) else None


def load_config(path: Path) -> Config:
    """The `[tool.migrate-aug]` table of `path` (an empty Config when it has none)."""
    table = _section(_read_toml(path))
    if table is None:
        return Config(path=path)
    where = f"{path}: [tool.{SECTION}]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    values: dict[str, object] = {}
    for key, value in table.items():
        if key in LIST_KEYS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{where}: `{key}` must be a list of strings, got {value!r}")
            values[key.replace("-", "_")] = tuple(value)
        elif key in BOOL_KEYS:
            if not isinstance(value, bool):
                raise ConfigError(f"{where}: `{key}` must be true or false, got {value!r}")
            values[key.replace("-", "_")] = value
        elif key in CHOICE_KEYS:
            if value not in CHOICE_KEYS[key]:
                choices = " or ".join(f'"{choice}"' for choice in CHOICE_KEYS[key])
                raise ConfigError(f"{where}: `{key}` must be {choices}, got {value!r}")
            values[key.replace("-", "_")] = value
        elif key in STRING_KEYS:
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"{where}: `{key}` must be a non-empty string, got {value!r}")
            values[key.replace("-", "_")] = value.strip()
        else:
            known = ", ".join(LIST_KEYS + BOOL_KEYS + tuple(CHOICE_KEYS) + STRING_KEYS)
            raise ConfigError(f"{where}: unknown key `{key}` (known keys: {known})")
    if "tf_data_service" in values:
        check_service_address(values["tf_data_service"], f"{where}: `tf-data-service`")  # type: ignore[arg-type]
    for key in ("select", "ignore"):
        check_selectors(values.get(key, ()), f"{where}: `{key}`")  # type: ignore[arg-type]
    if "runtime_module" in values or "runtime_import" in values:
        module, name = runtime_place(
            values.get("runtime_module"),  # type: ignore[arg-type]
            values.get("runtime_import"),  # type: ignore[arg-type]
            where,
        )
        values["runtime_module"], values["runtime_import"] = path.parent / module, name
    return Config(path=path, **values)  # type: ignore[arg-type]


def _is_dotted_name(name: str) -> bool:
    parts = name.split(".")
    return all(part.isidentifier() and not keyword.iskeyword(part) for part in parts)


def runtime_place(module: str | None, name: str | None, where: str) -> tuple[Path, str]:
    """`runtime-module` (a path relative to the config file) and `runtime-import`, checked
    against each other. Without `runtime-import` the name is the path's dotted form
    without a leading `src/` (the src layout): "src/pkg/idg_tfdata.py" -> pkg.idg_tfdata."""
    if module is None:
        raise ConfigError(
            f"{where}: `runtime-import` needs `runtime-module`, the file to write "
            f'(e.g. runtime-module = "src/{(name or "").replace(".", "/")}.py")'
        )
    relative = Path(module)
    if relative.is_absolute() or ".." in relative.parts or relative.suffix != ".py":
        raise ConfigError(
            f"{where}: `runtime-module` must be a .py file below the config file's "
            f"directory, got {module!r}"
        )
    parts = list(relative.with_suffix("").parts)
    if name is None:
        dotted = parts[1:] if parts[0] == "src" and len(parts) > 1 else parts
        name = ".".join(dotted)
        if not _is_dotted_name(name):
            raise ConfigError(
                f"{where}: `runtime-module` {module!r} gives no importable name ({name!r}); "
                "rename the path or set `runtime-import`"
            )
        return relative, name
    if not _is_dotted_name(name):
        raise ConfigError(
            f"{where}: `runtime-import` must be a dotted module name (pkg.idg_tfdata), got {name!r}"
        )
    if parts[-len(name.split(".")) :] != name.split("."):
        raise ConfigError(
            f"{where}: `runtime-import` {name!r} is not the module at `runtime-module` "
            f"{module!r} (its path must end with {name.replace('.', '/')}.py)"
        )
    return relative, name


def find_config(paths: Sequence[str], cwd: Path | None = None) -> Path | None:
    """The nearest pyproject.toml with a `[tool.migrate-aug]` table, walking up from the
    deepest directory containing every path (the current directory when there are none).
    pyproject.toml files without the table are passed over, as ruff does."""
    cwd = cwd or Path.cwd()
    directories = []
    for raw in paths:
        path = Path(os.path.abspath(cwd / raw))
        directories.append(str(path if path.is_dir() else path.parent))
    start = Path(os.path.commonpath(directories)) if directories else Path(os.path.abspath(cwd))
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        try:
            text = candidate.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue  # no file (or unreadable): keep walking up
        # Cheap test first: most pyproject.toml files never mention the tool.
        if SECTION in text and _section(_read_toml(candidate)) is not None:
            return candidate
    return None
