"""The public gallery of exemplary models (thư viện mô hình) and their replication (nhân rộng)."""
from flask import Blueprint

bp = Blueprint("gallery", __name__)
