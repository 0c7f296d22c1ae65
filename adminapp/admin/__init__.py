"""The back office at /admin: Flask-Admin with one view per model."""
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme

from ..security import csp_nonce
from ..models import Appeal, AuditLog, Message, Relationship, Report, User
from .appeals import AppealView
from .auditlog import AuditLogView
from .dashboard import DashboardView
from .messages import MessageView
from .relationships import RelationshipView
from .reports import ReportView
from .users import UserView


def init_admin(app):
    """Build a fresh Admin for `app` (a shared one collides between apps: flask-admin #910)."""
    admin = Admin(app, name="tweepee admin",
                  index_view=DashboardView(name="Dashboard", url="/admin"),
                  # cerulean imports no web fonts: the back office works offline
                  theme=Bootstrap4Theme(swatch="cerulean", fluid=True),
                  # the Content-Security-Policy's nonce, printed on Flask-Admin's inline scripts
                  csp_nonce_generator=csp_nonce)
    for view in model_views():
        admin.add_view(view)
    return admin


def model_views():
    """One view per model, in menu order: a fresh instance for every app."""
    return [
        ReportView(Report, name="Reports", endpoint="report"),
        AppealView(Appeal, name="Appeals", endpoint="appeal"),
        MessageView(Message, name="Messages", endpoint="message"),
        UserView(User, name="Users", endpoint="user"),
        RelationshipView(Relationship, name="Follows", endpoint="relationship"),
        AuditLogView(AuditLog, name="Audit log", endpoint="auditlog"),
    ]
