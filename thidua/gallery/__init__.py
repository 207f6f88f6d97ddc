"""The public gallery of exemplary models (thư viện mô hình) and their replication (nhân rộng)."""
from flask import Blueprint

bp = Blueprint("gallery", __name__)

from thidua.gallery import office_views, services, views  # noqa: E402,F401  (services registers workflow hooks)
