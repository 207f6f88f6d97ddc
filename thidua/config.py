"""Configuration, read from the environment.

The embedded default (no variables set) is SQLite in the instance folder, files on
local disk and jobs in-process. DATABASE_URL and REDIS_URL move the same code to
PostgreSQL and RQ workers.
"""
import os
import secrets
from datetime import timedelta
from pathlib import Path


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _normalise_database_url(url: str) -> str:
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the driver named.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _normalise_database_url(os.environ.get("DATABASE_URL", ""))
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL") or None
    TIMEZONE = os.environ.get("THIDUA_TIMEZONE", "Asia/Ho_Chi_Minh")
    ORGANISATION_NAME = os.environ.get("THIDUA_ORGANISATION", "Sở Giáo dục và Đào tạo Hà Nội")
    UPLOAD_FOLDER = os.environ.get("THIDUA_UPLOAD_FOLDER") or None
    # Files in an S3-compatible object store instead of UPLOAD_FOLDER (several nodes share them).
    S3_BUCKET = os.environ.get("THIDUA_S3_BUCKET") or None
    S3_PREFIX = os.environ.get("THIDUA_S3_PREFIX", "")
    S3_ENDPOINT_URL = os.environ.get("THIDUA_S3_ENDPOINT_URL") or None
    S3_REGION = os.environ.get("THIDUA_S3_REGION") or None
    MAX_UPLOAD_MB = _env_int("THIDUA_MAX_UPLOAD_MB", 20)
    MAX_CONTENT_LENGTH = (MAX_UPLOAD_MB + 1) * 1024 * 1024

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("THIDUA_SECURE_COOKIES", "0") == "1"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    # A sign-in without "Ghi nhớ" ends on the server after this long without a request.
    SESSION_IDLE_SECONDS = _env_int("THIDUA_SESSION_IDLE_HOURS", 8) * 3600
    # "Ghi nhớ đăng nhập": how long the remember cookie (and its sign-in on the server) lasts.
    REMEMBER_COOKIE_DURATION = timedelta(days=_env_int("THIDUA_REMEMBER_DAYS", 14))
    WTF_CSRF_TIME_LIMIT = None  # a form left open all afternoon must still submit

    # How many reverse proxies stand in front (nginx: 1); 0 reads the address of the connection.
    TRUSTED_PROXIES = _env_int("THIDUA_TRUSTED_PROXIES", 0)
    LOGIN_MAX_FAILURES = _env_int("THIDUA_LOGIN_MAX_FAILURES", 5)
    LOGIN_LOCK_MINUTES = _env_int("THIDUA_LOGIN_LOCK_MINUTES", 15)
    # Wrong guesses a username gets from an address that many failures come from (see security.py).
    LOGIN_HOT_ADDRESS_FAILURES = _env_int("THIDUA_LOGIN_HOT_ADDRESS_FAILURES", 2)
    PASSWORD_MIN_LENGTH = 8
    PAGE_SIZE = 50
    # Without REDIS_URL, jobs run in this process: "thread" (the page follows progress) or "sync".
    JOBS_IN_PROCESS = os.environ.get("THIDUA_JOBS_IN_PROCESS", "thread")
    JOB_TIMEOUT = _env_int("THIDUA_JOB_TIMEOUT", 1800)
    # A running job writes a heartbeat this often; one silent for JOB_STALE_SECONDS is marked failed.
    JOB_HEARTBEAT_SECONDS = _env_int("THIDUA_JOB_HEARTBEAT_SECONDS", 20)
    JOB_STALE_SECONDS = _env_int("THIDUA_JOB_STALE_SECONDS", 120)
    # A queued job that no process has started within this time is marked failed (retry button).
    JOB_START_SECONDS = _env_int("THIDUA_JOB_START_SECONDS", 600)
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "0") == "1"
    MAIL_FROM = os.environ.get("MAIL_FROM", "thidua@localhost")
    PUBLIC_URL = os.environ.get("THIDUA_PUBLIC_URL", "http://127.0.0.1:5000")


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"
    WTF_CSRF_ENABLED = True
    SQLALCHEMY_DATABASE_URI = _normalise_database_url(
        os.environ.get("TEST_DATABASE_URL", "sqlite://")
    )
    REDIS_URL = None
    JOBS_IN_PROCESS = "sync"
    # Tests move the clock by days and weeks while signed in; the idle limit has a test of its own.
    SESSION_IDLE_SECONDS = 10 * 365 * 24 * 3600


def resolve(app) -> None:
    """Fill in the values that depend on the app's instance folder."""
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'thidua.sqlite'}"
    if not app.config.get("UPLOAD_FOLDER"):
        app.config["UPLOAD_FOLDER"] = str(instance / "files")
    if not app.config.get("SECRET_KEY"):
        # A key kept in the instance folder survives restarts of the embedded default.
        key_file = instance / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        app.config["SECRET_KEY"] = key_file.read_text().strip()
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
        options.pop("pool_pre_ping", None)
        connect_args = dict(options.get("connect_args", {}))
        connect_args.setdefault("timeout", 30)
        options["connect_args"] = connect_args
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
