"""What the site's forms share: the model's rules as WTForms validators, and the
submit-or-show-the-reasons cycle of a form page."""
from flask import flash, redirect, render_template, request
from wtforms.validators import ValidationError

from . import models


def model_rule(clean):
    """Wrap a models.clean_* function as a WTForms validator (its message is shown)."""
    def validator(form, field):
        try:
            clean(field.data)
        except models.ValidationError as e:
            raise ValidationError(str(e))
    return validator


def show_error(form, error):
    """Put a models.ValidationError on the field it names (or the form's first field)."""
    fields = [field for field in form if field.name != "csrf_token"]
    field = form[error.field] if error.field and error.field in form else fields[0]
    field.errors = [*field.errors, str(error)]


def form_page(form, template, act, success, next_url, more=None, **context):
    """The usual life of a form: when `form` validates, run `act()`, flash `success` and
    redirect to `next_url`; otherwise (or when `act` raises models.ValidationError) render
    `template` with the form and its reasons, 422 after a POST. `more()`, when given,
    returns the rest of the page's context: read only when the page is shown."""
    if form.validate_on_submit():
        try:
            act()
        except models.ValidationError as e:
            show_error(form, e)
        else:
            flash(success, "success")
            return redirect(next_url)
    status = 422 if request.method == "POST" else 200
    return render_template(template, form=form, **context, **(more() if more else {})), status
