"""What the site's forms share: the model's rules as WTForms validators."""
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
