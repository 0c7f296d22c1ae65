"""Sending mail: Flask-Mail over SMTP (MAIL_SERVER and friends from the environment).

With no MAIL_SERVER, nothing leaves the machine: each mail is written to
instance/mail/ as an .eml file and its path is logged, so that `make run`
works offline and a developer can open the password-reset link.
"""
import datetime
import os

from flask import current_app
from flask_mail import Mail, Message

mail = Mail()


def send(to, subject, body):
    """Send a plain-text mail to `to`; returns where it went ("smtp" or the file's path)."""
    message = Message(subject, recipients=[to], body=body,
                      sender=current_app.config["MAIL_DEFAULT_SENDER"])
    if not current_app.config.get("MAIL_SERVER"):
        return write_to_folder(message)
    mail.send(message)
    return "smtp"


def write_to_folder(message):
    """Write `message` to instance/mail/<time>-<n>.eml; returns the path (also logged)."""
    folder = os.path.join(current_app.instance_path, "mail")
    os.makedirs(folder, exist_ok=True)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    path = os.path.join(folder, f"{stamp}-{os.getpid()}.eml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(message.as_string())
    current_app.logger.warning("No MAIL_SERVER: the mail to %s is in %s",
                               ", ".join(message.recipients), path)
    return path


def init_app(app):
    mail.init_app(app)
