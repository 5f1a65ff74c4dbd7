"""The code's layers: every app builds on crm, the apps above the customer core build on it, and
no module imports, at its top or inside a function, a module that imports it back."""

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (
    "crm",
    "customers",
    "risk",
    "satisfaction",
    "work",
    "home",
    "privacy",
    "messaging",
    "statements",
    "portal",
    "retention",
)
# The project's wiring sees every app: settings, URLs, the Celery app and the demo data.
WIRING = ("crm.settings", "crm.urls", "crm.celery", "crm.demo", "crm.management")
APPS = (
    "customers.identity",
    "customers.partners",
    "customers",
    "risk",
    "satisfaction",
    "work",
    "home",
    "privacy",
    "messaging",
    "statements",
    "portal",
    "retention",
    "crm",
)
MAY_IMPORT = {
    "crm": {"crm"},
    "customers": {"crm", "customers"},
    "customers.identity": {"crm", "customers", "customers.identity"},
    "customers.partners": {"crm", "customers", "customers.partners"},
    # A survey follow-up is a task on its owner's work list.
    "satisfaction": {"crm", "customers", "work", "satisfaction"},
    # Risk reads satisfaction's answers (NPS feeds churn and influence) and the identity keys
    # that customers share (fraud rings share phones, e-mails and addresses); a drift alert is
    # a work notification to the analysts.
    "risk": {"crm", "customers", "customers.identity", "risk", "satisfaction", "work"},
    "work": {"crm", "customers", "work"},
    # The home page reads the apps beneath it through their selectors; nothing imports it.
    "home": {
        "crm",
        "customers",
        "customers.identity",
        "customers.partners",
        "risk",
        "satisfaction",
        "privacy",
        "home",
    },
    # Data rights reach every table that holds something about a person; only the home page
    # reads them (what waits for approval).
    "privacy": {
        "crm",
        "customers",
        "customers.identity",
        "customers.partners",
        "risk",
        "satisfaction",
        "work",
        "privacy",
    },
    # Lifecycle messages follow the customer's lifecycle; statements go out as messages.
    "messaging": {"crm", "customers", "messaging"},
    "statements": {"crm", "customers", "messaging", "statements"},
    # The customer's own door onto what the apps beneath it hold and do; nothing imports it.
    "portal": {
        "crm",
        "customers",
        "customers.identity",
        "satisfaction",
        "work",
        "privacy",
        "messaging",
        "statements",
        "portal",
    },
    # Campaigns start from the lists of customers (customers.bulk) and draw their save rates
    # with the shared chart geometry (crm.charts).
    "retention": {"crm", "customers", "retention"},
}


def _modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts:
                continue
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            modules[name] = path
    return modules


MODULES = _modules()


def _imports(name: str) -> set[str]:
    """Every module of ours ``name`` imports, wherever the import statement stands."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        for target in targets:
            while target and target not in MODULES and "." in target:
                target = target.rpartition(".")[0]
            if target in MODULES and target != name:
                found.add(target)
    return found


GRAPH = {name: _imports(name) for name in MODULES}


def _app(module: str) -> str:
    return next(app for app in APPS if module == app or module.startswith(app + "."))


def test_no_module_imports_a_module_that_imports_it_back():
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in GRAPH[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while not component or component[-1] != module:
                component.append(stack.pop())
                on_stack.discard(component[-1])
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(GRAPH):
        if module not in index:
            visit(module)
    assert cycles == []


@pytest.mark.parametrize("app", sorted(MAY_IMPORT))
def test_an_app_imports_only_the_apps_beneath_it(app):
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if _app(module) == app and not module.startswith(WIRING)
        for target in targets
        if _app(target) not in MAY_IMPORT[app]
    )
    assert wrong == []


def test_every_name_the_benchmarks_import_from_the_product_exists():
    """The benchmarks import inside functions, so a moved name would only fail when one runs."""
    missing = []
    for path in sorted((ROOT / "bench").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ImportFrom) or not node.module:
                continue
            if node.module.split(".")[0] not in PACKAGES:
                continue
            module = importlib.import_module(node.module)
            missing += [
                f"{path.name}: {node.module}.{alias.name}"
                for alias in node.names
                if not hasattr(module, alias.name) and not _is_module(f"{node.module}.{alias.name}")
            ]
    assert missing == []


def _is_module(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True
