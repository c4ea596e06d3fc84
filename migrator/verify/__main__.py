"""`python -m migrator.verify ORIGINAL MIGRATED [options]`: the `verify` command alone."""

from migrator.verify.command import verify

if __name__ == "__main__":
    verify(prog_name="python -m migrator.verify")
