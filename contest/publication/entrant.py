"""An entrant's own entries: registration status, station, check-in."""

import sqlalchemy as sa
from flask import Blueprint, render_template
from flask_login import current_user

from contest.accounts.access import roles_required
from contest.accounts.models import Role
from contest.core.extensions import db
from contest.core.links import public_url
from contest.exams.models import ExamSetting
from contest.publication import certificates, documents
from contest.publication import services as publications
from contest.registration import cards
from contest.registration import services as registration
from contest.registration.models import Entrant, RegistrationStatus

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
        exam_cards=_exam_cards(entries),
    )


def _exam_cards(entries: list[Entrant]) -> dict[int, str]:
    """For each approved entry whose trade has an exam, the QR that signs in to it."""
    with_exam = set(
        db.session.scalars(
            sa.select(ExamSetting.trade_id).where(
                ExamSetting.trade_id.in_([e.trade_id for e in entries])
            )
        )
    )
    return {
        e.id: documents.qr_data_uri(
            public_url("exam.card", slug=e.event.slug, token=cards.card_token(e))
        )
        for e in entries
        if e.trade_id in with_exam and e.registration_status == RegistrationStatus.APPROVED
    }
