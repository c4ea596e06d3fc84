"""Shared discovery of the fixtures/<case>/ pairs (input.py + expected.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from migrator.api import Options

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@dataclass(frozen=True)
class Case:
    name: str
    directory: Path

    @property
    def input(self) -> Path:
        return self.directory / "input.py"

    @property
    def expected(self) -> Path:
        return self.directory / "expected.py"

    @property
    def diagnostics(self) -> Path:
        return self.directory / "diagnostics.txt"

    @property
    def options(self) -> Options:
        flags = (
            (self.directory / "options.txt").read_text().split() if self.has("options.txt") else []
        )
        # `--augment-on replica`, `--tf-data-service grpc://host:port` as on the command line
        augment_on = flags[flags.index("--augment-on") + 1] if "--augment-on" in flags else "host"
        service = "--tf-data-service"
        return Options(
            rewrite_without_strategy="--all" in flags,
            augment_on=augment_on,
            tf_data_service=flags[flags.index(service) + 1] if service in flags else None,
        )

    @property
    def runnable(self) -> bool:
        """Rewritten fixtures must run, unless a `norun` file says why they can't here."""
        return not self.has("norun") and read(self.input) != read(self.expected)

    @property
    def verify_flags(self) -> list[str]:
        """`migrate-aug verify` options the pair needs (verify.txt), e.g. --stand-in-data."""
        return (self.directory / "verify.txt").read_text().split() if self.has("verify.txt") else []

    @property
    def verifiable(self) -> bool:
        """Rewritten, and the verifier can compare the input with its rewrite (Keras 2
        inputs run under its Keras 2 runtime; programs whose data the fixture does not ship,
        `norun`, on the stand-in data verify.txt asks for); a `noverify` file says exactly
        why not."""
        rewritten = read(self.input) != read(self.expected)
        runs = not self.has("norun") or "--stand-in-data" in self.verify_flags
        return rewritten and runs and not self.has("noverify")

    def has(self, name: str) -> bool:
        return (self.directory / name).exists()


def read(path: Path) -> str:
    # newline="" keeps CRLF files as they are on disk.
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


def cases() -> list[Case]:
    return [Case(d.name, d) for d in sorted(FIXTURES.iterdir()) if (d / "input.py").exists()]
