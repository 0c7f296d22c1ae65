"""The /admin/ index: the dashboard."""
from flask_admin import AdminIndexView, expose

from .base import StaffOnly


class DashboardView(StaffOnly, AdminIndexView):
    @expose("/")
    def index(self):
        return self.render("admin/dashboard.html")
