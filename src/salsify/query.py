"""``@salsify.query``: turns a function into a memoized, dependency-tracked query.

The decorator returns a *generated plain Python function* with the same parameters as
the decorated one. Plain functions matter twice over: they bind as methods on Database
subclasses, and recursion through them (query body -> wrapper -> query body ...) stays
in the interpreter's inlined Python-to-Python calls, so deep query chains never hit
the C-level recursion limit of Python 3.12+.

The generated wrapper is the hot path (a memo already verified in this revision):
one dict lookup, one revision comparison, and a dependency append only when some query
is running. Everything else goes to ``fetch.fetch_cold``.
"""

from __future__ import annotations

import inspect
import itertools
import threading
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar, overload

P = ParamSpec("P")
R = TypeVar("R")

_registry_lock = threading.Lock()
_INGREDIENTS: list[QueryIngredient] = []
_RESERVED_PREFIX = "_s_"


def all_ingredients() -> list[QueryIngredient]:
    return _INGREDIENTS


class QueryIngredient:
    """Everything the engine knows about one query, shared by all databases."""

    __slots__ = (
        "cycle_initial",
        "eq",
        "execute",
        "fn",
        "index",
        "lru",
        "name",
        "nparams",
        "param_names",
        "persist",
        "version",
        "wrapper",
    )

    def __init__(
        self,
        fn: Callable[..., Any],
        param_names: tuple[str, ...],
        *,
        eq: Callable[[Any, Any], bool] | None,
        lru: int | None,
        cycle_initial: Callable[..., Any] | None,
        persist: bool,
        version: str | None,
    ) -> None:
        self.fn = fn
        self.name: str = fn.__qualname__
        self.param_names = param_names
        self.nparams = len(param_names)
        self.eq = eq
        self.lru = lru
        self.cycle_initial = cycle_initial
        self.persist = persist
        self.version = version
        self.wrapper: Callable[..., Any] = fn  # replaced once generated
        self.execute: Callable[[Any, Any, Any], Any] = fn
        with _registry_lock:
            self.index = len(_INGREDIENTS)
            _INGREDIENTS.append(self)

    def args_of(self, key: Any) -> tuple[Any, ...]:
        """The arguments (after the database) of the call memoized under ``key``."""
        if self.nparams == 1:
            return (key,)
        return key  # type: ignore[no-any-return]

    def key_of(self, args: tuple[Any, ...]) -> Any:
        if self.nparams == 1:
            return args[0]
        return tuple(args)

    def describe_call(self, key: Any) -> str:
        return f"{self.name}({', '.join(map(repr, self.args_of(key)))})"

    def __repr__(self) -> str:
        return f"<query {self.name}>"


def _check_options(
    fn: Callable[..., Any],
    eq: object,
    lru: object,
    cycle_initial: object,
    persist: object,
    version: object,
) -> Callable[[Any, Any], bool] | None:
    where = f"@salsify.query on {getattr(fn, '__qualname__', fn)!r}"
    if lru is not None and (not isinstance(lru, int) or isinstance(lru, bool) or lru < 0):
        raise TypeError(f"{where}: lru must be a non-negative int or None, got {lru!r}")
    if cycle_initial is not None and not callable(cycle_initial):
        raise TypeError(f"{where}: cycle_initial must be callable, got {cycle_initial!r}")
    if not isinstance(persist, bool):
        raise TypeError(f"{where}: persist must be a bool, got {persist!r}")
    if version is not None and not isinstance(version, str):
        raise TypeError(f"{where}: version must be a str or None, got {version!r}")
    if eq is None or eq is True:
        return None  # plain ==, inlined in the backdating check
    if eq is False:
        return _never_equal
    if callable(eq):
        return eq
    raise TypeError(f"{where}: eq must be False or a callable(old, new) -> bool, got {eq!r}")


def _never_equal(old: object, new: object) -> bool:
    return False


def _parameters(fn: Callable[..., Any]) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """(database parameter, positional parameters, keyword-only parameters)."""
    where = f"@salsify.query on {fn.__qualname__!r}"
    params = list(inspect.signature(fn).parameters.values())
    if not params or params[0].kind not in (
        inspect.Parameter.POSITIONAL_ONLY,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
    ):
        raise TypeError(f"{where}: the first parameter must be the database (or self)")
    positional: list[str] = []
    keyword_only: list[str] = []
    for p in params[1:]:
        if p.name.startswith(_RESERVED_PREFIX):
            raise TypeError(
                f"{where}: parameter names starting with {_RESERVED_PREFIX!r} are reserved"
            )
        if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD:
            positional.append(p.name)
        elif p.kind is inspect.Parameter.KEYWORD_ONLY:
            keyword_only.append(p.name)
        else:
            raise TypeError(
                f"{where}: parameter {p.name!r} is {p.kind.description}; queries take "
                "plain positional-or-keyword and keyword-only parameters, so that every "
                "call has one memo key"
            )
    return params[0].name, tuple(positional), tuple(keyword_only)


_counter = itertools.count()


def _generate(ingredient: QueryIngredient, fn: Callable[..., Any]) -> None:
    """Build the wrapper (hot path) and the executor of ``ingredient`` from source.

    Code generation gives each arity a wrapper without ``*args`` packing and a body call
    without ``f(*args)``, which would recurse through C on every query level.
    """
    from salsify import execute as ex
    from salsify import fetch
    from salsify.accumulator import Accumulator, accumulated
    from salsify.cycles import iterate_again
    from salsify.eviction import lru_touch as touch_lru

    db_name, positional, keyword_only = _parameters(fn)
    names = positional + keyword_only
    if not names:
        key = "()"
        unpack = "pass"
    elif len(names) == 1:
        key = names[0]
        unpack = f"{names[0]} = _s_key"
    else:
        key = "(" + ", ".join(names) + ")"
        unpack = f"{', '.join(names)}, = _s_key"
    signature = ", ".join([db_name, *positional, *(["*", *keyword_only] if keyword_only else [])])
    call = ", ".join(["_s_db", *positional, *(f"{k}={k}" for k in keyword_only)])
    py_name = fn.__name__ if fn.__name__.isidentifier() else "_s_query"
    lru_touch = f"\n            _s_lru_touch({db_name}, _s_index, {key})" if ingredient.lru else ""
    # try/except/else: the miss path leaves the ``except`` block before calling the
    # cold path, so user exceptions are not chained to an engine KeyError (and nested
    # first executions do not build a context chain that CPython walks on every raise,
    # which made cold 10,000-query chains quadratic).
    source = f"""
def {py_name}({signature}):
    try:
        _s_memo = {db_name}._memos[_s_index][{key}]
    except Exception:
        pass
    else:
        if _s_memo.verified_at == {db_name}._hot_rev:{lru_touch}
            if {db_name}._in_query:
                _s_top = {db_name}._local.top
                if _s_top is not None:
                    _s_top.deps.append(_s_memo)
            return _s_memo.value
    return _s_fetch_cold(_s_ingredient, {db_name}, {key})

def _s_execute(_s_db, _s_key, _s_old):
    {unpack}
    _s_frame = _s_begin(_s_ingredient, _s_db, _s_key)
    try:
        if _s_db._listeners:
            _s_announce(_s_db, _s_frame)
        while True:
            _s_value = _s_fn({call})
            if _s_frame.cycle is None or not _s_iterate_again(_s_db, _s_frame, _s_value):
                break
    except BaseException:
        _s_abort(_s_db, _s_frame)
        raise
    return _s_finish(_s_db, _s_frame, _s_value, _s_old)
"""
    namespace: dict[str, Any] = {
        "_s_index": ingredient.index,
        "_s_ingredient": ingredient,
        "_s_fetch_cold": fetch.fetch_cold,
        "_s_fn": fn,
        "_s_begin": ex.begin,
        "_s_abort": ex.abort,
        "_s_finish": ex.finish,
        "_s_announce": ex.announce,
        "_s_iterate_again": iterate_again,
        "_s_lru_touch": touch_lru,
    }
    filename = f"<salsify query {fn.__qualname__} #{next(_counter)}>"
    exec(compile(source, filename, "exec"), namespace)
    wrapper = namespace[py_name]
    wrapper.__name__ = fn.__name__
    wrapper.__defaults__ = fn.__defaults__
    wrapper.__kwdefaults__ = fn.__kwdefaults__
    for attr in ("__module__", "__qualname__", "__doc__", "__annotations__"):
        setattr(wrapper, attr, getattr(fn, attr, None))
    wrapper.__dict__.update(getattr(fn, "__dict__", {}))
    wrapper.__wrapped__ = fn
    wrapper.__salsify_query__ = ingredient

    def accumulated_of(accumulator: Accumulator[Any], db: Any, *args: Any) -> list[Any]:
        return accumulated(wrapper, accumulator, db, *args)

    wrapper.accumulated = accumulated_of
    ingredient.wrapper = wrapper
    ingredient.execute = namespace["_s_execute"]


@overload
def query(fn: Callable[P, R], /) -> Callable[P, R]: ...


@overload
def query(
    *,
    eq: bool | Callable[[Any, Any], bool] | None = None,
    lru: int | None = None,
    cycle_initial: Callable[..., Any] | None = None,
    persist: bool = False,
    version: str | None = None,
) -> Callable[[Callable[P, R]], Callable[P, R]]: ...


def query(
    fn: Callable[P, R] | None = None,
    /,
    *,
    eq: bool | Callable[[Any, Any], bool] | None = None,
    lru: int | None = None,
    cycle_initial: Callable[..., Any] | None = None,
    persist: bool = False,
    version: str | None = None,
) -> Callable[P, R] | Callable[[Callable[P, R]], Callable[P, R]]:
    """Declare a query: a pure function of the database (first parameter) and its arguments.

    Options: ``eq`` (``False`` disables backdating, a callable ``eq(old, new)`` replaces
    ``==``), ``lru`` (keep at most that many values), ``cycle_initial`` (fixpoint
    iteration from this value on cycles), ``persist`` and ``version`` (persistent stores).
    """

    def decorate(f: Callable[P, R]) -> Callable[P, R]:
        if not callable(f) or not hasattr(f, "__code__"):
            raise TypeError(f"@salsify.query decorates plain functions, got {f!r}")
        _, positional, keyword_only = _parameters(f)
        eq_fn = _check_options(f, eq, lru, cycle_initial, persist, version)
        ingredient = QueryIngredient(
            f,
            positional + keyword_only,
            eq=eq_fn,
            lru=lru,
            cycle_initial=cycle_initial,
            persist=persist,
            version=version,
        )
        _generate(ingredient, f)
        return ingredient.wrapper

    if fn is not None:
        return decorate(fn)
    return decorate


def ingredient_of(query_fn: Callable[..., Any]) -> QueryIngredient:
    """The ingredient behind a decorated query, with a clear error for anything else."""
    ingredient = getattr(query_fn, "__salsify_query__", None)
    if not isinstance(ingredient, QueryIngredient):
        raise TypeError(f"{query_fn!r} is not a @salsify.query")
    return ingredient
