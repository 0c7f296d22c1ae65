"""The import rule (docs/architecture.md, "Layers"): the domain imports no blueprint,
and blueprints import the domain, never each other."""
import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "adminapp"
BLUEPRINTS = ("adminapp.auth", "adminapp.public", "adminapp.admin", "adminapp.api")
DOMAIN = ("adminapp.db", "adminapp.models", "adminapp.moderation", "adminapp.passwords",
          "adminapp.search",
          "adminapp.vocabulary", "adminapp.formatting", "adminapp.pagination",
          "adminapp.seed")


def module_name(path):
    """adminapp/seed/people.py -> adminapp.seed.people; a package's __init__ -> the package."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path):
    """The absolute names of the modules `path` imports (relative imports resolved)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[:len(package.split(".")) - (node.level - 1)] \
                if node.level else []
            stem = ".".join(base + ([node.module] if node.module else []))
            found.add(stem)
            found.update(f"{stem}.{alias.name}" for alias in node.names)
    return found


def within(name, prefixes):
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def modules(prefixes):
    return [p for p in sorted(PACKAGE.rglob("*.py")) if within(module_name(p), prefixes)]


def test_the_scanner_sees_imports():
    """The rule below is only as good as the import scanner: check it on known files."""
    assert "adminapp.models" in imports_of(PACKAGE / "moderation.py")
    assert "adminapp.models.User" in imports_of(PACKAGE / "auth" / "__init__.py")
    assert modules(DOMAIN) and modules(BLUEPRINTS)


@pytest.mark.parametrize("path", modules(DOMAIN), ids=module_name)
def test_domain_modules_import_no_blueprint(path):
    bad = sorted(name for name in imports_of(path) if within(name, BLUEPRINTS))
    assert not bad, f"{module_name(path)} imports a blueprint: {bad}"


@pytest.mark.parametrize("path", modules(BLUEPRINTS), ids=module_name)
def test_blueprints_import_no_other_blueprint(path):
    own = next(b for b in BLUEPRINTS if within(module_name(path), (b,)))
    others = [b for b in BLUEPRINTS if b != own]
    bad = sorted(name for name in imports_of(path) if within(name, others))
    assert not bad, f"{module_name(path)} imports another blueprint: {bad}"
