"""The labour-competition platform: application factory."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from contest.core import config as config_module
from contest.core.extensions import babel, cache, csrf, db, limiter, login_manager, migrate
from contest.core.web import App


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, errors, CLI."""
    app = App(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    load_config(app, config)
    register_extensions(app)
    register_blueprints(app)
    if app.config["PROXY_COUNT"]:
        count = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]
    register_reactions()
    register_request_hooks(app)
    register_error_handlers(app)
    register_commands(app)
    if app.config["SCHEDULER_IN_PROCESS"]:
        from contest.stages import scheduler

        scheduler.start_in_process(app)
    return app


def load_config(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Defaults → instance/config.py → environment → explicit overrides."""
    app.config.from_object(config_module.Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env(prefix="CONTEST")
    config_module.apply_environment(app.config)
    if overrides:
        app.config.update(overrides)
    config_module.login_settings(app.config)

    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        os.makedirs(app.instance_path, exist_ok=True)
        path = os.path.join(app.instance_path, "contest.sqlite")
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    app.config["SQLALCHEMY_DATABASE_URI"] = config_module.normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = config_module.database_options(app.config)

    if not app.config.get("SECRET_KEY"):
        if app.config["ENV_NAME"] == "production":
            raise RuntimeError(
                "CONTEST_SECRET_KEY must be set in production (a long random string)."
            )
        app.config["SECRET_KEY"] = config_module.instance_secret(app.instance_path)
    config_module.public_address(app.config)


def register_extensions(app: Flask) -> None:
    """Bind the extension singletons to this app."""
    from contest.accounts import access
    from contest.core import i18n

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations"),
        render_as_batch=True,
    )
    limiter.init_app(app)  # before CSRF, so refused floods are counted too
    cache.init_app(app, config=config_module.cache_settings(app.config))
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        timezone_selector=i18n.select_timezone,
    )
    login_manager.init_app(app)
    access.configure_login(login_manager)


def register_blueprints(app: Flask) -> None:
    """One or more blueprints per feature, lowest first."""
    from contest.accounts.admin import bp as admin_bp
    from contest.accounts.views import bp as auth_bp
    from contest.appeals.views import bp as appeals_bp
    from contest.exams.practice_views import bp as practice_bp
    from contest.exams.proctor_views import bp as proctor_bp
    from contest.exams.views import bp as exam_bp
    from contest.judging.api import bp as api_bp
    from contest.judging.card_views import bp as cards_bp
    from contest.judging.chief_views import bp as chief_bp
    from contest.judging.draw_views import bp as draw_bp
    from contest.judging.views import bp as judging_bp
    from contest.organise.views import bp as organise_bp
    from contest.publication.documents_views import bp as documents_bp
    from contest.publication.entrant import bp as entrant_bp
    from contest.publication.main import bp as main_bp
    from contest.publication.publishing_views import bp as publishing_bp
    from contest.publication.views import bp as public_bp
    from contest.registration.unit import bp as unit_bp
    from contest.registration.views import bp as registration_bp
    from contest.results.views import bp as results_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(unit_bp, url_prefix="/unit")
    app.register_blueprint(registration_bp, url_prefix="/registration")
    app.register_blueprint(exam_bp, url_prefix="/exam")  # /exam/<slug>/…
    app.register_blueprint(proctor_bp, url_prefix="/proctor")
    app.register_blueprint(results_bp, url_prefix="/results")
    app.register_blueprint(main_bp)
    app.register_blueprint(public_bp)  # /e/<slug>/…
    app.register_blueprint(documents_bp)  # /e/<slug>/awards.pdf, /verify/<code>, …
    app.register_blueprint(entrant_bp, url_prefix="/me")
    app.register_blueprint(practice_bp, url_prefix="/me/practice")
    app.register_blueprint(publishing_bp, url_prefix="/publication")
    app.register_blueprint(appeals_bp, url_prefix="/appeals")
    app.register_blueprint(judging_bp, url_prefix="/judging")
    app.register_blueprint(api_bp, url_prefix="/api")
    app.register_blueprint(chief_bp, url_prefix="/chief")
    app.register_blueprint(draw_bp, url_prefix="/registration")
    app.register_blueprint(cards_bp)  # /card/<token>
    app.register_blueprint(organise_bp, url_prefix="/organise")


def register_reactions() -> None:
    """What a feature does when one below it announces something (blinker signals): the
    results and the publications when a stage is reached, the results when a trade's field
    changes, judging when an appeal is upheld."""
    from contest.appeals.services import appeal_upheld
    from contest.exams.sitting import attempt_ended, end_overdue
    from contest.judging import chief
    from contest.publication import final
    from contest.registration.services import entrants_changed
    from contest.results import services as results
    from contest.stages.scheduler import tick
    from contest.stages.services import stage_reached

    stage_reached.connect(results.on_stage_reached)
    attempt_ended.connect(results.recompute_trade)
    tick.connect(end_overdue)
    entrants_changed.connect(results.recompute_trade)
    stage_reached.connect(final.on_stage_reached)
    appeal_upheld.connect(chief.on_appeal_upheld)


def register_request_hooks(app: Flask) -> None:
    """Security headers on every response; template helpers for every page."""
    from contest.core import i18n, pagination, security

    app.before_request(security.refuse_nul_characters)
    app.after_request(security.set_headers)
    i18n.register_template_helpers(app)
    pagination.register_template_helpers(app)


def register_error_handlers(app: Flask) -> None:
    """Friendly, translated error pages (and JSON for API clients); never a stack trace."""
    from contest.core.web import register_error_handlers

    register_error_handlers(app)


def register_commands(app: Flask) -> None:
    """The ``flask --app wsgi …`` commands."""
    from contest import cli

    cli.register(app)
