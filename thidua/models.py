"""Imports every model so that the metadata (and Alembic) sees all tables."""
# Figures derived from these tables, kept up to date after every flush (see each module).
import sqlalchemy as _sa  # noqa: E402
from sqlalchemy.orm import Session as _Session  # noqa: E402

from thidua.audit import AuditLog  # noqa: F401
from thidua.auth.models import LoginFailure, PasswordResetToken, User, UserSession  # noqa: F401
from thidua.awards.models import AwardEntry, AwardList  # noqa: F401,E402
from thidua import progress as _progress  # noqa: E402
from thidua.campaigns.models import Campaign, CampaignUnit  # noqa: F401
from thidua.gallery.models import Adoption, GalleryEntry, GalleryFile  # noqa: F401,E402
from thidua.imports.models import ImportBatch, ImportedRecord  # noqa: F401,E402
from thidua.jobs.models import Job  # noqa: F401,E402
from thidua.nominations.models import Nomination  # noqa: F401,E402
from thidua.notifications.models import Notification, ReminderLog  # noqa: F401,E402
from thidua.phases import Extension
from thidua.registration.models import Initiative, InitiativeAuthor  # noqa: F401
from thidua.reports.models import CityReport, ReportDraft  # noqa: F401,E402
from thidua.results.models import EvidenceFile, ReportIndicator, ResultReport  # noqa: F401,E402
from thidua.review import standing as _standing  # noqa: E402
from thidua.review.models import (  # noqa: F401,E402
    Assignment,
    CommendationLevel,
    CommitteeMember,
    Criterion,
    CriterionScore,
    Review,
    Standing,
)
from thidua.targets.models import (  # noqa: F401,E402
    OutstandingPerson,
    RoundExtension,
    Target,
    TargetEvidence,
    TargetRound,
    TargetValue,
)
from thidua.units.models import Unit  # noqa: F401

_sa.event.listen(_Session, "after_flush", _progress.after_flush)
_sa.event.listen(_Session, "after_flush", _standing.after_flush)


def refresh_figures(campaign_id: int) -> None:
    """Recompute every participant's progress and every initiative's standing of a campaign (after bulk writes)."""
    from thidua.extensions import db

    connection = db.session.connection()
    _progress.refresh(connection, campaign_id)
    _standing.refresh(connection, campaign_id=campaign_id)
