"""Views of the appeals area."""

from flask import Blueprint

bp = Blueprint("appeals", __name__)
