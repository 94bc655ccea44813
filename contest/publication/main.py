"""Public entry pages, role home dispatch, language switch, health check."""

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required

from contest.accounts.models import Role
from contest.core.extensions import csrf, db
from contest.events import services as events
from contest.publication import caching, public, stamps
from contest.registration import summaries
from contest.results import rules_text

bp = Blueprint("main", __name__)

#: Where each kind of account lands after logging in.
ROLE_HOMES = {
    Role.ADMIN: "admin.home",
    Role.ORGANISER: "organise.home",
    Role.UNIT_CONTACT: "unit.home",
    Role.CHIEF_JUDGE: "judging.home",
    Role.JUDGE: "judging.home",
    Role.ENTRANT: "entrant.home",
    Role.PROCTOR: "proctor.home",
}


@bp.get("/healthz")
def healthz():
    """Health for load balancers: ``ok`` once the database answers a trivial query. If it
    does not, the error handler answers 503 — within the database timeouts (connect, pool,
    statement), not whenever the database comes back."""
    db.session.execute(sa.text("SELECT 1"))
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


@bp.get("/")
def index():
    """The platform's front page: every event with its key figures."""
    return render_template("main/index.html", events=summaries.event_summaries())


@bp.get("/e/<slug>/")
def event_home(slug: str):
    """An event's public home: dates, venue, schedule (in the event's time zone), trades,
    the competition rules (awards and each trade's rules, shown before any result is) and
    links to what has been published. Its content is cached briefly (``public.caching``)."""
    stamp = caching.recent_stamp(slug, stamps.stamp) or abort(404)
    g.timezone = stamp.timezone

    def build():
        event = events.event_by_slug(slug) or abort(404)
        body = render_template(
            "main/event.html",
            event=event,
            stamp=stamp,
            home=public.event_home(event),
            rules=rules_text.event_rules(event),
        )
        return {"title": event.name, "body": body}

    parts = (stamp.changed, stamp.notice, stamp.results, stamp.schedule, stamp.notice_withdrawn,
             stamp.results_withdrawn, stamp.trades)  # fmt: skip
    return caching.respond(parts, build, current_app.config["PUBLIC_HOME_CACHE_TIMEOUT"])


@bp.get("/home")
@login_required
def home():
    """Send each account to its own home page."""
    return redirect(url_for(ROLE_HOMES[current_user.role]))


@bp.post("/lang")
@csrf.exempt
def set_language():
    """Switch the interface language (kept in the session and on the account).

    A visitor who is not logged in switches without a CSRF token, so that public pages carry
    nothing of their own and can be served whole from the cache; an account's choice is
    saved on the account, so there the token is required."""
    if current_user.is_authenticated:
        csrf.protect()
    lang = request.form.get("lang", "")
    if lang not in current_app.config["LANGUAGES"]:
        abort(400)
    session["lang"] = lang
    if current_user.is_authenticated:
        current_user.locale = lang
    return redirect(_back())


def _back() -> str:
    target = request.form.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else url_for(".index")
