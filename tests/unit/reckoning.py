"""Where code reckons from the day it is asked about, read from its syntax tree.

A rule reckons from the day asked when, inside one function (nested functions and lambdas
included), it

1. adds to or subtracts from the day asked (``day - t.on``, ``as_of + timedelta(...)``), or
   passes it to the calendar arithmetic of `pathway.dates` (``add_months(day, 6)``);
2. compares the day asked with a date moved by a span: ``day <= f + timedelta(days=window)``,
   also through a local name (``deadline = ...; day > deadline``), a span kept in a name
   (``revaccinate = timedelta(...); shot.on + revaccinate <= as_of``), ``min``/``max`` of such
   dates, or a function or property of the pathway that returns one;
3. takes the day asked apart (``day.year``, ``day.replace(...)``, ``day.toordinal()``).

"The day asked" is any parameter annotated ``date`` (whatever its name: a helper may be
handed the day asked as ``on``) or named ``day``, ``as_of``, ``until`` or ``today``, and a
local name bound to one (``cutoff = max(day, enrolled)``). So it also finds a rule that counts
a task's due date from a day that may be the day asked; the module declares such a rule in
`TASK_DATES`, as the evaluation lists the task's dates.

What it cannot see: a moved date or the day asked that reaches the comparison through a
container, an attribute of an object (``self.deadline``, unless a property of the pathway
computes it), a parameter of another function that neither is annotated ``date`` nor has one
of those names, or code outside the module's functions and methods; a span that is not a
`timedelta`, e.g. ordinals, or a number of days (``.days``) compared in a function that never
names the day asked. Those rare shapes are left to the day-by-day replay
(`tests/integration/test_quiet_horizon.py`), which sees every window its courses exercise.
"""

import ast
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

SHIFTERS = frozenset({"add_days", "add_months"})
COUNTERS = frozenset({"days_between"})
DAY_NAMES = frozenset({"day", "as_of", "until", "today"})
DAY_PARTS = frozenset(
    {"replace", "toordinal", "year", "month", "day", "weekday", "isoweekday", "isocalendar"}
)
_DATE = re.compile(r"\bdate\b")

Function = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True)
class Reckoning:
    module: str
    rule: str
    """The module-level function or the method (``Class.method``) it happens in."""
    line: int
    code: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line} {self.rule}: {self.code}"


def rules(tree: ast.Module) -> Iterator[tuple[str, Function]]:
    """Module-level functions and the methods of module-level classes, by qualified name."""
    for node in tree.body:
        if isinstance(node, Function):
            yield node.name, node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, Function):
                    yield f"{node.name}.{item.name}", item


def _called(node: ast.AST) -> str | None:
    if not isinstance(node, ast.Call):
        return None
    if isinstance(node.func, ast.Name):
        return node.func.id
    return node.func.attr if isinstance(node.func, ast.Attribute) else None


def _own(function: Function) -> Iterator[ast.AST]:
    """The nodes of ``function``, not those of the functions and lambdas inside it."""
    todo: list[ast.AST] = list(function.body)
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, Function | ast.Lambda | ast.ClassDef):
            todo += ast.iter_child_nodes(node)


def _assigned(scope: ast.AST) -> Iterator[tuple[str, ast.expr]]:
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    yield target.id, node.value
        elif (
            isinstance(node, ast.AnnAssign | ast.NamedExpr)
            and isinstance(node.target, ast.Name)
            and node.value is not None
        ):
            yield node.target.id, node.value


class Reader:
    """Reads one function, knowing the module's span names and the pathway's functions that
    return a moved date (``shifting``)."""

    def __init__(self, scope: ast.AST, spans: set[str], shifting: set[str]) -> None:
        self.shifting = set(shifting)
        self.days = {
            a.arg
            for node in ast.walk(scope)
            if isinstance(node, Function | ast.Lambda)
            for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)
            if a.arg in DAY_NAMES
            or (a.annotation is not None and _DATE.search(ast.unparse(a.annotation)))
        }
        self.spans, self.moved = set(spans), set[str]()
        nested = [n for n in ast.walk(scope) if isinstance(n, Function) and n is not scope]
        known = -1
        while known != self._known():
            known = self._known()
            for name, value in _assigned(scope):  # names bound to such names ...
                if self.is_span(value):
                    self.spans.add(name)
                    continue
                if self.is_moved(value):
                    self.moved.add(name)
                if self.is_day(value):
                    self.days.add(name)
            self.shifting |= {f.name for f in nested if self.returns_moved(f)}

    def _known(self) -> int:
        return len(self.spans) + len(self.moved) + len(self.days) + len(self.shifting)

    def is_span(self, e: ast.AST) -> bool:
        if _called(e) == "timedelta" or (isinstance(e, ast.Name) and e.id in self.spans):
            return True
        if isinstance(e, ast.UnaryOp):
            return self.is_span(e.operand)
        return (
            isinstance(e, ast.BinOp)
            and isinstance(e.op, ast.Mult | ast.FloorDiv)
            and (self.is_span(e.left) or self.is_span(e.right))
        )

    def is_moved(self, e: ast.AST) -> bool:
        """A date moved by a span (or a sum of spans, which no date compares with)."""
        if isinstance(e, ast.BinOp) and isinstance(e.op, ast.Add | ast.Sub):
            return self.is_span(e.left) or self.is_span(e.right)
        if _called(e) in SHIFTERS | self.shifting:
            return True
        if isinstance(e, ast.Name):
            return e.id in self.moved
        if isinstance(e, ast.Attribute):
            return e.attr in self.shifting
        return self._either(e, self.is_moved)

    def returns_moved(self, function: Function) -> bool:
        returns = (r.value for r in _own(function) if isinstance(r, ast.Return))
        return any(value is not None and self.is_moved(value) for value in returns)

    def is_day(self, e: ast.AST) -> bool:
        if isinstance(e, ast.Name):
            return e.id in self.days
        return self._either(e, self.is_day)

    def _either(self, e: ast.AST, test: Callable[[ast.AST], bool]) -> bool:
        if _called(e) in {"min", "max"} and isinstance(e, ast.Call):
            return any(test(a) for a in e.args)
        if isinstance(e, ast.IfExp):
            return test(e.body) or test(e.orelse)
        return False

    def reckons(self, node: ast.AST) -> bool:
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
            return self.is_day(node.left) or self.is_day(node.right)
        if isinstance(node, ast.Call) and _called(node) in SHIFTERS | COUNTERS | self.shifting:
            return any(self.is_day(a) for a in (*node.args, *(k.value for k in node.keywords)))
        if isinstance(node, ast.Attribute) and node.attr in DAY_PARTS:
            return self.is_day(node.value)
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            return any(map(self.is_day, sides)) and any(map(self.is_moved, sides))
        return False


def _module_level(tree: ast.Module) -> Iterator[tuple[str, ast.expr]]:
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            yield from _assigned(node)


def module_spans(tree: ast.Module) -> set[str]:
    """Module-level names bound to a span (``_GRACE = timedelta(days=3)``)."""
    reader = Reader(ast.Module(body=[], type_ignores=[]), set(), set())
    return {name for name, value in _module_level(tree) if reader.is_span(value)}


def shifting_functions(trees: Iterable[ast.Module]) -> set[str]:
    """Names of the module-level functions and methods (properties too) that return a moved
    date."""
    trees = list(trees)
    found: set[str] = set()
    known = -1
    while known != len(found):  # a function returning another's moved date ...
        known = len(found)
        for module in trees:
            spans = module_spans(module)
            for _, function in rules(module):
                if Reader(function, spans, found).returns_moved(function):
                    found.add(function.name)
    return found


def reckonings(module: str, tree: ast.Module, shifting: set[str]) -> Iterator[Reckoning]:
    spans = module_spans(tree)
    for rule, function in rules(tree):
        reader = Reader(function, spans, shifting)
        for node in ast.walk(function):
            if reader.reckons(node):
                yield Reckoning(module, rule, getattr(node, "lineno", 0), ast.unparse(node))


def does_date_arithmetic(tree: ast.Module) -> bool:
    """Spans, calendar arithmetic or a count of days anywhere in the module."""
    for node in ast.walk(tree):
        if _called(node) in {"timedelta"} | SHIFTERS | COUNTERS:
            return True
        if isinstance(node, ast.Attribute) and node.attr == "days":
            return True
    return False


def declares(tree: ast.Module, name: str) -> bool:
    """A module-level assignment to ``name``."""
    return any(target == name for target, _ in _module_level(tree))
