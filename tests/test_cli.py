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
