"""Regenerate tests/verify/records/*.json, the recorded runs the comparison tests use:
`python -m tests.verify.make_records` (needs TensorFlow; about 10 s)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from migrator.verify.runner import run_program

HERE = Path(__file__).resolve().parent
PROGRAMS = HERE / "programs"
RECORDS = HERE / "records"
# name: (program, seed). Another seed: other data and other random augmentations.
RUNS = {
    "original": ("idg_original.py", 0),
    "original_seed1": ("idg_original.py", 1),
    "correct": ("tfdata_correct.py", 0),
}


def main() -> None:
    RECORDS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as workdir:
        for name, (program, seed) in RUNS.items():
            result = run_program(
                str(PROGRAMS / program),
                log=f"{workdir}/{name}.log",
                workdir=workdir,
                budget=0.2,
                seed=seed,
            )
            record = result.record
            assert record["status"] == "ok", record.get("error")
            record["program"] = program  # no machine-specific paths in the repository
            record.pop("devices", None)
            (RECORDS / f"{name}.json").write_text(json.dumps(record, indent=1) + "\n")


if __name__ == "__main__":
    main()
