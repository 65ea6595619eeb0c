"""Public catalogue endpoints: /catalog.*, /datasets/<uuid>.* (DCAT-AP 3)."""
from flask import Blueprint

bp = Blueprint("catalog", __name__)
