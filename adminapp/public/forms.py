"""Forms of the public site: post, report, settings."""
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from .. import models
from ..auth.forms import model_rule


class MessageForm(FlaskForm):
    content = TextAreaField("What's happening?", [model_rule(models.clean_content)],
                            render_kw={"maxlength": models.MESSAGE_MAX, "rows": 3,
                                       "placeholder": "What's happening?"})


class ReportForm(FlaskForm):
    category = SelectField("Reason", [InputRequired()],
                           choices=[SelectChoice("spam", "Spam"),
                                    SelectChoice("abuse", "Abuse or harassment"),
                                    SelectChoice("illegal", "Illegal content"),
                                    SelectChoice("other", "Something else")])
    note = TextAreaField("Anything moderators should know? (optional)",
                         [Optional(), Length(max=1000)], render_kw={"rows": 2, "maxlength": 1000})


class SettingsForm(FlaskForm):
    email = StringField("Email", [InputRequired(), model_rule(models.clean_email)],
                        render_kw={"autocomplete": "email"})
    bio = TextAreaField("Bio", [Optional(), Length(max=models.BIO_MAX)],
                        render_kw={"rows": 3, "maxlength": models.BIO_MAX})
    current_password = PasswordField("Current password (to change your password)",
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField("New password", [Optional(), model_rule(models.clean_password)],
                                 render_kw={"autocomplete": "new-password"})
