import libcst as cst

from migrator.analysis.generator_methods import rewrite_generator_method


def rewrite(code: str) -> str | None:
    call = cst.parse_expression(code)
    fix = rewrite_generator_method(call)
    return None if fix is None else cst.Module([]).code_for_node(fix.replacement)


def test_positional_arguments_become_keywords() -> None:
    assert (
        rewrite("model.fit_generator(gen, 100, 5)")
        == "model.fit(gen, steps_per_epoch=100, epochs=5)"
    )


def test_worker_knobs_are_dropped_and_a_true_division_rounds_up() -> None:
    # Keras 2 runs `while step < len(x) / 32`: ceil steps, the last one a partial batch.
    assert (
        rewrite(
            "m.fit_generator(gen, steps_per_epoch=len(x) / 32, workers=4, use_multiprocessing=True)"
        )
        == "m.fit(gen, steps_per_epoch=math.ceil(len(x) / 32))"
    )


def test_every_step_count_rounds_up_and_asks_for_math() -> None:
    call = cst.parse_expression("m.fit_generator(g, n / 8, 2, validation_steps=v / 8)")
    fix = rewrite_generator_method(call)
    assert fix is not None and fix.needs_math
    assert cst.Module([]).code_for_node(fix.replacement) == (
        "m.fit(g, steps_per_epoch=math.ceil(n / 8), epochs=2, validation_steps=math.ceil(v / 8))"
    )
    assert rewrite("m.predict_generator(g, steps=n / 8)") == "m.predict(g, steps=math.ceil(n / 8))"
    # Floor division and plain counts are integers already: no import needed.
    kept = rewrite_generator_method(cst.parse_expression("m.fit_generator(g, n // 8)"))
    assert kept is not None and not kept.needs_math


def test_evaluate_and_predict() -> None:
    assert rewrite("m.evaluate_generator(gen, 10)") == "m.evaluate(gen, steps=10)"
    assert rewrite("m.predict_generator(generator=gen, max_queue_size=3)") == "m.predict(gen)"


def test_unmappable_calls_are_left_alone() -> None:
    assert rewrite("m.fit_generator(*args)") is None
    assert rewrite("m.fit(gen)") is None


def test_the_module_imports_math_once() -> None:
    from migrator.api import Options, migrate_source

    source = "import keras\n\nmodel.fit_generator(gen, len(x) / 8)\n"
    new = migrate_source(source, "t.py", Options()).new_source
    assert new == (  # the standard library's section first, as isort sorts it
        "import math\n\nimport keras\n\nmodel.fit(gen, steps_per_epoch=math.ceil(len(x) / 8))\n"
    )
    again = migrate_source("import math\n" + source, "t.py", Options()).new_source
    assert again.count("import math") == 1
