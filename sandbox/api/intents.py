"""Routes for the intents area (being written)."""

from flask import Blueprint

bp = Blueprint("intents", __name__)
