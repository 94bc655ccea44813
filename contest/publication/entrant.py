"""An entrant's own entries: registration status, station, check-in."""

from flask import Blueprint, render_template
from flask_login import current_user

from contest.accounts.access import roles_required
from contest.accounts.models import Role
from contest.publication import certificates
from contest.publication import services as publications
from contest.registration import services as registration

bp = Blueprint("entrant", __name__)


@bp.get("/")
@roles_required(Role.ENTRANT)
def home():
    """Every entry of this account, newest event first, with its certificates once the
    results are published."""
    entries = registration.entries_for_user(current_user)
    published = {
        e.event_id for e in entries if publications.published(e.event, publications.RESULTS)
    }
    return render_template(
        "entrant/home.html",
        entries=entries,
        published=published,
        certificates={e.id: certificates.for_entrant(e) for e in entries},
    )
