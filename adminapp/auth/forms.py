"""Forms for joining and logging in; the rules themselves live in models.py."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import InputRequired

from .. import models
from ..forms import model_rule
from ..vocabulary import Limits


class JoinForm(FlaskForm):
    username = StringField("Username", [InputRequired(), model_rule(models.clean_username)],
                           render_kw={"autocomplete": "username",
                                      "maxlength": Limits.USERNAME_MAX})
    email = EmailField("Email", [InputRequired(), model_rule(models.clean_email)],
                       render_kw={"autocomplete": "email", "maxlength": Limits.EMAIL_MAX})
    password = PasswordField("Password", [InputRequired(), model_rule(models.clean_password)],
                             render_kw={"autocomplete": "new-password",
                                        "minlength": Limits.PASSWORD_MIN})


class LoginForm(FlaskForm):
    username = StringField("Username", [InputRequired()], render_kw={"autocomplete": "username"})
    password = PasswordField("Password", [InputRequired()],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField("Keep me logged in")


class ResetRequestForm(FlaskForm):
    email = EmailField("Email", [InputRequired(), model_rule(models.clean_email)],
                       render_kw={"autocomplete": "email", "maxlength": Limits.EMAIL_MAX})


class ResetForm(FlaskForm):
    password = PasswordField("New password", [InputRequired(), model_rule(models.clean_password)],
                             render_kw={"autocomplete": "new-password",
                                        "minlength": Limits.PASSWORD_MIN})
