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


def test_worker_knobs_are_dropped_and_float_steps_made_int() -> None:
    assert (
        rewrite(
            "m.fit_generator(gen, steps_per_epoch=len(x) / 32, workers=4, use_multiprocessing=True)"
        )
        == "m.fit(gen, steps_per_epoch=int(len(x) / 32))"
    )


def test_evaluate_and_predict() -> None:
    assert rewrite("m.evaluate_generator(gen, 10)") == "m.evaluate(gen, steps=10)"
    assert rewrite("m.predict_generator(generator=gen, max_queue_size=3)") == "m.predict(gen)"


def test_unmappable_calls_are_left_alone() -> None:
    assert rewrite("m.fit_generator(*args)") is None
    assert rewrite("m.fit(gen)") is None
