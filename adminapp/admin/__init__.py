"""The back office at /admin: Flask-Admin with one view per model."""
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme

from .dashboard import DashboardView


def init_admin(app):
    """Build a fresh Admin for `app` (a shared one collides between apps: flask-admin #910)."""
    admin = Admin(app, name="tweepee admin",
                  index_view=DashboardView(name="Dashboard", url="/admin"),
                  # cerulean imports no web fonts: the back office works offline
                  theme=Bootstrap4Theme(swatch="cerulean", fluid=True))
    for view in model_views():
        admin.add_view(view)
    return admin


def model_views():
    """One view per model, in menu order."""
    return []
