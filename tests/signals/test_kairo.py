"""The kairo cases and cellx of js-reactivity-benchmark, ported with their asserted values.

Where the original only comments its call counts out, the exact counts asserted here are
what a glitch-free push-pull system must produce.
"""

from __future__ import annotations

from collections.abc import Callable

from salsify.signals import Computed, Signal, batch, computed, effect, signal

Readable = Callable[[], int]


def test_avoidable_propagation() -> None:
    busy = {"c3": 0, "effect": 0}
    head = signal(0)
    c1 = computed(lambda: head())
    c2 = computed(lambda: (c1(), 0)[1])

    def c3_fn() -> int:
        busy["c3"] += 1
        return c2() + 1

    c3 = computed(c3_fn)
    c4 = computed(lambda: c3() + 2)
    c5 = computed(lambda: c4() + 3)

    def fx() -> None:
        c5()
        busy["effect"] += 1

    effect(fx)
    head.set(1)
    assert c5() == 6
    for i in range(1000):
        with batch():
            head.set(i)
            assert c5() == 6
    assert busy == {"c3": 1, "effect": 1}  # c2 never changes: nothing below it re-runs


def test_broad_propagation() -> None:
    head = signal(0)
    last: Readable = head
    calls = [0]
    for i in range(50):
        current = computed(lambda i=i: head() + i)  # type: ignore[misc]
        current2 = computed(lambda current=current: current() + 1)  # type: ignore[misc]

        def fx(current2: Computed[int] = current2) -> None:
            current2()
            calls[0] += 1

        effect(fx)
        last = current2
    with batch():
        head.set(1)
    calls[0] = 0
    for i in range(50):
        with batch():
            head.set(i)
        assert last() == i + 50
    assert calls[0] == 50 * 50


def test_deep_propagation() -> None:
    length = 50
    head = signal(0)
    current: Readable = head
    for _ in range(length):
        current = computed(lambda c=current: c() + 1)  # type: ignore[misc]
    calls = [0]
    end = current

    def fx() -> None:
        end()
        calls[0] += 1

    effect(fx)
    with batch():
        head.set(1)
    calls[0] = 0
    for i in range(50):
        with batch():
            head.set(i)
        assert end() == length + i
    assert calls[0] == 50


def test_diamond() -> None:
    width = 5
    head = signal(0)
    current = [computed(lambda: head() + 1) for _ in range(width)]
    total = computed(lambda: sum(x() for x in current))
    calls = [0]

    def fx() -> None:
        total()
        calls[0] += 1

    effect(fx)
    with batch():
        head.set(1)
    assert total() == 2 * width
    calls[0] = 0
    for i in range(500):
        with batch():
            head.set(i)
        assert total() == (i + 1) * width
    assert calls[0] == 500


def test_mux() -> None:
    heads = [signal(0) for _ in range(100)]
    mux = computed(lambda: dict(enumerate(h() for h in heads)))
    splitted = [computed(lambda i=i: mux()[i]) for i in range(100)]  # type: ignore[misc]
    plus = [computed(lambda x=x: x() + 1) for x in splitted]  # type: ignore[misc]
    runs = [0] * 100
    for k, x in enumerate(plus):

        def fx(x: Computed[int] = x, k: int = k) -> None:
            x()
            runs[k] += 1

        effect(fx)
    for i in range(10):
        heads[i].set(i)
        assert plus[i]() == i + 1
    for i in range(10):
        heads[i].set(i * 2)
        assert plus[i]() == i * 2 + 1
    # heads[0] is written 0 then 0 (no change); every other head 1..9 changes twice.
    assert runs[0] == 1
    assert runs[1:10] == [3] * 9
    assert runs[10:] == [1] * 90


def test_repeated_observers() -> None:
    size = 30
    head = signal(0)
    current = computed(lambda: sum(head() for _ in range(size)))
    calls = [0]

    def fx() -> None:
        current()
        calls[0] += 1

    effect(fx)
    with batch():
        head.set(1)
    assert current() == size
    calls[0] = 0
    for i in range(100):
        with batch():
            head.set(i)
        assert current() == i * size
    assert calls[0] == 100
    assert head.subs is not None and head.subs.next_sub is None  # one link despite 30 reads


def test_triangle() -> None:
    width = 10
    head = signal(0)
    current: Readable = head
    items: list[Readable] = []
    for _ in range(width):
        items.append(current)
        current = computed(lambda c=current: c() + 1)  # type: ignore[misc]
    total = computed(lambda: sum(x() for x in items))
    calls = [0]

    def fx() -> None:
        total()
        calls[0] += 1

    effect(fx)
    constant = sum(range(1, width + 1))
    with batch():
        head.set(1)
        assert total() == constant
    calls[0] = 0
    for i in range(100):
        with batch():
            head.set(i)
            assert total() == constant - width + i * width
    assert calls[0] == 100


def test_unstable() -> None:
    head = signal(0)
    double = computed(lambda: head() * 2)
    inverse = computed(lambda: -head())

    def current_fn() -> int:
        result = 0
        for _ in range(20):
            result += double() if head() % 2 else inverse()
        return result

    current = computed(current_fn)
    calls = [0]

    def fx() -> None:
        current()
        calls[0] += 1

    effect(fx)
    with batch():
        head.set(1)
    assert current() == 40
    calls[0] = 0
    for i in range(100):
        with batch():
            head.set(i)
        assert current() == (i * 2 * 20 if i % 2 else -i * 20)
    assert calls[0] == 100  # every write changes head, so every write changes current


def _cellx(layers: int) -> tuple[list[int], list[int]]:
    start = [signal(1), signal(2), signal(3), signal(4)]
    layer: list[Readable] = list(start)
    for _ in range(layers):
        m = layer
        s: list[Readable] = [
            computed(lambda m=m: m[1]()),  # type: ignore[misc]
            computed(lambda m=m: m[0]() - m[2]()),  # type: ignore[misc]
            computed(lambda m=m: m[1]() + m[3]()),  # type: ignore[misc]
            computed(lambda m=m: m[2]()),  # type: ignore[misc]
        ]
        for p in s:
            effect(p)
        for p in s:
            p()
        layer = s
    before = [p() for p in layer]
    with batch():
        for sig, v in zip(start, (4, 3, 2, 1), strict=True):
            sig.set(v)
    after = [p() for p in layer]
    return before, after


def test_cellx_1000() -> None:
    assert _cellx(1000) == ([-3, -6, -2, 2], [-2, -4, 2, 3])


def test_cellx_2500_has_no_recursion_error() -> None:
    assert _cellx(2500) == ([-3, -6, -2, 2], [-2, -4, 2, 3])


def test_deep_chain_first_read_does_not_overflow_the_stack() -> None:
    head: Signal[int] = signal(0)
    current: Readable = head
    runs = [0]

    def step(c: Readable) -> Readable:
        def fn() -> int:
            runs[0] += 1
            return c() + 1

        return computed(fn)

    for _ in range(5000):
        current = step(current)
    assert current() == 5000  # evaluated in slices, restarting from the deep end
    runs[0] = 0
    head.set(1)
    assert current() == 5001
    assert runs[0] == 5000  # after the first read, exactly one run per node per change
