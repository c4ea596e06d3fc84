from migrator.suppression import ALL, is_suppressed, suppressions


def test_bare_and_coded_comments() -> None:
    table = suppressions(
        "a = 1  # migrate-aug: ignore\nb = 2  # migrate-aug: ignore[MA001, ma002]\nc = 3\n"
    )
    assert table[1] is ALL
    assert table[2] == frozenset({"MA001", "MA002"})
    assert is_suppressed("MA105", {1}, table)
    assert is_suppressed("MA002", {2}, table)
    assert not is_suppressed("MA105", {2, 3}, table)


def test_strings_do_not_count() -> None:
    assert suppressions('s = "# migrate-aug: ignore"\n') == {}
