"""factory_boy factories: one valid row of each model, with its parents."""

import factory

from budgets.models import Basis, BudgetLine, MinistryBudget
from partners.models import Collaboration, CollaborationRole, Institution, InstitutionKind
from programs.models import Program, Track
from technologies.models import Field, Project, Technology


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        django_get_or_create = ("track",)

    track = Track.LEAPFROGGING
    name_ko = "초격차"
    name_en = "Leapfrogging"
    start_year = 2024
    end_year = 2030


class FieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Field
        django_get_or_create = ("code",)

    code = "semiconductors"
    name_ko = "반도체"
    name_en = "Semiconductors"


class TechnologyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Technology

    program = factory.SubFactory(ProgramFactory)
    field = factory.SubFactory(FieldFactory)
    code = factory.Sequence(lambda n: f"T-{n:04d}")
    name_ko = factory.Sequence(lambda n: f"시험 기술 {n}")
    name_en = factory.Sequence(lambda n: f"Test technology {n}")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    technology = factory.SubFactory(TechnologyFactory)
    project_number = factory.Sequence(lambda n: f"RS-TEST-{n:08d}")
    title_ko = factory.Sequence(lambda n: f"시험 과제 {n}")
    lead_organisation = "(주)시험"
    start_year = 2024
    end_year = 2028


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"Test Institute {n}")
    country = "US"
    kind = InstitutionKind.RESEARCH_INSTITUTE


class CollaborationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Collaboration

    project = factory.SubFactory(ProjectFactory)
    institution = factory.SubFactory(InstitutionFactory)
    role = CollaborationRole.LEAD_PARTNER
    start_year = 2024
    end_year = 2028


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    project = factory.SubFactory(ProjectFactory)
    fiscal_year = 2025
    basis = Basis.PLANNED
    amount_won = 1_000_000_000


class MinistryBudgetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MinistryBudget
        django_get_or_create = ("fiscal_year",)

    fiscal_year = 2031
    total_won = 6_000_000_000_000
