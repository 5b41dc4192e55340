"""Property test: random DAGs, random (batched) writes, compared to from-scratch evaluation."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from salsify.signals import batch, computed, effect, signal

N_SIGNALS = 4


@st.composite
def programs(draw: st.DrawFn) -> tuple[list[tuple[int, list[int]]], list[list[int]], list[Any]]:
    n_computed = draw(st.integers(1, 8))
    nodes: list[tuple[int, list[int]]] = []  # (op, inputs) over earlier node indices
    for i in range(n_computed):
        avail = N_SIGNALS + i
        inputs = draw(st.lists(st.integers(0, avail - 1), min_size=1, max_size=3))
        nodes.append((draw(st.integers(0, 2)), inputs))
    total = N_SIGNALS + n_computed
    effects = draw(
        st.lists(st.lists(st.integers(0, total - 1), min_size=1, max_size=3), max_size=4)
    )
    write = st.tuples(st.integers(0, N_SIGNALS - 1), st.integers(-3, 3))
    steps = draw(st.lists(st.lists(write, min_size=1, max_size=3), min_size=1, max_size=8))
    return nodes, effects, steps


def _apply(op: int, vals: list[int]) -> int:
    # op 1 branches: a dynamic dependency (only the first input is always read)
    if op == 0:
        return sum(vals)
    if op == 1:
        return vals[0] % 3  # small range: many equal results (bail-out paths)
    return max(vals) - min(vals)


@settings(max_examples=150, deadline=None)
@given(programs())
def test_random_graphs_match_from_scratch(
    program: tuple[list[tuple[int, list[int]]], list[list[int]], list[Any]],
) -> None:
    nodes, effect_inputs, steps = program
    values = [0] * N_SIGNALS
    sigs = [signal(0) for _ in range(N_SIGNALS)]
    readers: list[Any] = list(sigs)

    def make(op: int, inputs: list[int]) -> Any:
        def fn() -> int:
            first = readers[inputs[0]]()
            if op == 1 and first % 2:
                return _apply(op, [first])  # the other inputs are not read on this branch
            return _apply(op, [first] + [readers[i]() for i in inputs[1:]])

        return computed(fn)

    for op, inputs in nodes:
        readers.append(make(op, inputs))

    def scratch() -> list[int]:
        out = list(values)
        for op, inputs in nodes:
            first = out[inputs[0]]
            if op == 1 and first % 2:
                out.append(_apply(op, [first]))
            else:
                out.append(_apply(op, [first] + [out[i] for i in inputs[1:]]))
        return out

    runs = [0] * len(effect_inputs)
    seen: list[list[int]] = [[] for _ in effect_inputs]
    for k, inputs in enumerate(effect_inputs):

        def fx(k: int = k, inputs: list[int] = inputs) -> None:
            runs[k] += 1
            seen[k] = [readers[i]() for i in inputs]

        effect(fx)

    for step in steps:
        before = scratch()
        old_runs = list(runs)
        if len(step) == 1:
            idx, v = step[0]
            values[idx] = v
            sigs[idx].set(v)
        else:
            with batch():
                for idx, v in step:
                    values[idx] = v
                    sigs[idx].set(v)
        after = scratch()
        for k, inputs in enumerate(effect_inputs):
            changed = any(before[i] != after[i] for i in inputs)
            assert runs[k] - old_runs[k] == (1 if changed else 0)
            assert seen[k] == [after[i] for i in inputs]
        assert [r() for r in readers] == after
