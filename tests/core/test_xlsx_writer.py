"""The workbook writer every Excel export goes through, read back by openpyxl and calamine
(the importer's reader) and by pandas."""

import io
import zipfile

import pandas as pd
import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from rdportfolio.core import xlsx_writer
from rdportfolio.core.xlsx_writer import TooManyRows, column_letters, xlsx_write

HEADERS = ["id", "name", "amount_won", "international", "share", "note"]
ROWS = [
    [1, "MIT", 148_700_000_000, True, 0.5, None],
    [2, '=HYPERLINK("http://x")', 2**53 + 1, False, 1.25, ""],
    [3, "Bell\x07 Labs\x01", -5, None, None, 'AT&T <Labs> "q"'],
    [4, "  spaces kept  ", 0, True, float("nan"), "_x0041_ stays literal"],
    [5, "한국전자통신연구원", 9_007_199_254_740_991, False, 3.0, "line\nbreak\ttab"],
]


def _write(sheets) -> bytes:
    buffer = io.BytesIO()
    xlsx_write(sheets, buffer)
    return buffer.getvalue()


def test_cells_read_back_as_written_by_calamine_and_openpyxl():
    content = _write([("data", HEADERS, ROWS)])
    # calamine, the importer's reader, gives every text back exactly: Excel's escapes of
    # control characters (_x0007_) and of a literal "_x0041_" undone, as Excel undoes them.
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name("data")
    assert sheet.to_python() == [
        HEADERS,
        [1, "MIT", 148_700_000_000, True, 0.5, ""],
        # Text that looks like a formula stays text; a whole number past 2**53 is text,
        # every won of it kept.
        [2, '=HYPERLINK("http://x")', str(2**53 + 1), False, 1.25, ""],
        [3, "Bell\x07 Labs\x01", -5, "", "", 'AT&T <Labs> "q"'],
        [4, "  spaces kept  ", 0, True, "nan", "_x0041_ stays literal"],
        [5, "한국전자통신연구원", 9_007_199_254_740_991, False, 3, "line\nbreak\ttab"],
    ]
    # openpyxl reads the same cells and types; it leaves Excel's escapes as they are written.
    by_openpyxl = list(load_workbook(io.BytesIO(content))["data"].iter_rows(values_only=True))
    assert by_openpyxl[1] == (1, "MIT", 148_700_000_000, True, 0.5, None)
    assert by_openpyxl[3][:3] == (3, "Bell_x0007_ Labs_x0001_", -5)
    assert by_openpyxl[4][5] == "_x005F_x0041_ stays literal"


def test_pandas_reads_every_row_with_the_headers():
    rows = [[i, f"P-{i:05d}", i * 1000] for i in range(3000)]
    content = _write([("data", ["id", "code", "won"], rows)])
    frame = pd.read_excel(io.BytesIO(content), engine="openpyxl")
    assert list(frame.columns) == ["id", "code", "won"]
    assert len(frame) == 3000 and frame["won"].sum() == sum(i * 1000 for i in range(3000))
    assert frame.iloc[2999].tolist() == [2999, "P-02999", 2_999_000]


def test_several_sheets_keep_their_names_and_order():
    content = _write(
        [
            ("data", ["a"], [[1]]),
            ('R&D "notes"', ["b", "c"], [["x", "y"]]),
        ]
    )
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["data", 'R&D "notes"']
    assert list(workbook['R&D "notes"'].iter_rows(values_only=True)) == [("b", "c"), ("x", "y")]
    # The package's description comes first in the zip, where tools that sniff a file look.
    assert zipfile.ZipFile(io.BytesIO(content)).namelist()[0] == "[Content_Types].xml"


def test_columns_past_z_and_rows_wider_than_the_header():
    headers = [f"h{i}" for i in range(30)]
    rows = [list(range(30)), [*range(30), "extra"]]
    sheet = load_workbook(io.BytesIO(_write([("data", headers, rows)])))["data"]
    assert (
        sheet["AD1"].value == "h29" and sheet["AD3"].value == 29 and sheet["AE3"].value == "extra"
    )
    assert [column_letters(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]


def test_a_cell_longer_than_excel_holds_is_cut_at_its_limit():
    content = _write([("data", ["text"], [["x" * 40_000]])])
    value = load_workbook(io.BytesIO(content))["data"]["A2"].value
    assert value == "x" * xlsx_writer.MAX_CELL_CHARS


def test_more_rows_than_a_sheet_holds_is_refused_not_cut(monkeypatch):
    monkeypatch.setattr(xlsx_writer, "MAX_ROWS", 4)
    _write([("data", ["n"], [[1], [2], [3]])])  # three rows under the header: it fits
    with pytest.raises(TooManyRows, match="at most 3 rows"):
        _write([("data", ["n"], [[1], [2], [3], [4]])])


def test_rows_are_read_as_they_are_written(monkeypatch):
    # Written in chunks as the rows come, not gathered first: a million lines do not sit in
    # memory.
    monkeypatch.setattr(xlsx_writer, "CHUNK_ROWS", 10)
    taken = []

    def rows():
        for i in range(25):
            taken.append(i)
            yield [i]

    chunks = xlsx_writer._sheet_rows(["n"], rows())
    assert next(chunks).count("<row ") == 10 and len(taken) == 9  # the header and 9 rows
    assert sum(chunk.count("<row ") for chunk in chunks) == 16 and len(taken) == 25
