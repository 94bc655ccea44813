"""Views of the results area."""

from flask import Blueprint

bp = Blueprint("results", __name__)
