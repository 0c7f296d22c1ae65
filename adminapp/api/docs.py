"""The browsable docs, /api/v1/docs: Swagger UI from static/vendor/swagger-ui (no CDN), started
by a script of ours (the site's CSP runs no inline script), reading /api/v1/openapi.json."""
from flask import render_template, url_for

from . import bp


@bp.get("/docs")
@bp.doc(hide=True)
def docs():
    return render_template("api/docs.html", spec_url=url_for("openapi.spec"))
