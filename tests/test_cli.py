"""The flask commands: create-user and migrate."""
from adminapp.models import User


def test_create_user_with_role(app):
    result = app.test_cli_runner().invoke(args=["create-user", "boss", "--email", "boss@example.com",
                                                "--role", "admin", "--password", "password123"])
    assert result.exit_code == 0, result.output
    assert "Created admin boss" in result.output
    boss = User.get(User.username == "boss")
    assert boss.role == "admin"
    with app.app_context():
        assert boss.check_password("password123")


def test_create_user_prompts_for_the_password(app):
    result = app.test_cli_runner().invoke(args=["create-user", "mod", "--email", "m@example.com",
                                                "--role", "moderator"],
                                          input="password123\npassword123\n")
    assert result.exit_code == 0, result.output
    assert User.get(User.username == "mod").role == "moderator"


def test_create_user_refuses_bad_input(app, make_user):
    make_user("taken")
    runner = app.test_cli_runner()
    for args, reason in ((["TAKEN", "--email", "t@example.com", "--password", "password123"], "already taken"),
                         (["x", "--email", "t@example.com", "--password", "password123"], "3 to 30"),
                         (["okname", "--email", "nope", "--password", "password123"], "valid email"),
                         (["okname", "--email", "o@example.com", "--password", "short"], "at least 8"),
                         (["okname", "--email", "o@example.com", "--role", "king", "--password", "password123"],
                          "Invalid value")):
        result = runner.invoke(args=["create-user", *args])
        assert result.exit_code != 0
        assert reason in result.output
    assert User.select().count() == 1


def test_moderation_commands_use_the_verbs(app, staff, make_user, audit_rows):
    make_user("pat")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["suspend", "pat", "--by", "mod", "--reason", "spam"])
    assert result.exit_code == 0, result.output
    assert User.get(User.username == "pat").is_suspended
    assert runner.invoke(args=["restore", "pat", "--by", "mod"]).exit_code == 0
    assert runner.invoke(args=["set-role", "pat", "moderator", "--by", "root"]).exit_code == 0
    assert User.get(User.username == "pat").role == "moderator"
    assert [e.action for e in audit_rows()] == ["suspend", "restore", "set_role"]


def test_moderation_commands_refuse_what_the_verbs_refuse(app, staff):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["suspend", "root", "--by", "mod"])
    assert result.exit_code != 0 and "is not below yours" in result.output
    result = runner.invoke(args=["set-role", "root", "user", "--by", "mod"])
    assert result.exit_code != 0 and "Only an admin" in result.output
    result = runner.invoke(args=["suspend", "ghost", "--by", "mod"])
    assert result.exit_code != 0 and "No user called 'ghost'" in result.output
    assert not User.get_by_id(staff.admin.id).is_suspended


def test_bootstrap_seeds_an_empty_database_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["bootstrap", "--users", "12", "--messages", "40"])
    assert first.exit_code == 0, first.output
    assert "Seeded 12 users" in first.output and "demo       tweepee-demo  user" in first.output
    assert User.select().count() == 12
    second = runner.invoke(args=["bootstrap", "--users", "12", "--messages", "40"])
    assert second.exit_code == 0 and "not seeding" in second.output
    assert User.select().count() == 12
