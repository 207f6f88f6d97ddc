"""Imports every model so that the metadata (and Alembic) sees all tables."""
from thidua.audit import AuditLog  # noqa: F401
from thidua.auth.models import LoginFailure, User  # noqa: F401
from thidua.campaigns.models import Campaign, CampaignUnit, Extension  # noqa: F401
from thidua.registration.models import Initiative, InitiativeAuthor  # noqa: F401
from thidua.units.models import Unit  # noqa: F401
from thidua.jobs.models import Job  # noqa: F401,E402
from thidua.notifications.models import Notification, ReminderLog  # noqa: F401,E402
from thidua.results.models import EvidenceFile, ReportIndicator, ResultReport  # noqa: F401,E402
from thidua.review.models import (  # noqa: F401,E402
    Assignment, CommendationLevel, CommitteeMember, Criterion, CriterionScore, Review,
)
from thidua.awards.models import AwardEntry, AwardList  # noqa: F401,E402
from thidua.reports.models import CityReport, ReportDraft  # noqa: F401,E402
from thidua.gallery.models import Adoption, GalleryEntry, GalleryFile  # noqa: F401,E402
from thidua.imports.models import ImportBatch, ImportedRecord  # noqa: F401,E402
