"""Peak memory and time of refusing hostile import files, each read in a fresh process.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 SECRET_KEY=x python benchmarks/hostile_files.py

Prints, per file: its size, what the reader said, seconds, and the process's peak resident
memory (ru_maxrss) over its baseline. The files are those of issue 32: a few kilobytes with a
cell at XFD, a sheet reaching row 1,048,576, a million empty rows, and a CSV of 1,000,001 rows.
"""

import io
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile

import django


def _workbook(edits: dict[bytes, bytes]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["과제번호", "회계연도", "기준", "금액(원)", "국제협력"])
    book.active.append(["RS-1", 2031, "계획", 1, "N"])
    source, out = io.BytesIO(), io.BytesIO()
    book.save(source)
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            for before, after in edits.items():
                data = data.replace(before, after)
            new.writestr(item, data)
    return out.getvalue()


def files() -> dict[str, tuple[str, bytes]]:
    rows = b"".join(
        b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n) for n in range(3, 350_000)
    )
    csv = "과제번호,회계연도,기준,금액(원),국제협력\n" + "RS-1,2031,계획,1,N\n" * 1_000_001
    return {
        "a cell at XFD1048576": (
            "xlsx",
            _workbook({b'<row r="2"': b'<row r="1048576"', b'<c r="E2"': b'<c r="XFD1048576"'}),
        ),
        "a cell at XFD300": (
            "xlsx",
            _workbook({b'<row r="2"': b'<row r="300"', b'<c r="E2"': b'<c r="XFD300"'}),
        ),
        "a cell at row 1,048,576": (
            "xlsx",
            _workbook({b'<row r="2"': b'<row r="1048576"', b'<c r="A2"': b'<c r="A1048576"'}),
        ),
        "320,000 rows of 20 columns": (
            "xlsx",
            _workbook({b"</sheetData>": rows + b"</sheetData>"}),
        ),
        "a million empty rows": (
            "xlsx",
            _workbook({b"</sheetData>": b"<row/>" * 1_000_000 + b"</sheetData>"}),
        ),
        "CSV of 1,000,001 rows": ("csv", csv.encode()),
    }


def measure(name: str, file_format: str, path: str) -> None:
    from rdportfolio.core.tabular import spec_for
    from rdportfolio.core.tabular.planning import _raw_rows
    from rdportfolio.core.tabular.reading import FileRefused

    with open(path, "rb") as file:
        content = file.read()
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    try:
        # What the check does first: every row read into cells, before any is converted.
        said = f"read {len(_raw_rows(spec_for('budget_lines'), content, file_format))} rows"
    except FileRefused as refused:
        said = f"refused: {str(refused)[:60]}"
    seconds = time.perf_counter() - started
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - baseline) / 1024
    print(f"{name:28} {len(content) / 2**20:6.2f} MB  {seconds:6.2f} s  +{grown:7.1f} MB  {said}")


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rdportfolio.settings")
    django.setup()
    if len(sys.argv) > 1:
        measure(*sys.argv[1:])
    else:
        with tempfile.TemporaryDirectory() as folder:
            for number, (name, (file_format, content)) in enumerate(files().items()):
                path = os.path.join(folder, str(number))
                with open(path, "wb") as file:
                    file.write(content)
                command = [sys.executable, __file__, name, file_format, path]
                if subprocess.run(command, check=False).returncode:  # noqa: S603 - our own
                    print(f"{name:28} the reading process died")
