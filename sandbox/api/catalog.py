"""Routes for the catalog area (being written)."""

from flask import Blueprint

bp = Blueprint("catalog", __name__)
