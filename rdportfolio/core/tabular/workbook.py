"""Several kinds of rows in one Excel workbook: a sheet for each kind.

A sheet is named after its kind, by key or by label in either language ("collaborations",
"국제협력 참여", "Collaborations"). The sheets are checked and written in the order the kinds
are registered (the apps' order: institutions before the collaborations that name them,
collaborations before the budget lines that pay for them), so that each sheet finds what the
sheets before it hold. A sheet with no rows below its headers is left out; a sheet with
another name refuses the file, naming it.
"""

from django.utils.translation import gettext as _
from django.utils.translation import override

from .. import exports
from .reading import file_error, sheet_names
from .specs import all_specs, normalise_header

WORKBOOK = "workbook"


def _names_of_kinds() -> dict[str, str]:
    names = {}
    for kind, spec in all_specs().items():
        for language in ("ko", "en"):
            with override(language):
                names[normalise_header(str(spec.label))] = kind
        names[normalise_header(kind)] = kind
    return names


def workbook_sheets(content: bytes) -> list[tuple[str, str]]:
    """(sheet, kind) of each sheet with rows, in the order the kinds are written; refuses a
    workbook with a sheet named after no kind, or two sheets of one kind, or none with rows."""
    known = _names_of_kinds()
    order = list(all_specs())
    seen: dict[str, str]  # kind: the sheet that holds it
    sheets, unknown, seen = [], [], {}
    for name, has_rows in sheet_names(content).items():
        kind = known.get(normalise_header(name))
        if kind is None:
            unknown.append(name)
        elif kind in seen:
            raise file_error(
                _("The sheets “%(first)s” and “%(second)s” hold the same kind of rows.")
                % {"first": seen[kind], "second": name}
            )
        else:
            seen[kind] = name
            if has_rows:
                sheets.append((name, kind))
    if unknown:
        raise file_error(
            _(
                "A workbook's sheets are named after what they hold; these are not: %(sheets)s. "
                "Use the names of the workbook template (%(names)s)."
            )
            % {
                "sheets": ", ".join(f"“{name}”" for name in unknown),
                "names": ", ".join(order),
            }
        )
    if not sheets:
        raise file_error(_("No sheet of the workbook has rows below its headers."))
    return sorted(sheets, key=lambda sheet: order.index(sheet[1]))


def is_workbook(content: bytes) -> bool:
    """Whether an Excel file holds more than one sheet named after a kind (a workbook to
    import sheet by sheet, rather than one kind's file with notes beside it)."""
    try:
        names = sheet_names(content)
    except Exception:  # noqa: BLE001 - unreadable: the check says why
        return False
    known = _names_of_kinds()
    return sum(normalise_header(name) in known for name in names) > 1


def workbook_template(kinds: list[str]) -> bytes:
    """An empty workbook with a sheet of Korean headers for each of ``kinds``."""
    specs = all_specs()
    return exports.xlsx_bytes(
        [(kind, [c.header_ko for c in specs[kind].columns], []) for kind in kinds]
    )
