"""Administrator pages: accounts and the audit log."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest.accounts import services as accounts
from contest.accounts.access import roles_required
from contest.accounts.forms import CreateUserForm, ResetPasswordForm
from contest.accounts.models import Role, User
from contest.core import audit, pagination
from contest.core.extensions import db
from contest.core.web import on_refusal

bp = Blueprint("admin", __name__)
admin_only = roles_required(Role.ADMIN)


def _page(form: CreateUserForm, status: int = 200):
    users = accounts.everyone()
    recent = audit.recent(pagination.requested())
    return render_template("admin/home.html", users=users, recent=recent, form=form), status


@bp.get("/")
@admin_only
def home():
    """Accounts, a form for new organisers, and the latest audit entries."""
    return _page(CreateUserForm())


@bp.post("/users")
@admin_only
def create_user():
    """Create an organiser or administrator account."""
    form = CreateUserForm()
    if not form.validate():
        return _page(form, 400)
    on_refusal(lambda refused: _page(form), form)
    user = accounts.create_user(
        current_user,
        username=form.username.data,
        name=form.name.data,
        role=Role(form.role.data),
        password=form.password.data,
        phone=form.phone.data or None,
    )
    flash(_("Account %(name)s created.", name=user.username), "success")
    return redirect(url_for(".home"))


@bp.post("/users/<int:user_id>/active")
@admin_only
def toggle_active(user_id: int):
    """Disable an active account or enable a disabled one."""
    user = db.get_or_404(User, user_id)
    on_refusal(lambda refused: _page(CreateUserForm(formdata=None)))
    accounts.set_active(current_user, user, not user.active)
    return redirect(url_for(".home"))


@bp.post("/users/<int:user_id>/sign-out")
@admin_only
def sign_out(user_id: int):
    """End every session and remember cookie of an account (强制下线)."""
    user = db.get_or_404(User, user_id)
    accounts.sign_out_everywhere(current_user, user)
    flash(_("%(name)s has been signed out on every device.", name=user.username), "success")
    return redirect(url_for(".home"))


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@admin_only
def reset_password(user_id: int):
    """Set a new password for an account (e.g. a judge who forgot theirs)."""
    user = db.get_or_404(User, user_id)
    form = ResetPasswordForm()

    def page():
        return render_template("admin/password.html", form=form, user=user)

    if form.validate_on_submit():
        on_refusal(lambda refused: page(), form)
        accounts.reset_password(current_user, user, form.password.data, form.reason.data)
        flash(_("Password of %(name)s reset.", name=user.username), "success")
        return redirect(url_for(".home"))
    return page(), 400 if form.is_submitted() else 200
