"""Excel and CSV in and out for technologies, projects, institutions and budget lines.

One spec per kind names its columns (Korean headers, as in the downloadable
template; English headers are accepted too) and turns a row into a model's
field values, or into errors that name the row and the column. The importer
reads the whole file and checks every row before it writes anything; then it
writes all rows in one transaction with bulk inserts and updates that also
write the audit history. Rows whose natural key exists are updated when they
differ and left alone when equal, so importing the same file twice adds
nothing. The KPI is recomputed once per import, never per row.
"""

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import translation
from django.utils.translation import gettext as _
from django_countries import countries

from partners.models import (
    Collaboration,
    CollaborationRole,
    Institution,
    InstitutionKind,
    collaborations_without_implementation_right,
)
from programs.models import Program, Track
from technologies.models import (
    DevelopmentPhase,
    Field,
    Project,
    ProjectStatus,
    Technology,
    TechnologyStatus,
)

from .models import Basis, BudgetLine

MAX_WON = 2**63 - 1
MAX_ERRORS = 1000
# Excel keeps numbers as doubles: above 2^53 a cell cannot hold every whole won exactly.
EXACT_FLOAT_LIMIT = 2**53


class FileRefused(Exception):
    """The file as a whole cannot be read (format, encoding, headers)."""

    def __init__(self, errors: list[dict]):
        super().__init__(errors[0]["message"] if errors else "refused")
        self.errors = errors


@dataclass(frozen=True)
class Column:
    name: str  # the model field or the spec's own key
    header_ko: str
    header_en: str
    required: bool = False
    help_ko: str = ""


class RowErrors(Exception):
    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__(errors)
        self.errors = errors  # (column header, message)


# --- cell conversion --------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _whole_number(value, *, what: str) -> int:
    if isinstance(value, bool):
        raise ValueError(_("“%(value)s” is not %(what)s.") % {"value": value, "what": what})
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(
                _("“%(value)s” is not %(what)s (no decimals).") % {"value": value, "what": what}
            )
        if abs(value) >= EXACT_FLOAT_LIMIT:
            raise ValueError(
                _(
                    "%(value)s is too large for an Excel number to be exact; "
                    "format the cell as text."
                )
                % {"value": f"{value:.0f}"}
            )
        return int(value)
    text = _text(value).replace(",", "").replace(" ", "")
    if not re.fullmatch(r"[+-]?\d+", text or "x"):
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or number != number.to_integral_value():
            raise ValueError(
                _("“%(value)s” is not %(what)s.") % {"value": _text(value), "what": what}
            )
        return int(number)
    return int(text)


def _won(value) -> int:
    amount = _whole_number(value, what=_("a whole number of won"))
    if amount < 0:
        raise ValueError(_("The amount cannot be negative (%(value)s).") % {"value": amount})
    if amount > MAX_WON:
        raise ValueError(_("The amount is too large."))
    return amount


def _year(value) -> int:
    year = _whole_number(value, what=_("a year"))
    if not 1990 <= year <= 2100:
        raise ValueError(_("The year must be between 1990 and 2100 (%(value)s).") % {"value": year})
    return year


def _choice(value, choices, *, default=None) -> str:
    text = _text(value)
    if not text:
        if default is None:
            raise ValueError(_("This column is required."))
        return default
    lowered = text.casefold()
    for code, label in choices:
        if lowered in (code.casefold(), str(label).casefold()):
            return code
    # Korean and English labels both count, whatever the reader's language.
    for language in ("ko", "en"):
        with translation.override(language):
            for code, label in choices:
                if lowered == str(label).casefold():
                    return code
    allowed = ", ".join(code for code, _label in choices)
    raise ValueError(
        _("“%(value)s” is not one of: %(allowed)s.") % {"value": text, "allowed": allowed}
    )


TRUE_WORDS = {"y", "yes", "true", "1", "o", "예", "네"}
FALSE_WORDS = {"n", "no", "false", "0", "x", "아니오", "아니요"}


def _bool(value, *, default=None) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).casefold()
    if not text:
        if default is None:
            raise ValueError(_("This column is required."))
        return default
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(_("“%(value)s” is not Y or N.") % {"value": _text(value)})


def _required_text(value, *, max_length: int) -> str:
    text = _text(value)
    if not text:
        raise ValueError(_("This column is required."))
    return _optional_text(text, max_length=max_length)


def _optional_text(value, *, max_length: int) -> str:
    text = _text(value)
    if len(text) > max_length:
        raise ValueError(
            _("At most %(max)s characters (this has %(length)s).")
            % {"max": max_length, "length": len(text)}
        )
    return text


# --- specs ------------------------------------------------------------------------------------


@dataclass
class Context:
    """What every row may look up, read once per import (a few queries, not one per row)."""

    lookups: dict = field(default_factory=dict)


@dataclass
class Spec:
    kind: str
    model: type
    columns: list[Column]
    key: Callable[[dict], tuple]
    compare_fields: list[str]
    load: Callable[[list[dict]], Context]
    convert: Callable[[dict, Context], dict]
    existing: Callable[[list[dict], Context], dict]

    def header_map(self) -> dict[str, Column]:
        names = {}
        for column in self.columns:
            for header in (column.header_ko, column.header_en, column.name):
                names[_normalise(header)] = column
        return names


def _normalise(header) -> str:
    return re.sub(r"[\s*]", "", _text(header)).casefold()


def _cell_errors(row: dict, converters: dict[str, Callable], columns: dict[str, Column]):
    values, errors = {}, []
    for name, convert in converters.items():
        try:
            values[name] = convert(row.get(name))
        except ValueError as exc:
            errors.append((columns[name].header_ko, str(exc)))
    return values, errors


# Technologies


TECHNOLOGY_COLUMNS = [
    Column("code", "코드", "code", True, "LF-001"),
    Column("track", "트랙", "track", True, "초격차 / 산업 기반 / 게임체인저 / 기존 국제공동연구"),
    Column("field", "분야", "field", True, "분야 코드 또는 국문명"),
    Column("name_ko", "국문명", "Korean name", True),
    Column("name_en", "영문명", "English name", True),
    Column("status", "상태", "status", False, "후보 / 선정 / 진행 중 / 사업화 완료 / 중단"),
    Column("target_commercialisation_year", "목표 사업화 연도", "target commercialisation year"),
    Column("value_chain_rationale", "가치사슬 근거", "value-chain rationale"),
]


def _technology_load(rows):
    fields = {}
    for f in Field.objects.all():
        for name in (f.code, f.name_ko, f.name_en):
            fields[name.casefold()] = f.pk
    return Context({"programs": dict(Program.objects.values_list("track", "pk")), "fields": fields})


def _technology_convert(row, ctx):
    columns = {c.name: c for c in TECHNOLOGY_COLUMNS}
    values, errors = _cell_errors(
        row,
        {
            "code": lambda v: _required_text(v, max_length=20),
            "track": lambda v: _choice(v, Track.choices),
            "name_ko": lambda v: _required_text(v, max_length=300),
            "name_en": lambda v: _required_text(v, max_length=300),
            "status": lambda v: _choice(v, TechnologyStatus.choices, default="candidate"),
            "target_commercialisation_year": lambda v: _year(v) if _text(v) else None,
            "value_chain_rationale": lambda v: _optional_text(v, max_length=10_000),
        },
        columns,
    )
    field_name = _text(row.get("field"))
    field_id = ctx.lookups["fields"].get(field_name.casefold())
    if field_id is None:
        errors.append(
            ("분야", _("Unknown field “%(value)s”.") % {"value": field_name})
            if field_name
            else ("분야", _("This column is required."))
        )
    program_id = ctx.lookups["programs"].get(values.get("track"))
    if "track" in values and program_id is None:
        errors.append(("트랙", _("No programme exists for this track yet.")))
    if errors:
        raise RowErrors(errors)
    values["field_id"] = field_id
    values["program_id"] = program_id
    del values["track"]
    return values


def _technology_existing(rows, ctx):
    codes = [r["code"] for r in rows]
    return {(t.code,): t for t in Technology.objects.filter(code__in=codes)}


# Projects


PROJECT_COLUMNS = [
    Column("project_number", "과제번호", "project number", True, "RS-2024-00123456"),
    Column("technology", "기술 코드", "technology code", True, "LF-001"),
    Column("title_ko", "국문 과제명", "Korean title", True),
    Column("title_en", "영문 과제명", "English title"),
    Column("lead_organisation", "주관기관", "lead organisation", True),
    Column(
        "development_phase",
        "연구 단계",
        "development phase",
        False,
        "기초연구 / 응용연구 / 개발연구",
    ),
    Column("start_year", "시작 연도", "start year", True),
    Column("end_year", "종료 연도", "end year", True),
    Column("status", "상태", "status", False, "계획 / 진행 중 / 완료 / 중단"),
]


def _project_load(rows):
    codes = {_text(r.get("technology")) for r in rows}
    return Context(
        {"technologies": dict(Technology.objects.filter(code__in=codes).values_list("code", "pk"))}
    )


def _project_convert(row, ctx):
    columns = {c.name: c for c in PROJECT_COLUMNS}
    values, errors = _cell_errors(
        row,
        {
            "project_number": lambda v: _required_text(v, max_length=30),
            "title_ko": lambda v: _required_text(v, max_length=300),
            "title_en": lambda v: _optional_text(v, max_length=300),
            "lead_organisation": lambda v: _required_text(v, max_length=200),
            "development_phase": lambda v: _choice(
                v, DevelopmentPhase.choices, default=DevelopmentPhase.APPLIED
            ),
            "start_year": _year,
            "end_year": _year,
            "status": lambda v: _choice(v, ProjectStatus.choices, default=ProjectStatus.PLANNED),
        },
        columns,
    )
    code = _text(row.get("technology"))
    technology_id = ctx.lookups["technologies"].get(code)
    if technology_id is None:
        errors.append(
            ("기술 코드", _("Unknown technology “%(value)s”.") % {"value": code})
            if code
            else ("기술 코드", _("This column is required."))
        )
    if (
        "start_year" in values
        and "end_year" in values
        and values["end_year"] < values["start_year"]
    ):
        errors.append(("종료 연도", _("The end year is before the start year.")))
    if errors:
        raise RowErrors(errors)
    values["technology_id"] = technology_id
    return values


def _project_existing(rows, ctx):
    numbers = [r["project_number"] for r in rows]
    return {(p.project_number,): p for p in Project.objects.filter(project_number__in=numbers)}


# Institutions


INSTITUTION_COLUMNS = [
    Column("name", "기관명", "name", True, "Massachusetts Institute of Technology"),
    Column("country", "국가", "country", True, "US (ISO 3166-1)"),
    Column("kind", "유형", "kind", True, "대학 / 연구기관 / 기업 / 기타"),
    Column("name_ko", "국문 기관명", "Korean name"),
    Column("city", "도시", "city"),
    Column("website", "웹사이트", "website"),
]


def _country(value) -> str:
    text = _text(value)
    if not text:
        raise ValueError(_("This column is required."))
    if text.upper() in dict(countries):
        return text.upper()
    code = countries.by_name(text)
    if not code:
        raise ValueError(
            _("Unknown country “%(value)s”: use the ISO code, e.g. US.") % {"value": text}
        )
    return code


def _website(value) -> str:
    text = _optional_text(value, max_length=200)
    if text and "://" not in text:
        text = f"https://{text}"  # staff write "www.mit.edu", as the admin form accepts
    if text:
        try:
            URLValidator()(text)
        except ValidationError as exc:
            raise ValueError(_("“%(value)s” is not a web address.") % {"value": text}) from exc
    return text


def _institution_convert(row, ctx):
    columns = {c.name: c for c in INSTITUTION_COLUMNS}
    values, errors = _cell_errors(
        row,
        {
            "name": lambda v: _required_text(v, max_length=200),
            "country": _country,
            "kind": lambda v: _choice(v, InstitutionKind.choices),
            "name_ko": lambda v: _optional_text(v, max_length=200),
            "city": lambda v: _optional_text(v, max_length=100),
            "website": _website,
        },
        columns,
    )
    if errors:
        raise RowErrors(errors)
    return values


def _institution_existing(rows, ctx):
    names = {r["name"] for r in rows}
    return {(i.name, i.country.code): i for i in Institution.objects.filter(name__in=names)}


# Budget lines


BUDGET_LINE_COLUMNS = [
    Column("project", "과제번호", "project number", True, "RS-2024-00123456"),
    Column("fiscal_year", "회계연도", "fiscal year", True, "2025"),
    Column("basis", "기준", "basis", True, "계획 / 배정 / 집행"),
    Column("amount_won", "금액(원)", "amount (won)", True, "148700000000"),
    Column("is_international", "국제협력", "international", False, "Y / N"),
    Column("institution", "협력기관", "partner institution", False, "기관명 (협력 예산일 때)"),
    Column("institution_country", "협력기관 국가", "partner country", False, "US"),
    Column("role", "협력 역할", "partner role", False, "같은 기관이 여러 역할일 때"),
]


def _budget_line_load(rows):
    numbers = {_text(r.get("project")) for r in rows}
    spans = {
        number: (pk, start, end)
        for number, pk, start, end in Project.objects.filter(
            project_number__in=numbers
        ).values_list("project_number", "pk", "start_year", "end_year")
    }
    projects = {number: pk for number, (pk, _start, _end) in spans.items()}
    collaborations: dict[tuple, list[tuple[int, str]]] = {}
    for pk, project_id, name, country, role in Collaboration.objects.filter(
        project_id__in=projects.values()
    ).values_list("pk", "project_id", "institution__name", "institution__country", "role"):
        collaborations.setdefault((project_id, name.casefold(), country), []).append((pk, role))
        collaborations.setdefault((project_id, name.casefold(), ""), []).append((pk, role))
    return Context({"projects": projects, "spans": spans, "collaborations": collaborations})


def _budget_line_convert(row, ctx):
    columns = {c.name: c for c in BUDGET_LINE_COLUMNS}
    values, errors = _cell_errors(
        row,
        {
            "fiscal_year": _year,
            "basis": lambda v: _choice(v, Basis.choices),
            "amount_won": _won,
            "role": lambda v: _choice(v, CollaborationRole.choices, default="") if _text(v) else "",
        },
        columns,
    )
    number = _text(row.get("project"))
    project_id = ctx.lookups["projects"].get(number)
    if project_id is None:
        errors.append(
            ("과제번호", _("Unknown project “%(value)s”.") % {"value": number})
            if number
            else ("과제번호", _("This column is required."))
        )
    if project_id is not None and "fiscal_year" in values:
        _pk, start, end = ctx.lookups["spans"][number]
        if not start <= values["fiscal_year"] <= end:
            errors.append(
                (
                    "회계연도",
                    _("%(year)s is outside the project's years (%(start)s–%(end)s).")
                    % {"year": values["fiscal_year"], "start": start, "end": end},
                )
            )
    collaboration_id = None
    institution = _text(row.get("institution"))
    if institution and project_id is not None:
        country = _text(row.get("institution_country")).upper()
        found = ctx.lookups["collaborations"].get((project_id, institution.casefold(), country), [])
        if values.get("role"):
            found = [c for c in found if c[1] == values["role"]]
        if not found:
            errors.append(
                (
                    "협력기관",
                    _("Project %(project)s has no collaboration with “%(institution)s”.")
                    % {"project": number, "institution": institution},
                )
            )
        elif len(found) > 1:
            errors.append(
                (
                    "협력 역할",
                    _("“%(institution)s” has several roles in this project: name the role.")
                    % {"institution": institution},
                )
            )
        else:
            collaboration_id = found[0][0]
    try:
        is_international = _bool(row.get("is_international"), default=bool(institution))
    except ValueError as exc:
        errors.append(("국제협력", str(exc)))
        is_international = None
    if institution and is_international is False:
        errors.append(("국제협력", _("A line that pays for a collaboration is international.")))
    if errors:
        raise RowErrors(errors)
    values.pop("role")
    values.update(
        project_id=project_id,
        collaboration_id=collaboration_id,
        is_international=is_international,
    )
    return values


def _budget_line_existing(rows, ctx):
    project_ids = {r["project_id"] for r in rows}
    existing = {}
    # Whole rows: the audit history copies every field of an updated line.
    for line in BudgetLine.objects.filter(project_id__in=project_ids):
        existing[(line.project_id, line.fiscal_year, line.basis, line.collaboration_id)] = line
    return existing


SPECS = {
    "technologies": Spec(
        "technologies",
        Technology,
        TECHNOLOGY_COLUMNS,
        key=lambda v: (v["code"],),
        compare_fields=[
            "program_id",
            "field_id",
            "name_ko",
            "name_en",
            "status",
            "target_commercialisation_year",
            "value_chain_rationale",
        ],
        load=_technology_load,
        convert=_technology_convert,
        existing=_technology_existing,
    ),
    "projects": Spec(
        "projects",
        Project,
        PROJECT_COLUMNS,
        key=lambda v: (v["project_number"],),
        compare_fields=[
            "technology_id",
            "title_ko",
            "title_en",
            "lead_organisation",
            "development_phase",
            "start_year",
            "end_year",
            "status",
        ],
        load=_project_load,
        convert=_project_convert,
        existing=_project_existing,
    ),
    "institutions": Spec(
        "institutions",
        Institution,
        INSTITUTION_COLUMNS,
        key=lambda v: (v["name"], v["country"]),
        compare_fields=["kind", "name_ko", "city", "website"],
        load=lambda rows: Context(),
        convert=_institution_convert,
        existing=_institution_existing,
    ),
    "budget_lines": Spec(
        "budget_lines",
        BudgetLine,
        BUDGET_LINE_COLUMNS,
        key=lambda v: (v["project_id"], v["fiscal_year"], v["basis"], v["collaboration_id"]),
        compare_fields=["amount_won", "is_international"],
        load=_budget_line_load,
        convert=_budget_line_convert,
        existing=_budget_line_existing,
    ),
}


# --- reading files ----------------------------------------------------------------------------


def file_rows(content: bytes, file_format: str) -> Iterator[tuple[int, list]]:
    """(row number as the reader sees it, cell values) for every non-empty row, header first."""
    if file_format == "xlsx":
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - any failure means "not a workbook we can read"
            raise FileRefused(
                [
                    {
                        "row": None,
                        "column": None,
                        "message": _("This is not an Excel (.xlsx) file we can read."),
                    }
                ]
            ) from exc
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if any(v is not None and _text(v) != "" for v in values):
                yield number, list(values)
        workbook.close()
        return
    for encoding in ("utf-8-sig", "cp949"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileRefused(
            [
                {
                    "row": None,
                    "column": None,
                    "message": _("The CSV file is neither UTF-8 nor CP949 (Korean Excel) text."),
                }
            ]
        )
    if "\x00" in text:
        raise FileRefused(
            [{"row": None, "column": None, "message": _("This is not a CSV text file.")}]
        )
    for number, values in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        if any(v.strip() for v in values):
            yield number, values


def header_columns(spec: Spec, header: list) -> list[Column | None]:
    """Map the header row to the spec's columns, or refuse the file naming what is wrong."""
    names = spec.header_map()
    errors, mapped, seen = [], [], set()
    for position, title in enumerate(header, start=1):
        text = _text(title)
        if not text:
            mapped.append(None)
            continue
        column = names.get(_normalise(text))
        if column is None:
            errors.append(
                {
                    "row": 1,
                    "column": text,
                    "message": _("Unknown column “%(title)s” (column %(position)s).")
                    % {"title": text, "position": position},
                }
            )
        elif column.name in seen:
            errors.append(
                {
                    "row": 1,
                    "column": text,
                    "message": _("Column “%(title)s” appears twice.") % {"title": text},
                }
            )
        seen.add(column.name if column else None)
        mapped.append(column)
    for column in spec.columns:
        if column.required and column.name not in seen:
            errors.append(
                {
                    "row": 1,
                    "column": column.header_ko,
                    "message": _("Required column “%(title)s” is missing.")
                    % {"title": column.header_ko},
                }
            )
    if errors:
        expected = ", ".join(c.header_ko + ("*" if c.required else "") for c in spec.columns)
        errors.append(
            {
                "row": 1,
                "column": None,
                "message": _("Expected headers: %(expected)s.") % {"expected": expected},
            }
        )
        raise FileRefused(errors)
    return mapped


# --- validation -------------------------------------------------------------------------------


@dataclass
class Plan:
    """What an import would do: rows to create and to update, or the errors that stop it."""

    total: int = 0
    create: list = field(default_factory=list)
    update: list = field(default_factory=list)
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)
    error_count: int = 0
    preview: list[dict] = field(default_factory=list)

    def add_error(self, row, column, message):
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"row": row, "column": column, "message": message})


def import_plan(
    *,
    kind: str,
    content: bytes,
    file_format: str,
    progress: Callable[[int, int], None] | None = None,
) -> Plan:
    """Read and check every row; nothing is written. ``progress(done, total)`` is called as it goes."""
    spec = SPECS[kind]
    rows_iter = file_rows(content, file_format)
    try:
        _number, header = next(rows_iter)
    except StopIteration:
        raise FileRefused(
            [{"row": None, "column": None, "message": _("The file is empty.")}]
        ) from None
    columns = header_columns(spec, header)
    raw_rows = []
    for number, values in rows_iter:
        row = {"__row__": number}
        for column, value in zip(columns, values, strict=False):
            if column is not None:
                row[column.name] = value
        if len(values) > len(columns) and any(_text(v) for v in values[len(columns) :]):
            row["__extra__"] = True
        raw_rows.append(row)
    plan = Plan(total=len(raw_rows))
    ctx = spec.load(raw_rows)
    converted, keys_seen = [], {}
    for index, row in enumerate(raw_rows, start=1):
        number = row["__row__"]
        if row.get("__extra__"):
            plan.add_error(number, None, _("This row has more cells than the header has columns."))
        try:
            values = spec.convert(row, ctx)
        except RowErrors as exc:
            for column, message in exc.errors:
                plan.add_error(number, column, message)
        else:
            key = spec.key(values)
            if key in keys_seen:
                plan.add_error(
                    number,
                    None,
                    _("Duplicate of row %(row)s (the same %(what)s).")
                    % {"row": keys_seen[key], "what": _key_description(spec)},
                )
            else:
                keys_seen[key] = number
                values["__row__"] = number
                converted.append(values)
        if progress and index % 2000 == 0:
            progress(index, plan.total)
    if progress:
        progress(plan.total, plan.total)
    existing = spec.existing(converted, ctx)
    for values in converted:
        number = values.pop("__row__")
        current = existing.get(spec.key(values))
        if current is None:
            plan.create.append((number, values))
        elif any(getattr(current, f) != values[f] for f in spec.compare_fields):
            plan.update.append((number, current, values))
        else:
            plan.unchanged += 1
    if kind == "projects":
        _check_project_starts(plan)
    # The preview shows the rows as the file has them, under the template's headers.
    raw_by_number = {row["__row__"]: row for row in raw_rows}

    def cells(number):
        return [_text(raw_by_number[number].get(c.name)) for c in spec.columns]

    plan.preview = [
        {"row": number, "action": "create", "cells": cells(number)}
        for number, _values in plan.create[:10]
    ] + [
        {"row": number, "action": "update", "cells": cells(number)}
        for number, _current, _values in plan.update[:10]
    ]
    return plan


def _check_project_starts(plan: Plan):
    # The strategy's IP rule, for projects the file moves to "in progress".
    for number, current, values in plan.update:
        if (
            values["status"] == ProjectStatus.IN_PROGRESS
            and current.status != ProjectStatus.IN_PROGRESS
        ):
            for message in collaborations_without_implementation_right(current):
                plan.add_error(number, "상태", message)


def _key_description(spec: Spec) -> str:
    return {
        "technologies": _("code"),
        "projects": _("project number"),
        "institutions": _("name and country"),
        "budget_lines": _("project, year, basis and partner"),
    }[spec.kind]


# --- export -----------------------------------------------------------------------------------


def export_values(kind: str, queryset) -> Iterator[list]:
    """Rows in the import's own columns: an export can be edited and imported back."""
    if kind == "technologies":
        for t in queryset.select_related("program", "field").order_by("code"):
            yield [
                t.code,
                t.program.track,
                t.field.code,
                t.name_ko,
                t.name_en,
                t.status,
                t.target_commercialisation_year,
                t.value_chain_rationale,
            ]
    elif kind == "projects":
        for p in queryset.select_related("technology").order_by("project_number"):
            yield [
                p.project_number,
                p.technology.code,
                p.title_ko,
                p.title_en,
                p.lead_organisation,
                p.development_phase,
                p.start_year,
                p.end_year,
                p.status,
            ]
    elif kind == "institutions":
        for i in queryset.order_by("country", "name"):
            yield [i.name, i.country.code, i.kind, i.name_ko, i.city, i.website]
    else:
        rows = queryset.order_by(
            "project__project_number", "fiscal_year", "basis", "pk"
        ).values_list(
            "project__project_number",
            "fiscal_year",
            "basis",
            "amount_won",
            "is_international",
            "collaboration__institution__name",
            "collaboration__institution__country",
            "collaboration__role",
        )
        for number, year, basis, won, international, name, country, role in rows.iterator(
            chunk_size=5000
        ):
            yield [
                number,
                year,
                basis,
                won,
                "Y" if international else "N",
                name or "",
                country or "",
                role or "",
            ]
