"""The data model, one module per aggregate; import models from here."""

from contest.models.audit import AuditEntry, AuditLogIsAppendOnly
from contest.models.event import (
    AwardRule,
    Component,
    Criterion,
    Event,
    Trade,
    Unit,
    UnitKind,
    component_judges,
    trade_clerks,
    unit_contacts,
)
from contest.models.judging import (
    ApiRequest,
    ComponentScore,
    EntrantFactor,
    Excusal,
    Judge,
    PanelMember,
    PaperEntry,
    RescoreRequest,
    Score,
    ScoreState,
)
from contest.models.outcomes import Appeal, Certificate, Decision, Objection, ObjectionAction
from contest.models.registration import CheckIn, Entrant, Gender, RegistrationStatus, Team
from contest.models.results import TradeResultRecord
from contest.models.stages import Publication, StageTransition, StageWindow
from contest.models.user import Role, User

__all__ = [
    "ApiRequest",
    "Appeal",
    "AuditEntry",
    "AuditLogIsAppendOnly",
    "AwardRule",
    "Certificate",
    "CheckIn",
    "Component",
    "ComponentScore",
    "Criterion",
    "Decision",
    "Entrant",
    "EntrantFactor",
    "Event",
    "Excusal",
    "Gender",
    "Judge",
    "Objection",
    "ObjectionAction",
    "PanelMember",
    "PaperEntry",
    "Publication",
    "RegistrationStatus",
    "RescoreRequest",
    "Role",
    "Score",
    "ScoreState",
    "StageTransition",
    "StageWindow",
    "Team",
    "Trade",
    "TradeResultRecord",
    "Unit",
    "UnitKind",
    "User",
    "component_judges",
    "trade_clerks",
    "unit_contacts",
]
