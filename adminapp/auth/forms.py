"""Forms for joining and logging in; the rules themselves live in models.py."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import InputRequired, ValidationError

from .. import models


def model_rule(clean):
    """Wrap a models.clean_* function as a WTForms validator (its message is shown)."""
    def validator(form, field):
        try:
            clean(field.data)
        except models.ValidationError as e:
            raise ValidationError(str(e))
    return validator


class JoinForm(FlaskForm):
    username = StringField("Username", [InputRequired(), model_rule(models.clean_username)],
                           render_kw={"autocomplete": "username", "maxlength": 30})
    email = EmailField("Email", [InputRequired(), model_rule(models.clean_email)],
                       render_kw={"autocomplete": "email"})
    password = PasswordField("Password", [InputRequired(), model_rule(models.clean_password)],
                             render_kw={"autocomplete": "new-password", "minlength": 8})


class LoginForm(FlaskForm):
    username = StringField("Username", [InputRequired()], render_kw={"autocomplete": "username"})
    password = PasswordField("Password", [InputRequired()],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField("Keep me logged in")
