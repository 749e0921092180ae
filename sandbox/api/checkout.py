"""Routes for the checkout area (being written)."""

from flask import Blueprint

bp = Blueprint("checkout", __name__)
