"""Forms of the public site: post, report, settings, appeal."""
from flask_wtf import FlaskForm
from wtforms import (BooleanField, IntegerField, PasswordField, SelectField, SelectMultipleField,
                     StringField, TextAreaField)
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from .. import models
from ..forms import model_rule
from ..vocabulary import Category, Limits, Scope


class MessageForm(FlaskForm):
    content = TextAreaField("What's happening?", [model_rule(models.clean_content)],
                            render_kw={"maxlength": Limits.MESSAGE_MAX, "rows": 3,
                                       "placeholder": "What's happening?"})


class ReportForm(FlaskForm):
    category = SelectField("Reason", [InputRequired()], choices=Category.options())
    note = TextAreaField("Anything moderators should know? (optional)",
                         [Optional(), Length(max=Limits.NOTE_MAX)],
                         render_kw={"rows": 2, "maxlength": Limits.NOTE_MAX})


class SettingsForm(FlaskForm):
    email = StringField("Email", [InputRequired(), model_rule(models.clean_email)],
                        render_kw={"autocomplete": "email", "maxlength": Limits.EMAIL_MAX})
    bio = TextAreaField("Bio", [Optional(), Length(max=Limits.BIO_MAX)],
                        render_kw={"rows": 3, "maxlength": Limits.BIO_MAX})
    current_password = PasswordField("Current password (to change your password)",
                                     render_kw={"autocomplete": "current-password"})
    # strip_whitespace=False: a password of spaces is refused, not taken for "no change"
    new_password = PasswordField("New password",
                                 [Optional(strip_whitespace=False), model_rule(models.clean_password)],
                                 render_kw={"autocomplete": "new-password",
                                            "minlength": Limits.PASSWORD_MIN})
    revoke_tokens = BooleanField("With a new password, also revoke my API tokens")


class TokenForm(FlaskForm):
    name = StringField("Name (what will use it)", [InputRequired(), Length(max=Limits.TOKEN_NAME_MAX)],
                       render_kw={"maxlength": Limits.TOKEN_NAME_MAX,
                                  "placeholder": "e.g. my posting script"})
    scopes = SelectMultipleField("Scopes", [InputRequired()], default=[Scope.READ.value],
                                 widget=ListWidget(prefix_label=False),
                                 option_widget=CheckboxInput())

    def offer_scopes(self, user):
        """The scopes `user` may choose: `moderate` only for staff (ApiToken.issue's rule)."""
        self.scopes.choices = [choice for choice in Scope.options()
                               if choice.value != Scope.MODERATE or user.is_moderator]
        return self


class AppealForm(FlaskForm):
    """An appeal of one moderation action (its audit entry's id) with what the person says."""
    action_id = IntegerField("Action", [InputRequired("Choose the action you appeal.")])
    text = TextAreaField("Why should the moderators reverse this?",
                         [InputRequired("Say why: an appeal cannot be empty."),
                          Length(max=Limits.APPEAL_MAX)],
                         render_kw={"rows": 3, "maxlength": Limits.APPEAL_MAX})
