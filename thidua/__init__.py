"""thidua: the administrative-reform emulation campaign of an education department."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """The templates or the migrations: inside the package when installed from a wheel (setup.py puts
    them there), beside it in a checkout."""
    inside = PACKAGE / name
    return inside if inside.is_dir() else PACKAGE.parent / name


TEMPLATES = resource_dir("templates")
MIGRATIONS = resource_dir("migrations")


def create_app(config: object | None = None) -> Flask:
    from thidua import config as config_module

    app = Flask(
        __name__,
        template_folder=str(TEMPLATES),
        instance_relative_config=True,
    )
    from thidua.paging import BoundedIntConverter

    app.url_map.converters["int"] = BoundedIntConverter  # an id past the database's integers is a 404
    from thidua.web import HtmlSafeJSON

    app.json = HtmlSafeJSON(app)  # the open data's text never carries markup a page could run
    app.config.from_object(config or config_module.Config)
    config_module.resolve(app)
    if app.config.get("TRUSTED_PROXIES"):
        # Behind N reverse proxies, the client's address, scheme and host are the ones the
        # nearest N appended; anything a client wrote into those headers itself is ignored.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from thidua.extensions import csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)

    from thidua import models  # noqa: F401  (registers every table with the metadata)
    from thidua import cli, security, web

    security.init_app(app)
    from thidua.gallery import cache as gallery_cache

    gallery_cache.init_app(app)
    web.init_app(app)
    cli.init_app(app)

    from thidua import stages

    stages.wire()  # what each move requires and does, who hears of it, which function runs each job
    from thidua.notifications import events

    events.init_app(app)  # e-mail queued by a request is delivered after it
    for blueprint in _blueprints():
        app.register_blueprint(blueprint)
    return app


def _blueprints() -> list:
    """Every blueprint with its routes: each package defines only its blueprint, the views attach to it."""
    from thidua import auth, awards, campaigns, gallery, imports, jobs, main, nominations, notifications
    from thidua import registration, reports, results, review, targets, units
    from thidua.auth import views as _auth  # noqa: F401  (each of these attaches its routes to its blueprint)
    from thidua.awards import views as _awards  # noqa: F401
    from thidua.campaigns import views as _campaigns  # noqa: F401
    from thidua.gallery import office_views as _gallery_office  # noqa: F401
    from thidua.gallery import views as _gallery  # noqa: F401
    from thidua.imports import views as _imports  # noqa: F401
    from thidua.jobs import views as _jobs  # noqa: F401
    from thidua.main import views as _main  # noqa: F401
    from thidua.nominations import views as _nominations  # noqa: F401
    from thidua.notifications import cli as _reminder_commands  # noqa: F401
    from thidua.notifications import views as _notifications  # noqa: F401
    from thidua.registration import office_views as _registration_office  # noqa: F401
    from thidua.registration import views as _registration  # noqa: F401
    from thidua.reports import views as _reports  # noqa: F401
    from thidua.results import views as _results  # noqa: F401
    from thidua.review import office_views as _review_office  # noqa: F401
    from thidua.review import reviewer_views as _review  # noqa: F401
    from thidua.targets import import_views as _targets_import  # noqa: F401
    from thidua.targets import person_views as _targets_persons  # noqa: F401
    from thidua.targets import views as _targets  # noqa: F401
    from thidua.units import views as _units  # noqa: F401

    return [main.bp, auth.bp, units.bp, campaigns.bp, registration.bp, results.bp, review.bp, jobs.bp, awards.bp,
            gallery.bp, nominations.bp, reports.bp, notifications.bp, imports.bp, targets.bp]
