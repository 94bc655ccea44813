"""The public pages of an event: results per trade, award lists, the 公示 with its objection
form, the entrant self-lookup and the venue screen.

Nothing about results is shown before its publication exists: until then these pages answer
404, as for an unknown event or trade. Once withdrawn, they answer 410 with a page saying when
and why, until published again. Published pages are cached (``caching``).
"""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from contest.core.extensions import cache, limiter
from contest.core.labels import label
from contest.core.refusals import describe
from contest.core.types import utcnow
from contest.core.web import on_refusal
from contest.domain.refusal import Refused
from contest.domain.scoring import DeclaredStatus
from contest.domain.stages import StageKind, StageState, WindowClosed
from contest.events import services as events
from contest.events.models import Event
from contest.exams import sitting as sittings
from contest.publication import caching, notice, public, stamps
from contest.publication import services as publications
from contest.publication.forms import LookupForm, ObjectionForm
from contest.publication.models import Publication
from contest.results import quiz_board as quiz_board_rows
from contest.stages import services as stages

bp = Blueprint("public", __name__)

#: Seconds between refreshes of the venue screen (a meta refresh, allowed by the CSP).
SCREEN_REFRESH = 30
#: The venue screen has at most this many pages (bounds the cache keys a visitor can make).
SCREEN_PAGES = 100


@bp.app_template_global()
def result_status(status: str) -> str:
    """How a published result's status reads ('' for a ranked entrant)."""
    if status in DeclaredStatus.__members__:
        return label(DeclaredStatus(status))
    return "" if status == "ok" else _("Incomplete")


# --- loading ------------------------------------------------------------------------------


#: The publication kind behind each ``Stamp`` field a page may need.
KIND_OF = {"notice": publications.NOTICE, "results": publications.RESULTS}


def _stamp(slug: str, needs: str | None = None) -> stamps.Stamp:
    """The event's stamp; 404 for an unknown event or one without the publication needed,
    410 with the withdrawal page when that publication was withdrawn."""
    found = caching.recent_stamp(slug, stamps.stamp)
    if found is None:
        abort(404)
    g.timezone = found.timezone
    if needs is not None and getattr(found, needs) is None:
        if getattr(found, f"{needs}_withdrawn") is not None:
            event = events.event_by_slug(slug) or abort(404)
            gone = publications.withdrawn(event, KIND_OF[needs]) or abort(404)
            abort(withdrawn_page(event, gone, found))
        abort(404)
    return found


def withdrawn_page(
    event: Event, publication: Publication, stamp: stamps.Stamp | None = None
) -> Response:
    """The page shown instead of a withdrawn publication (410): when it was published, when
    and why it was withdrawn. Not cached: it is small, and publishing again replaces it."""
    g.timezone = event.timezone
    html = render_template(
        "public/withdrawn.html",
        event=event,
        stamp=stamp or stamps.stamp(event.slug),
        publication=publication,
        results=publication.kind == publications.RESULTS,
    )
    response = make_response(html, 410)
    response.headers["Cache-Control"] = "no-store"
    return response


def _published(slug: str, kind: str) -> tuple[Event, Publication]:
    event = events.event_by_slug(slug) or abort(404)
    return event, publications.published(event, kind) or abort(404)


def _cached(parts: tuple, build, frame=None, query=None):
    timeout = current_app.config["PUBLIC_CACHE_TIMEOUT"]
    return caching.respond(parts, build, timeout, frame, query)


# --- published results --------------------------------------------------------------------


@bp.get("/e/<slug>/results")
def results_index(slug: str):
    """Every trade with published results, and the units' table (points and medals)."""
    stamp = _stamp(slug, "results")

    def build():
        event, publication = _published(slug, publications.RESULTS)
        body = render_template(
            "public/_results.html",
            event=event,
            stamp=stamp,
            overview=public.overview(event, publication),
        )
        return {"title": _("Results") + " · " + event.name, "body": body}

    return _cached((stamp.changed, stamp.notice, stamp.results), build)


@bp.get("/e/<slug>/results/<trade_code>")
def trade_results(slug: str, trade_code: str):
    """A trade's published results with the distribution of the totals."""
    stamp = _stamp(slug, "results")

    def build():
        event, publication = _published(slug, publications.RESULTS)
        results = public.trade_results(event, publication, trade_code) or abort(404)
        chart = {
            "labels": results.histogram.labels,
            "counts": results.histogram.counts,
            "series": _("Entrants"),
            "x": _("Total score"),
            "y": _("Entrants"),
        }
        body = render_template(
            "public/_trade.html", event=event, stamp=stamp, results=results, chart=chart
        )
        title = _("%(trade)s results", trade=results.name) + " · " + event.name
        return {"title": title, "body": body, "chart": True}

    return _cached((stamp.changed, stamp.notice, stamp.results), build)


@bp.get("/e/<slug>/awards")
def awards(slug: str):
    """The final award lists, with the changes made by upheld objections."""
    stamp = _stamp(slug, "results")

    def build():
        event, publication = _published(slug, publications.RESULTS)
        body = render_template(
            "public/_awards.html",
            event=event,
            stamp=stamp,
            awards=public.final_awards(publication),
        )
        return {"title": _("Award lists") + " · " + event.name, "body": body}

    return _cached((stamp.changed, stamp.notice, stamp.results), build)


@bp.get("/e/<slug>/screen")
def screen(slug: str):
    """The venue's big screen: medal table and first places, turning pages by itself."""
    stamp = _stamp(slug, "results")
    number = min(max(request.args.get("page", 1, type=int), 1), SCREEN_PAGES)

    def build():
        event, publication = _published(slug, publications.RESULTS)
        shown = public.screen(event, publication, number)
        body = render_template("public/_screen.html", event=event, stamp=stamp, screen=shown)
        following = shown.page % shown.pages + 1
        return {"title": _("Venue screen") + " · " + event.name, "body": body, "next": following}

    def frame(page: dict) -> dict:
        refresh = f"{SCREEN_REFRESH}; url={url_for('.screen', slug=slug, page=page['next'])}"
        return {"refresh": refresh, "screen": True}

    parts = (stamp.changed, stamp.notice, stamp.results, number)
    return _cached(parts, build, frame, query={"page": number})


# --- 公示 and objections ------------------------------------------------------------------


def _objection_limit() -> str:
    return current_app.config["OBJECTION_RATE_LIMIT"]


@bp.route("/e/<slug>/notice", methods=["GET", "POST"])
@limiter.limit(_objection_limit, methods=["POST"])
def notice_page(slug: str):
    """The 公示 nomination list, the decisions on upheld objections and, while the notice
    is open, the real-name objection form. Only the list is cached: the form carries the
    visitor's own CSRF token."""
    stamp = _stamp(slug, "notice")
    event = events.event_by_slug(slug) or abort(404)

    def build():
        publication = publications.published(event, publications.NOTICE) or abort(404)
        nominations = publication.payload["awards"]
        return {
            "body": render_template("public/_nominations.html", awards=nominations),
            "choices": [
                (c.value, c.label, c.award, c.entrant)
                for c in public.nomination_choices(nominations)
            ],
            "people": public.nominees(nominations),
        }

    timeout = current_app.config["PUBLIC_CACHE_TIMEOUT"]
    lists, state = caching.fetch((stamp.changed, stamp.notice), build, timeout)
    targets = {value: (award, entrant) for value, _label, award, entrant in lists["choices"]}
    form = ObjectionForm()
    form.set_nominations([(value, text) for value, text, _a, _e in lists["choices"]])

    def page(refused: Refused | None = None, status: int = 200):
        window = public.notice_window(event)
        is_open = window is not None and window.state == StageState.OPEN
        closed = None
        if not is_open and not isinstance(refused, WindowClosed):
            closed = describe(stages.closed(StageKind.PUBLIC_NOTICE, window), context=False)
        changes = public.describe_changes(notice.changes(event), lists["people"])
        html = render_template(
            "public/notice.html",
            event=event,
            stamp=stamp,
            lists=lists["body"],
            changes=changes,
            window=window,
            is_open=is_open,
            closed=closed,
            form=form,
        )
        return html, status, {"X-Cache": state}

    if not form.is_submitted():
        return page()
    on_refusal(page, form)
    stages.require_open(event, StageKind.PUBLIC_NOTICE)
    if not form.validate():
        return page(status=400)
    award, entrant = targets[form.nomination.data]
    notice.file(event, award, entrant, form.name.data, form.phone.data, form.text.data)
    flash(
        _(
            "Your objection has been received. The organisers will look into it; "
            "upheld objections are published on this page."
        ),
        "success",
    )
    return redirect(url_for(".notice_page", slug=slug))


# --- the entrant's own result -------------------------------------------------------------


def _lookup_limit() -> str:
    return current_app.config["LOOKUP_RATE_LIMIT"]


@bp.route("/e/<slug>/lookup", methods=["GET", "POST"])
@limiter.limit(_lookup_limit, methods=["POST"])
def lookup(slug: str):
    """An entrant finds their published result and certificates by name and the last four
    characters of their ID number, or by a certificate number. Never cached."""
    stamp = _stamp(slug, "results")
    event = events.event_by_slug(slug) or abort(404)
    form = LookupForm()
    found, status = None, 200
    if form.is_submitted():
        if form.validate():
            publication = publications.published(event, publications.RESULTS) or abort(404)
            if form.by_certificate:
                found = public.lookup_by_certificate(event, publication, form.certificate.data)
            else:
                found = public.lookup_by_name(event, publication, form.name.data, form.last4.data)
        else:
            status = 400
    response = make_response(
        render_template("public/lookup.html", event=event, stamp=stamp, form=form, found=found),
        status,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/e/<slug>/quiz/<trade_code>")
def quiz_board(slug: str, trade_code: str):
    """The board by unit of a trade's exam once it has opened (an online round): the
    participation rate live, the mean scores once the round has closed; kept for
    ``QUIZ_BOARD_SECONDS`` between computations."""
    event = events.event_by_slug(slug) or abort(404)
    trade = next((t for t in event.trades if t.code == trade_code), None) or abort(404)
    by_mean = request.args.get("by") == "mean"
    now = utcnow()
    key = f"quiz-board:{trade.id}:{int(by_mean)}"
    body = cache.get(key)
    if body is None:
        found = quiz_board_rows.board(trade, now, by_mean)
        if found is None or not sittings.has_opened(found.setting, now):
            abort(404)
        body = render_template("public/quiz_board.html", event=event, board=found)
        cache.set(key, body, timeout=current_app.config["QUIZ_BOARD_SECONDS"])
    response = make_response(body)
    response.headers["Cache-Control"] = "no-cache"
    return response
