"""Flask commands: `flask --app adminapp migrate | create-user | seed`."""
import os
import sys

import click
from flask import current_app

from . import db, models


def init_app(app):
    """Register the commands on `app`."""
    app.cli.add_command(migrate_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_command)
    app.cli.add_command(bootstrap_command)


def _seed_module():
    """Import seed_data.py from the repository root (it is a script, not in the package)."""
    root = os.path.dirname(current_app.root_path)
    if root not in sys.path:
        sys.path.insert(0, root)
    import seed_data
    return seed_data


@click.command("migrate")
def migrate_command():
    """Create or upgrade the tables (migrations/)."""
    applied = db.migrate()
    click.echo(f"Applied: {', '.join(applied)}" if applied else "The database is up to date.")


@click.command("create-user")
@click.argument("username")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(models.ROLES), default="user", show_default=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user_command(username, email, role, password):
    """Create an account with the given role."""
    db.migrate()
    try:
        user = models.User.create_account(username, email, password, role=role)
    except models.ValidationError as e:
        raise click.ClickException(str(e))
    click.echo(f"Created {user.role} {user.username}.")


@click.command("seed", context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def seed_command(args):
    """Fill the database with demo data (the options of seed_data.py)."""
    seed_data = _seed_module()
    argv = list(args)
    if "--database" not in argv:
        argv += ["--database", current_app.config["DATABASE_URL"]]
    sys.exit(seed_data.main(argv) or 0)


@click.command("bootstrap")
@click.option("--users", default=200, show_default=True)
@click.option("--messages", default=5000, show_default=True)
def bootstrap_command(users, messages):
    """Migrate, seed a small demo set when the database is empty, print the logins."""
    applied = db.migrate()
    if applied:
        click.echo(f"Migrated: {', '.join(applied)}")
    seed_data = _seed_module()
    if seed_data.is_empty():
        click.echo(f"Empty database: seeding {users} users and {messages} messages...")
        seed_data.seed(users=users, messages=messages, follows=20)
    else:
        click.echo("The database has data already: not seeding.")
    click.echo("Demo logins (password tweepee-demo unless you changed it): "
               "admin (admin), moderator (moderator), demo (user)")
