"""The house rules a new maintainer relies on (docs/architecture.md); import-linter checks the
layers in `make lint`."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 400
# Pure data: the seed's tables of published facts and of names the demo draws from.
DATA_TABLES = {"rdportfolio/seed/published.py", "rdportfolio/seed/catalogue.py"}
PACKAGES = ("rdportfolio", "programs", "technologies", "partners", "budgets", "tests", "benchmarks")


def python_files():
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            relative = path.relative_to(ROOT)
            if "migrations" not in relative.parts:
                yield relative


def test_no_python_file_is_over_400_lines_but_migrations_and_data_tables():
    long = {
        str(path): length
        for path in python_files()
        if str(path) not in DATA_TABLES
        and (length := len((ROOT / path).read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def test_the_data_tables_hold_only_data():
    # A table that grew functions is a module like any other and must keep to the size limit.
    for table in DATA_TABLES:
        text = (ROOT / table).read_text()
        assert "\ndef " not in text and "\nclass " not in text, table


def test_every_app_keeps_the_same_few_files():
    # Each data app: models, admin, api and its import columns, where a maintainer looks first.
    # A module grown past one file becomes a package of the same name (budgets/models/).
    def module(app, name):
        return (ROOT / app / f"{name}.py").exists() or (ROOT / app / name / "__init__.py").exists()

    for app in ("programs", "technologies", "partners", "budgets"):
        assert all(module(app, name) for name in ("models", "admin", "api", "apps")), app
    for app in ("technologies", "partners", "budgets"):
        assert module(app, "imports"), app
