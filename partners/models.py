"""Foreign institutions, cooperation centres, and who works with whom on what."""

from decimal import Decimal
from typing import TYPE_CHECKING, cast

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from rdportfolio.core.history import bulk_history
from rdportfolio.core.models import (
    SourcedModel,
    at_most_max_won,
    end_not_before_start,
    not_negative,
    validate_end_not_before_start,
    won_field,
    year_field,
    year_in_range,
)
from technologies.models import Field, Project

if TYPE_CHECKING:
    from django_countries.fields import Country

# The programme's own country: its institutions are the domestic side of a collaboration, never
# the foreign partner that makes a line international (docs/kpi.md, "What counts").
HOME_COUNTRY = "KR"


class InstitutionKind(models.TextChoices):
    UNIVERSITY = "university", _("University")
    RESEARCH_INSTITUTE = "research_institute", _("Research institute")
    COMPANY = "company", _("Company")
    OTHER = "other", _("Other")


class InstitutionQuerySet(models.QuerySet):
    def partners(self):
        """Institutions with at least one collaboration: a semi-join (EXISTS), which stays
        cheap however many collaborations there are."""
        return self.filter(Exists(Collaboration.objects.filter(institution=OuterRef("pk"))))


class Institution(SourcedModel):
    """A foreign university, research institute or company: a partner outside Korea.

    Only institutions outside Korea are recorded here (a database constraint): a line that
    pays for a collaboration with one is what the KPI counts as international.
    """

    name = models.CharField(
        _("name"),
        max_length=200,
        help_text=_("The institution's own name, in English or its language."),
    )
    name_ko = models.CharField(_("Korean name"), max_length=200, blank=True)
    country = CountryField(_("country"), help_text=_("ISO 3166-1 alpha-2 code."))
    kind = models.CharField(_("kind"), max_length=20, choices=InstitutionKind.choices)
    city = models.CharField(_("city"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)

    objects = InstitutionQuerySet.as_manager()
    history = bulk_history(unindexed=[])

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["country", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "country"],
                name="partners_institution_unique_name_country",
                violation_error_message=_(
                    "An institution with this name already exists in that country."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(country=HOME_COUNTRY),
                name="partners_institution_outside_korea",
                violation_error_message=_(
                    "A Korean institution cannot be a foreign partner: partners are institutions "
                    "outside Korea."
                ),
            ),
        ]

    def __str__(self) -> str:
        # The plugin types a CountryField as the CharField it is; its descriptor gives a Country.
        return f"{self.name} ({cast('Country', self.country).code})"

    def clean(self):
        if self.country == HOME_COUNTRY:
            raise ValidationError(
                {
                    "country": _(
                        "A Korean institution cannot be a foreign partner: partners are "
                        "institutions outside Korea (the Korean side of a project is its lead "
                        "organisation)."
                    )
                }
            )


class CenterStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class CooperationCenter(SourcedModel):
    """An Industry Technology Cooperation Center hosted inside a foreign institution."""

    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="centers",
        verbose_name=_("host institution"),
    )
    name_ko = models.CharField(_("Korean name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    opened_year = year_field(_("year opened"), null=True, blank=True)
    fields = models.ManyToManyField(
        Field, blank=True, related_name="centers", verbose_name=_("fields")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CenterStatus.choices, default=CenterStatus.PLANNED
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cooperation centre")
        verbose_name_plural = _("cooperation centres")
        ordering = ["institution__name"]
        constraints = [
            year_in_range("opened_year", nullable=True),
            models.UniqueConstraint(
                fields=["institution", "name_en"],
                name="partners_center_unique_per_institution",
                violation_error_message=_(
                    "This institution already hosts a centre with that name."
                ),
            ),
            # An open or closed centre has opened at some point.
            models.CheckConstraint(
                condition=Q(status=CenterStatus.PLANNED) | Q(opened_year__isnull=False),
                name="partners_center_open_has_year",
                violation_error_message=_("An open or closed centre needs the year it opened."),
            ),
        ]

    def __str__(self) -> str:
        return self.name_ko

    def clean(self):
        if self.status != CenterStatus.PLANNED and self.opened_year is None:
            raise ValidationError(
                {"opened_year": _("An open or closed centre needs the year it opened.")}
            )


class CollaborationRole(models.TextChoices):
    LEAD_PARTNER = "lead_partner", _("Lead foreign partner")
    CO_RESEARCHER = "co_researcher", _("Joint researcher")
    TECHNOLOGY_SUPPLIER = "technology_supplier", _("Technology supplier")
    ADVISOR = "advisor", _("Advisor")


class Collaboration(SourcedModel):
    """A foreign institution's part in a project: the unit international spending pays for."""

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="collaborations", verbose_name=_("project")
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="collaborations",
        verbose_name=_("institution"),
    )
    center = models.ForeignKey(
        CooperationCenter,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="collaborations",
        verbose_name=_("through cooperation centre"),
    )
    role = models.CharField(_("role"), max_length=30, choices=CollaborationRole.choices)
    start_year = year_field(_("start year"))
    end_year = year_field(_("end year"))
    contribution_won = won_field(
        _("contribution (won)"),
        default=0,
        help_text=_(
            "Agreed funding for the partner's part over the whole collaboration, in whole won."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("collaboration")
        verbose_name_plural = _("collaborations")
        ordering = ["project__project_number", "institution__name"]
        constraints = [
            year_in_range("start_year"),
            year_in_range("end_year"),
            end_not_before_start("start_year", "end_year"),
            not_negative("contribution_won"),
            at_most_max_won("contribution_won"),
            models.UniqueConstraint(
                fields=["project", "institution", "role"],
                name="partners_collaboration_unique_role",
                violation_error_message=_("This institution already has that role in the project."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.project_number} ↔ {self.institution.name}"

    def clean(self):
        validate_end_not_before_start(self, "start_year", "end_year")
        if (
            self.center_id
            and self.institution_id
            # center_id is set: there is a centre
            and cast(CooperationCenter, self.center).institution_id != self.institution_id
        ):
            raise ValidationError(
                {
                    "center": _("The centre %(center)s is hosted by another institution.")
                    % {"center": self.center}
                }
            )


class DispatchStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class ResearcherDispatch(SourcedModel):
    """A domestic researcher sent to the partner institution of a collaboration."""

    collaboration = models.ForeignKey(
        Collaboration,
        on_delete=models.CASCADE,
        related_name="dispatches",
        verbose_name=_("collaboration"),
    )
    researcher_name = models.CharField(_("researcher"), max_length=100)
    home_organisation = models.CharField(_("home organisation"), max_length=200)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DispatchStatus.choices, default=DispatchStatus.PLANNED
    )
    direct_participation_confirmed = models.BooleanField(
        _("direct participation confirmed"),
        default=False,
        help_text=_(
            "The strategy obliges dispatched researchers to take part in the research directly."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("researcher dispatch")
        verbose_name_plural = _("researcher dispatches")
        ordering = ["-start_date"]
        # Names of private persons: ministry staff only (pages, API, exports and history alike).
        permissions = [("see_researcher_names", _("Can see dispatched researchers' names"))]
        constraints = [
            end_not_before_start("start_date", "end_date"),
            models.UniqueConstraint(
                fields=["collaboration", "researcher_name", "start_date"],
                name="partners_dispatch_unique",
                violation_error_message=_(
                    "This researcher already has a dispatch starting that day."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status=DispatchStatus.CLOSED) | Q(direct_participation_confirmed=True),
                name="partners_dispatch_closed_needs_participation",
                violation_error_message=_(
                    "A dispatch cannot be closed until the researcher's direct participation is confirmed."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.researcher_name} → {self.collaboration.institution.name}"

    def clean(self):
        validate_end_not_before_start(self, "start_date", "end_date")
        if self.status == DispatchStatus.CLOSED and not self.direct_participation_confirmed:
            raise ValidationError(
                {
                    "status": _(
                        "A dispatch cannot be closed until the researcher's direct participation is confirmed."
                    )
                }
            )


class ImplementationRight(models.TextChoices):
    EXCLUSIVE = "exclusive", _("Exclusive")
    NON_EXCLUSIVE = "non_exclusive", _("Non-exclusive")
    NONE = "none", _("None")


percent_validators = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class IPAgreement(SourcedModel):
    """Who owns jointly developed IP, and whether the domestic company may implement it."""

    collaboration = models.OneToOneField(
        Collaboration,
        on_delete=models.CASCADE,
        related_name="ip_agreement",
        verbose_name=_("collaboration"),
    )
    domestic_share_percent = models.DecimalField(
        _("domestic ownership (%)"), max_digits=5, decimal_places=2, validators=percent_validators
    )
    foreign_share_percent = models.DecimalField(
        _("foreign ownership (%)"), max_digits=5, decimal_places=2, validators=percent_validators
    )
    implementation_right = models.CharField(
        _("domestic right to implement"), max_length=20, choices=ImplementationRight.choices
    )
    territory = models.CharField(_("territory"), max_length=200, default="worldwide")
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    term_years = models.PositiveSmallIntegerField(
        _("term (years)"),
        null=True,
        blank=True,
        help_text=_("Empty means for the life of the rights."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("IP agreement")
        verbose_name_plural = _("IP agreements")
        ordering = ["collaboration__project__project_number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(domestic_share_percent__gte=0, foreign_share_percent__gte=0)
                & Q(domestic_share_percent__lte=100, foreign_share_percent__lte=100),
                name="partners_ip_shares_in_range",
                violation_error_message=_("Ownership shares must be between 0 and 100%."),
            ),
            models.CheckConstraint(
                condition=Q(domestic_share_percent=Decimal("100") - F("foreign_share_percent")),
                name="partners_ip_shares_sum_100",
                violation_error_message=_("Domestic and foreign ownership must add up to 100%."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.collaboration)

    @property
    def grants_domestic_implementation(self) -> bool:
        return self.implementation_right != ImplementationRight.NONE

    def clean(self):
        domestic, foreign = self.domestic_share_percent, self.foreign_share_percent
        if domestic is not None and foreign is not None and domestic + foreign != 100:
            raise ValidationError(
                {
                    "foreign_share_percent": _(
                        "Domestic (%(domestic)s%%) and foreign (%(foreign)s%%) ownership must add up to 100%%."
                    )
                    % {"domestic": domestic, "foreign": foreign}
                }
            )
