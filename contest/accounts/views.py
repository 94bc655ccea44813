"""Log in, log out, change password."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from flask_login.config import COOKIE_NAME as REMEMBER_COOKIE

from contest.accounts import services as accounts
from contest.accounts.forms import ChangePasswordForm, LoginForm
from contest.accounts.limits import failed_logins
from contest.core.web import on_refusal

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
@failed_logins
def login():
    """Show the login form; on success go to the page asked for, or the account's home."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.username.data, form.password.data)
        if user is None:
            flash(_("Wrong username or password."), "error")
            return render_template("auth/login.html", form=form), 401
        login_user(user, remember=form.remember.data)
        return redirect(_safe_next(request.args.get("next")) or url_for("main.home"))
    return render_template("auth/login.html", form=form), 400 if form.is_submitted() else 200


@bp.post("/logout")
@login_required
def logout():
    """End every session of the account, on every device."""
    accounts.log_out(current_user._get_current_object())
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """The account holder changes their own password; their other sessions end, this one
    goes on (with a new remember cookie if it had one)."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        on_refusal(lambda refused: render_template("auth/password.html", form=form), form)
        user = current_user._get_current_object()
        accounts.change_password(user, form.current.data, form.new.data)
        remembered = current_app.config.get("REMEMBER_COOKIE_NAME", REMEMBER_COOKIE)
        login_user(user, remember=remembered in request.cookies)
        flash(_("Your password has been changed."), "success")
        return redirect(url_for("main.home"))
    return render_template("auth/password.html", form=form), 400 if form.is_submitted() else 200


def _safe_next(target: str | None) -> str | None:
    """Only follow a ``next`` that stays on this site (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
