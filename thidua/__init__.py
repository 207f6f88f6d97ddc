"""thidua: the administrative-reform emulation campaign of an education department."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: object | None = None) -> Flask:
    from thidua import config as config_module

    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
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
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)

    from thidua import models  # noqa: F401  (registers every table with the metadata)
    from thidua import cli, security, web

    security.init_app(app)
    from thidua.gallery import cache as gallery_cache

    gallery_cache.init_app(app)
    web.init_app(app)
    cli.init_app(app)

    from thidua.auth import bp as auth_bp
    from thidua.awards import bp as awards_bp
    from thidua.campaigns import bp as campaigns_bp
    from thidua.gallery import bp as gallery_bp
    from thidua.jobs import bp as jobs_bp
    from thidua.main import bp as main_bp
    from thidua.nominations import bp as nominations_bp
    from thidua.notifications import bp as notifications_bp  # also registers the reminder job handlers
    from thidua.registration import bp as registration_bp
    from thidua.reports import bp as reports_bp  # also registers the report job handler
    from thidua.results import bp as results_bp
    from thidua.review import bp as review_bp
    from thidua.units import bp as units_bp

    for blueprint in (main_bp, auth_bp, units_bp, campaigns_bp, registration_bp, results_bp, review_bp, jobs_bp,
                      awards_bp, gallery_bp, nominations_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(reports_bp)
    app.register_blueprint(notifications_bp)
    from thidua.notifications import events

    events.init_app(app)  # the unit's people hear of their initiatives' moves
    from thidua.imports import bp as imports_bp

    app.register_blueprint(imports_bp)
    from thidua.targets import bp as targets_bp
    from thidua.targets import import_views, person_views, views  # noqa: F401  (the blueprint's routes)

    app.register_blueprint(targets_bp)
    return app
