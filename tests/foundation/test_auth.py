"""Signing in and out, through the HTTP client as a person would."""

from assessment.auth.models import Role
from tests.conftest import TEST_PASSWORD


def sign_in(client, email, password=TEST_PASSWORD, **kwargs):
    return client.post("/sign-in", data={"email": email, "password": password}, **kwargs)


def test_sign_in_with_the_right_password_lands_on_the_role_start_page(client, make) -> None:
    user = make.user(Role.ANALYST, email="ana@example.org")
    response = sign_in(client, "ANA@example.org ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").headers["Location"].endswith("/exports")
    assert user.last_login_at is not None


def test_wrong_password_and_unknown_email_get_the_same_message(client, make) -> None:
    make.user(Role.ANALYST, email="ana@example.org")
    wrong = sign_in(client, "ana@example.org", "not the password").get_data(as_text=True)
    unknown = sign_in(client, "nobody@example.org").get_data(as_text=True)
    message = "The email or password is not right."
    assert message in wrong and message in unknown
    assert client.get("/").status_code == 200  # still signed out: the front page is shown


def test_sign_in_issues_a_new_session_cookie(client, make) -> None:
    make.user(Role.ANALYST, email="ana@example.org")
    client.get("/sign-in")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    sign_in(client, "ana@example.org")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"]


def test_sign_out_ends_the_session_even_for_a_copied_cookie(app, client, make) -> None:
    make.user(Role.ANALYST, email="ana@example.org")
    sign_in(client, "ana@example.org")
    cookie = client.get_cookie("session")
    assert cookie is not None
    copy = app.test_client()
    copy.set_cookie("session", cookie.value)
    # Signed in, the front page sends people to their start page; signed out, it is shown.
    assert copy.get("/").status_code == 302
    client.post("/sign-out")
    assert client.get("/").status_code == 200
    # The copy still holds the old cookie, but the server revoked its session.
    assert copy.get("/").status_code == 200


def test_next_parameter_never_leaves_the_site(client, make) -> None:
    make.user(Role.ANALYST, email="ana@example.org")
    response = sign_in(client, "ana@example.org", query_string={"next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    client.post("/sign-out")
    response = sign_in(client, "ana@example.org", query_string={"next": "/methodology"})
    assert response.headers["Location"] == "/methodology"


def test_deactivated_account_cannot_sign_in(client, make) -> None:
    user = make.user(Role.ANALYST, email="ana@example.org")
    user.active = False
    assert "not right" in sign_in(client, "ana@example.org").get_data(as_text=True)


def test_pages_for_signed_in_users_redirect_to_sign_in(client) -> None:
    response = client.get("/exports")
    assert response.status_code == 302
    assert "/sign-in?next=" in response.headers["Location"]


def test_sign_in_attempts_are_rate_limited(app, client, monkeypatch) -> None:
    # The limit is read on every request, so a test can tighten it.
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    codes = [sign_in(client, "nobody@example.org").status_code for _ in range(4)]
    assert codes[:3] == [200, 200, 200]
    assert codes[3] == 429
    assert client.get("/sign-in").status_code == 200  # only attempts are limited
