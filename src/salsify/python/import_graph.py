"""Import cycles: strongly connected groups of a directed graph, one concrete cycle each."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import TypeVar

Node = TypeVar("Node", bound=Hashable)


def strongly_connected_groups(graph: Mapping[Node, Sequence[Node]]) -> list[list[Node]]:
    """Tarjan's algorithm, iterative (import graphs can be deep)."""
    index: dict[Node, int] = {}
    lowlink: dict[Node, int] = {}
    on_stack: set[Node] = set()
    stack: list[Node] = []
    groups: list[list[Node]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work: list[tuple[Node, int]] = [(root, 0)]
        while work:
            node, next_edge = work.pop()
            if next_edge == 0:
                index[node] = lowlink[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            successors = graph.get(node, ())
            for position in range(next_edge, len(successors)):
                successor = successors[position]
                if successor not in index:
                    work.append((node, position + 1))
                    work.append((successor, 0))
                    break
                if successor in on_stack:
                    lowlink[node] = min(lowlink[node], index[successor])
            else:
                if lowlink[node] == index[node]:
                    group: list[Node] = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    groups.append(group)
                if work:
                    parent = work[-1][0]
                    lowlink[parent] = min(lowlink[parent], lowlink[node])
    return groups


def shortest_cycle_through(
    start: Node, graph: Mapping[Node, Sequence[Node]], members: set[Node]
) -> tuple[Node, ...]:
    """The shortest cycle from `start` back to itself inside `members` (breadth first)."""
    previous: dict[Node, Node] = {}
    queue: deque[Node] = deque([start])
    while queue:
        node = queue.popleft()
        for successor in graph.get(node, ()):
            if successor not in members:
                continue
            if successor == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return tuple(reversed(path))
            if successor not in previous:
                previous[successor] = node
                queue.append(successor)
    return (start,)


def strongly_connected_cycles(
    graph: Mapping[Node, Sequence[Node]], key: Callable[[Node], str]
) -> tuple[tuple[Node, ...], ...]:
    """One cycle per group of two or more nodes, starting at the group's smallest node."""
    cycles: list[tuple[Node, ...]] = []
    for group in strongly_connected_groups(graph):
        if len(group) < 2:
            continue
        start = min(group, key=key)
        cycles.append(shortest_cycle_through(start, graph, set(group)))
    return tuple(sorted(cycles, key=lambda cycle: key(cycle[0])))
