"""Command-line interface: ``flask --app wsgi <command>``."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from contest.extensions import db
from contest.labels import LABELS
from contest.models import Role
from contest.services import demo, events


def register(app: Flask) -> None:
    """Attach the commands to ``app``."""
    app.cli.add_command(seed_demo)


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Load the demo event into an empty database, then print the demo logins."""
    if demo.has_events():
        click.echo(
            "数据库中已有赛事，未加载演示数据。 The database already has events; demo not loaded."
        )
        if events.event_by_slug(demo.DEMO_SLUG) is None:
            return
    else:
        event = demo.seed()
        db.session.commit()
        click.echo(f"已加载演示赛事 Demo event loaded: {event.name} ({event.slug})")
    click.echo("")
    click.echo(f"演示账号 Demo logins (password / 密码: {demo.DEMO_PASSWORD})")
    for login in demo.demo_logins():
        role_zh = _role_name(login.role)
        click.echo(f"  {login.username:<12} {role_zh} / {login.role.value}")


def _role_name(role: Role) -> str:
    """The Chinese role name, for console output outside a request."""
    from flask_babel import force_locale

    with force_locale("zh_Hans_CN"):
        return str(LABELS[Role][role])
