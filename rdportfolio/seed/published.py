"""Every figure of the programme we know, from one published source (shared/domain/FACTS.md).

Pure data: ``facts.facts_load`` writes it. Each row carries this source.
"""

import datetime
from decimal import Decimal

from programs.models import Track
from technologies.models import TechnologyStatus

SOURCE = (
    "BusinessKorea on MOTIE's Comprehensive Global Technology Collaboration Strategy, 5 Dec 2023"
)
BILLION = 10**9
TRILLION = 10**12

STRATEGY_DATE = datetime.date(2023, 12, 5)
STRATEGY_PLAN_NAME = "Comprehensive Global Technology Collaboration Strategy (Dec 2023)"

PROGRAMS: list[dict] = [
    dict(
        track=Track.LEAPFROGGING,
        name_ko="초격차 도약 핵심기술",
        name_en="Key technologies for leapfrogging",
        target_technology_count=80,
        commercialisation_horizon_years=5,
        start_year=2024,
        end_year=2030,
        planned_total_won=1_200 * BILLION,
        description="Value-chain weak links where Korean firms are strong in end products; "
        "commercialise within about 5 years. 1.2 trillion won in total by 2030.",
    ),
    dict(
        track=Track.FOUNDATIONAL,
        name_ko="산업 기반 100대 기술",
        name_en="Top 100 foundational technologies for industries",
        target_technology_count=100,
        commercialisation_horizon_years=10,
        start_year=2024,
        end_year=2028,
        planned_total_won=687 * BILLION,
        description="Next-generation growth areas; commercialise within about 10 years. "
        "687 billion won in total by 2028.",
    ),
    dict(
        track=Track.GAME_CHANGER,
        name_ko="게임체인저 기술",
        name_en="Game-changer technologies",
        target_technology_count=10,
        commercialisation_horizon_years=None,
        start_year=2025,
        end_year=None,
        planned_total_won=1 * TRILLION,
        description="Technologies to replace existing key industries, behind a 1 trillion won "
        "preliminary feasibility study project to be started by 2025.",
    ),
    dict(
        track=Track.LEGACY,
        name_ko="기존 국제공동연구",
        name_en="Legacy international collaboration",
        target_technology_count=None,
        commercialisation_horizon_years=None,
        start_year=2023,
        end_year=None,
        planned_total_won=None,
        description="International R&D the ministry funded before the strategy: the 2023 "
        "baseline of about 6% of the industrial R&D budget.",
    ),
]

# (track, year, won, technologies started, projects started): "148.7 billion won in 2024 to
# start 48 technologies", "66.5 billion won in 2024 to start 50 projects".
YEAR_PLANS = [
    (Track.LEAPFROGGING, 2024, 1487 * BILLION // 10, 48, None),
    (Track.FOUNDATIONAL, 2024, 665 * BILLION // 10, None, 50),
]

# (code, track, field, Korean name, English name, status, rationale)
# The rationales above are the strategy's words in English; the Korean page shows these.
RATIONALE_KO = {
    "The strategy's leapfrogging example: partners in the United States, Taiwan and other "
    "countries; about 100 billion won expected.": "전략의 초격차 사례: 미국·대만 등의 기관과 "
    "협력하며, 약 1,000억 원이 투입될 예정.",
    "Named among the 95 leapfrogging candidates.": "초격차 후보 95개 중 하나로 제시됨.",
    "A foundational example of the strategy.": "전략에 제시된 산업 기반 기술 사례.",
    "A game-changer example of the strategy.": "전략에 제시된 게임체인저 기술 사례.",
}

TECHNOLOGIES = [
    (
        "LF-001",
        Track.LEAPFROGGING,
        "semiconductors",
        "이종 칩 집적 반도체 패키징",
        "Semiconductor packaging integrating heterogeneous chips",
        TechnologyStatus.SELECTED,
        "The strategy's leapfrogging example: partners in the United States, Taiwan and other "
        "countries; about 100 billion won expected.",
    ),
    (
        "LF-002",
        Track.LEAPFROGGING,
        "displays",
        "XR 마이크로디스플레이용 고해상도 화소 기술",
        "High-resolution pixel technology for XR micro-displays",
        TechnologyStatus.CANDIDATE,
        "Named among the 95 leapfrogging candidates.",
    ),
    (
        "LF-003",
        Track.LEAPFROGGING,
        "secondary-batteries",
        "리튬-황 전지 전극",
        "Lithium-sulfur battery electrodes",
        TechnologyStatus.CANDIDATE,
        "Named among the 95 leapfrogging candidates.",
    ),
    (
        "LF-004",
        Track.LEAPFROGGING,
        "biotechnology",
        "mRNA 등 핵산 치료제",
        "Nucleic-acid therapies including mRNA",
        TechnologyStatus.CANDIDATE,
        "Named among the 95 leapfrogging candidates.",
    ),
    (
        "LF-005",
        Track.LEAPFROGGING,
        "nuclear-energy",
        "소형모듈원자로(SMR)용 탄소강",
        "Carbon steel for small modular reactors (SMR)",
        TechnologyStatus.CANDIDATE,
        "Named among the 95 leapfrogging candidates.",
    ),
    (
        "FD-001",
        Track.FOUNDATIONAL,
        "materials",
        "전기차 모터용 희토류 프리 영구자석",
        "Rare-earth-free permanent magnets for electric-vehicle motors",
        TechnologyStatus.SELECTED,
        "A foundational example of the strategy.",
    ),
    (
        "FD-002",
        Track.FOUNDATIONAL,
        "ai-computing",
        "차세대 AI 컴퓨팅",
        "Next-generation AI computing",
        TechnologyStatus.SELECTED,
        "A foundational example of the strategy.",
    ),
    (
        "FD-003",
        Track.FOUNDATIONAL,
        "semiconductors",
        "차세대 반도체",
        "Next-generation semiconductors",
        TechnologyStatus.SELECTED,
        "A foundational example of the strategy.",
    ),
    (
        "FD-004",
        Track.FOUNDATIONAL,
        "biotechnology",
        "세포 회춘 신약",
        "New cell-rejuvenation drugs",
        TechnologyStatus.SELECTED,
        "A foundational example of the strategy.",
    ),
    (
        "GC-01",
        Track.GAME_CHANGER,
        "biotechnology",
        "개인 맞춤형 인공장기",
        "Personalised artificial organs",
        TechnologyStatus.CANDIDATE,
        "A game-changer example of the strategy.",
    ),
    (
        "GC-02",
        Track.GAME_CHANGER,
        "displays",
        "몰입형 공간 컴퓨팅",
        "Immersive spatial computing",
        TechnologyStatus.CANDIDATE,
        "A game-changer example of the strategy.",
    ),
]

INSTITUTIONS = [
    (
        "US",
        "Massachusetts Institute of Technology",
        "매사추세츠공과대학교(MIT)",
        "university",
        "Cambridge, MA",
        "https://www.mit.edu",
    ),
    (
        "US",
        "Stanford University",
        "스탠퍼드대학교",
        "university",
        "Stanford, CA",
        "https://www.stanford.edu",
    ),
]

CENTERS = [
    (
        "Massachusetts Institute of Technology",
        "MIT 산업기술협력센터",
        "Industry Technology Cooperation Center at MIT",
    ),
    (
        "Stanford University",
        "스탠퍼드 산업기술협력센터",
        "Industry Technology Cooperation Center at Stanford",
    ),
]

# The ministry's R&D budget as passed, from press reports after the strategy (FACTS.md,
# "Published later"): the KPI's denominator where it is known. (The strategy's "5.7 trillion"
# is 2023's 5조 6,711억 rounded.)
MINISTRY_TOTALS_SOURCE_2023_2024 = (
    "MOTIE R&D budget, news report of 25 Dec 2023 (2023: 5조 6,711억 원; 2024: 5조 802억 원): "
    "https://v.daum.net/v/20231225110126987"
)
MINISTRY_TOTALS_SOURCE_2025 = (
    "MOTIE R&D budget 2025: 5조 5,701억 원 (+9.6%): https://techfocus.kr/gt_info/12"
)
MINISTRY_TOTALS = [
    (2023, 56_711 * 10**8, MINISTRY_TOTALS_SOURCE_2023_2024),
    (2024, 50_802 * 10**8, MINISTRY_TOTALS_SOURCE_2023_2024),
    (2025, 55_701 * 10**8, MINISTRY_TOTALS_SOURCE_2025),
]

DAUM_2023 = "https://v.daum.net/v/20231225110126987"
TECHFOCUS_2025 = "https://techfocus.kr/gt_info/12"
PRESS_2023_12_25 = "News report of 25 Dec 2023 on MOTIE's 2024 R&D budget"
PRESS_2025 = "TechFocus on MOTIE's 2025 R&D budget"
KOITA = "KOITA webzine, “국제협력 R&D 투자 현황과 전략적 추진을 위한 제언”"


# The registry of published figures: each with what it counts, where it was published, and
# (``measure``) what the portfolio computes to put beside it.
FIGURES: list[dict] = [
    dict(
        code="motie-industrial-rd-budget",
        description_ko="산업부 산업기술 R&D 예산 (약 43.3억 달러)",
        description_en="MOTIE industrial R&D budget (US$4.33 billion)",
        fiscal_year=2023,
        amount_won=5_700 * BILLION,
        measure="ministry_total",
        definition_en="MOTIE's industrial R&D budget for 2023 as the strategy rounds it "
        "(5.7 trillion won).",
        definition_ko="전략 발표문이 반올림한 2023년 산업부 산업기술 R&D 예산(5.7조 원).",
        published_on=STRATEGY_DATE,
    ),
    *(
        dict(
            code=f"motie-rd-budget-{year}",
            description_ko=f"산업부 R&D 예산 {year}",
            description_en=f"MOTIE R&D budget {year}",
            fiscal_year=year,
            amount_won=won,
            measure="ministry_total",
            definition_en="MOTIE's whole R&D budget for the year, as passed.",
            definition_ko="해당 연도 산업부 R&D 예산 전체(국회 확정).",
            source=PRESS_2025 if year == 2025 else PRESS_2023_12_25,
            source_url=TECHFOCUS_2025 if year == 2025 else DAUM_2023,
            published_on=None if year == 2025 else datetime.date(2023, 12, 25),
        )
        for year, won, _source in MINISTRY_TOTALS
    ),
    *(
        dict(
            code=f"global-cooperation-rd-{year}",
            description_ko=f"글로벌 협력 R&D 전용 예산 {year}"
            + (" (계획)" if year == 2025 else ""),
            description_en=f"Dedicated global-cooperation R&D budget line {year}"
            + (" (planned)" if year == 2025 else ""),
            fiscal_year=year,
            amount_won=won,
            measure="international_won",
            definition_en="The budget line for global-cooperation R&D programmes alone; "
            "international parts of other programmes are not in it (2023: 3.96% of the "
            "ministry's R&D budget, against the strategy's about 6%).",
            definition_ko="글로벌 협력 R&D 사업만의 예산. 다른 사업의 국제협력분은 포함되지 "
            "않는다(2023년 산업부 R&D 예산의 3.96%, 전략의 약 6%와 다른 정의).",
            source=PRESS_2025 if year == 2025 else PRESS_2023_12_25,
            source_url=TECHFOCUS_2025 if year == 2025 else DAUM_2023,
            published_on=None if year == 2025 else datetime.date(2023, 12, 25),
        )
        for year, won in ((2023, 2_243 * 10**8), (2024, 2_711 * 10**8), (2025, 3_518 * 10**8))
    ),
    dict(
        code="koita-international-rd-2024",
        description_ko="산업부 국제협력 R&D 2024 (KOITA)",
        description_en="MOTIE international R&D 2024 (KOITA)",
        fiscal_year=2024,
        amount_won=2_800 * 10**8,
        measure="international_won",
        definition_en="MOTIE's international R&D in 2024 as KOITA counts it (+29.3%); its "
        "definition is not stated.",
        definition_ko="KOITA가 집계한 2024년 산업부 국제협력 R&D(+29.3%). 산정 기준은 밝히지 않았다.",
        source=KOITA,
    ),
    dict(
        code="national-rd-budget",
        description_ko="국가 R&D 예산 (235.7억 달러)",
        description_en="Korea's national R&D budget (US$23.57 billion)",
        fiscal_year=2023,
        amount_won=31 * TRILLION,
    ),
    dict(
        code="msit-rd-budget",
        description_ko="과기정통부 R&D 예산, 기초연구 (73.8억 달러)",
        description_en="Ministry of Science and ICT R&D budget, basic research (US$7.38 billion)",
        fiscal_year=2023,
        amount_won=9_700 * BILLION,
    ),
    dict(
        code="international-share-2023",
        description_ko="국제협력 R&D 비중 (2023)",
        description_en="Share of the budget on international collaboration (2023)",
        fiscal_year=2023,
        quantity=Decimal("6"),
        unit="%",
        measure="international_share",
        definition_en="The strategy's share of the industrial R&D budget spent on international "
        "collaboration in 2023, about 6%; the definition behind it is not published.",
        definition_ko="전략이 밝힌 2023년 산업기술 R&D 예산 중 국제협력 비중(약 6%). 산정 기준은 "
        "공개되지 않았다.",
        published_on=STRATEGY_DATE,
    ),
    dict(
        code="international-share-target-2028",
        description_ko="국제협력 R&D 비중 목표 (2028년까지 15% 이상)",
        description_en="Target share on international collaboration (over 15% by 2028)",
        fiscal_year=2028,
        quantity=Decimal("15"),
        unit="%",
        measure="target_share",
        definition_en="The strategy's target: over 15% of the industrial R&D budget on "
        "international collaboration by 2028.",
        definition_ko="전략의 목표: 2028년까지 산업기술 R&D 예산의 15% 이상을 국제협력에.",
        published_on=STRATEGY_DATE,
    ),
    dict(
        code="international-won-2023-scale",
        description_ko="5.7조 원의 6% (규모 참고)",
        description_en="6% of 5.7 trillion won (for scale)",
        fiscal_year=2023,
        amount_won=342 * BILLION,
        measure="international_won",
        definition_en="6% of 5.7 trillion won: the strategy's two figures multiplied, for scale.",
        definition_ko="5.7조 원의 6%: 전략의 두 수치를 곱한 규모 참고값.",
    ),
    dict(
        code="international-won-2028-scale",
        description_ko="5.7조 원의 15% (규모 참고)",
        description_en="15% of 5.7 trillion won (for scale)",
        fiscal_year=2028,
        amount_won=855 * BILLION,
        measure="international_won",
        definition_en="15% of 5.7 trillion won: the 2028 target at the 2023 budget, for scale.",
        definition_ko="5.7조 원의 15%: 2023년 예산 기준 2028년 목표 규모 참고값.",
    ),
    dict(
        code="leapfrogging-candidates",
        description_ko="초격차 후보 기술 수 (국내 전문가 중심 압축)",
        description_en="Leapfrogging candidate technologies first narrowed, chiefly with domestic experts",
        quantity=Decimal("95"),
        unit="count",
    ),
    dict(
        code="first-two-tracks-total",
        description_ko="초격차·기반 180개 기술 총액 (약 1.9조 원)",
        description_en="Leapfrogging and foundational, 180 technologies (about 1.9 trillion won)",
        amount_won=1_887 * BILLION,
    ),
    dict(
        code="semiconductor-packaging-expected",
        description_ko="이종 칩 집적 패키징 예상 투자",
        description_en="Heterogeneous-chip packaging, expected investment",
        amount_won=100 * BILLION,
    ),
    dict(
        code="game-changer-feasibility-study",
        description_ko="게임체인저 예비타당성조사 사업 (2025년까지 착수)",
        description_en="Game-changer preliminary feasibility study project (to start by 2025)",
        fiscal_year=2025,
        amount_won=1 * TRILLION,
    ),
    dict(
        code="krw-per-usd-implied",
        description_ko="보도 수치가 뜻하는 환율",
        description_en="Exchange rate implied by the report's won/dollar pairs",
        fiscal_year=2023,
        quantity=Decimal("1315"),
        unit="KRW/USD",
        measure="krw_per_usd",
        definition_en="Won per US dollar implied by the report's own won and dollar pairs.",
        definition_ko="보도의 원화·달러 수치 쌍이 뜻하는 원/달러 환율.",
    ),
]
