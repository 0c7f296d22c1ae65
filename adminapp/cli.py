"""Flask commands: `flask --app adminapp migrate | create-user | seed`."""
import click
from flask import current_app
from flask.cli import with_appcontext

from . import db, models, moderation, seed
from .seed.command import main as seed_main
from .vocabulary import Role, Scope


def init_app(app):
    """Register the commands on `app`."""
    app.cli.add_command(migrate_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_command)
    app.cli.add_command(bootstrap_command)
    app.cli.add_command(create_token_command)
    for command in (suspend_command, restore_command, set_role_command):
        app.cli.add_command(command)


@click.command("migrate")
def migrate_command():
    """Create or upgrade the tables (migrations/)."""
    applied = db.migrate()
    click.echo(f"Applied: {', '.join(applied)}" if applied else "The database is up to date.")


@click.command("create-user")
@click.argument("username")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(Role.values()), default=Role.USER.value,
              show_default=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user_command(username, email, role, password):
    """Create an account with the given role."""
    db.migrate()
    try:
        user = models.User.create_account(username, email, password, role=role)
    except models.ValidationError as e:
        raise click.ClickException(str(e))
    click.echo(f"Created {user.role} {user.username}.")


@click.command("create-token")
@click.argument("username")
@click.option("--scope", "scopes", multiple=True, type=click.Choice(Scope.values()),
              default=[Scope.READ.value], show_default=True,
              help="repeat for several: --scope read --scope write")
@click.option("--name", default="command line", show_default=True,
              help="what will use it (shown in /settings/tokens/)")
@with_appcontext
def create_token_command(username, scopes, name):
    """Make an API token for a user and print its secret (shown this once)."""
    try:
        token, secret = models.ApiToken.issue(_user(username), name, scopes)
    except models.ValidationError as e:
        raise click.ClickException(str(e))
    click.echo(f"Token {token.id} for {username} ({token.scopes}); keep it, it is not shown again:")
    click.echo(secret)


@click.command("seed", context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@with_appcontext
def seed_command(args):
    """Fill the database with demo data (the options of seed_data.py)."""
    argv = list(args)
    if "--database" not in argv:
        argv += ["--database", current_app.config["DATABASE_URL"]]
    raise SystemExit(seed_main(argv) or 0)


@click.command("bootstrap")
@click.option("--users", default=200, show_default=True)
@click.option("--messages", default=5000, show_default=True)
@with_appcontext
def bootstrap_command(users, messages):
    """Migrate, seed a small demo set when the database is empty, print the logins."""
    applied = db.migrate()
    if applied:
        click.echo(f"Migrated: {', '.join(applied)}")
    if seed.is_empty():
        click.echo(f"Empty database: seeding {users} users and {messages} messages...")
        click.echo(seed.summary(seed.seed(users=users, messages=messages, follows=20)))
    else:
        click.echo("The database has data already: not seeding. Demo logins, if it was seeded "
                   f"by tweepee: admin, moderator, demo (password {seed.DEMO_PASSWORD!r}).")


def _user(name):
    """The user called `name`, or a ClickException saying there is none."""
    user = models.User.lookup(name)
    if user is None:
        raise click.ClickException(f"No user called {name!r}.")
    return user


def _as_actor(verb, by, target, *args, **kwargs):
    """Run a moderation verb as the user `by`; NotAllowed becomes a ClickException."""
    try:
        return verb(_user(by), target, *args, **kwargs)
    except moderation.NotAllowed as e:
        raise click.ClickException(str(e))


@click.command("suspend")
@click.argument("username")
@click.option("--by", "actor", required=True, help="the moderator or admin acting")
@click.option("--reason", default="Suspended from the command line", show_default=True)
def suspend_command(username, actor, reason):
    """Suspend a user (recorded in the audit log)."""
    _as_actor(moderation.suspend_user, actor, _user(username), reason)
    click.echo(f"{username} is suspended.")


@click.command("restore")
@click.argument("username")
@click.option("--by", "actor", required=True, help="the moderator or admin acting")
@click.option("--reason", default=None)
def restore_command(username, actor, reason):
    """Lift a user's suspension (recorded in the audit log)."""
    _as_actor(moderation.restore_user, actor, _user(username), reason)
    click.echo(f"{username} is restored.")


@click.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice(Role.values()))
@click.option("--by", "actor", required=True, help="the admin acting")
@click.option("--reason", default=None)
def set_role_command(username, role, actor, reason):
    """Change a user's role (admins only; recorded in the audit log)."""
    _as_actor(moderation.set_role, actor, _user(username), role, reason)
    click.echo(f"{username} is now {role}.")
