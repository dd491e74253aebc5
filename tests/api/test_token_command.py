"""``comptoir token create|list|revoke``."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from comptoir.api.models import ApiToken
from comptoir.cli import main
from tests.api.conftest import ApiClient
from tests.conftest import Personas


def token(*args: str) -> list[str]:
    out = StringIO()
    call_command("token", *args, stdout=out)
    return out.getvalue().splitlines()


def refusal(*args: str) -> str:
    """The one-line message a refused command raises."""
    with pytest.raises(CommandError) as refused:
        token(*args)
    return str(refused.value)


def test_create_prints_a_working_token_once(personas: Personas) -> None:
    secret, hint = token(
        "create", "--workspace", "maison-lumiere", "--user", "Alice@Example.test", "--name", "ci"
    )
    assert secret.startswith("cpt_")
    assert hint == (
        "Shown only this once. Send it as a header: "
        "curl -H 'Authorization: Bearer <token>' http://127.0.0.1:8000/api/v1/me"
    )
    stored = ApiToken.objects.get()
    assert (stored.seat, stored.name) == (personas.alice, "ci")
    assert secret not in (stored.digest, stored.prefix)
    me = ApiClient(secret).ok("/me")
    assert (me["id"], me["workspace"]["slug"]) == (personas.alice.pk, "maison-lumiere")


@pytest.mark.parametrize(
    ("workspace", "user", "message"),
    [
        ("nowhere", "alice@example.test", "no workspace has the slug 'nowhere'"),
        ("maison-lumiere", "nobody@example.test", "no user has the email 'nobody@example.test'"),
        (
            "maison-lumiere",
            "charlie@example.test",
            "charlie@example.test has no seat in the workspace 'maison-lumiere'",
        ),
    ],
)
def test_create_refuses_in_one_line(
    personas: Personas, workspace: str, user: str, message: str
) -> None:
    assert refusal("create", "--workspace", workspace, "--user", user) == message
    assert not ApiToken.objects.exists()


def test_create_refuses_an_inactive_seat(personas: Personas) -> None:
    personas.bob.is_active = False
    personas.bob.save(update_fields=["is_active"])
    assert refusal("create", "--workspace", "maison-lumiere", "--user", "bob@example.test") == (
        "bob@example.test's seat in the workspace 'maison-lumiere' is inactive"
    )


def test_the_cli_prints_one_line_on_error(
    personas: Personas, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["token", "create", "--workspace", "nowhere", "--user", "alice@example.test"])
    assert exited.value.code == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "CommandError: no workspace has the slug 'nowhere'\n"


def test_list_shows_prefixes_never_secrets(personas: Personas) -> None:
    first = token("create", "--workspace", "maison-lumiere", "--user", "alice@example.test")[0]
    second = token(
        "create", "--workspace", "maison-lumiere", "--user", "bob@example.test", "--name", "zapier"
    )[0]
    token("create", "--workspace", "other-corp", "--user", "charlie@example.test")
    ApiClient(first).ok("/me")
    lines = token("list", "--workspace", "maison-lumiere")
    assert lines[0].split() == ["PREFIX", "NAME", "SEAT", "CREATED", "LAST", "USED", "REVOKED"]
    rows = [line.split() for line in lines[1:]]
    bob_prefix, alice_prefix = ("_".join(s.split("_")[:2]) for s in (second, first))
    assert [(r[0], r[1], r[2], r[3], r[-1]) for r in rows] == [
        (bob_prefix, "zapier", "Bob", "<bob@example.test>", "-"),
        (alice_prefix, "-", "Alice", "<alice@example.test>", "-"),
    ]
    assert rows[0][-2] == "never"
    assert rows[1][-2] != "never"
    output = "\n".join(lines)
    for secret in (first, second):
        assert secret not in output
        assert secret.split("_", 2)[2] not in output
    assert "Charlie" not in output


def test_list_of_a_workspace_without_tokens(personas: Personas) -> None:
    assert token("list", "--workspace", "other-corp") == ["No API tokens in other-corp."]
    assert refusal("list", "--workspace", "nowhere") == "no workspace has the slug 'nowhere'"


@pytest.mark.parametrize("named_by", ["prefix", "public part", "whole token"])
def test_revoke_stops_the_token(personas: Personas, named_by: str) -> None:
    secret = token("create", "--workspace", "maison-lumiere", "--user", "alice@example.test")[0]
    public = "_".join(secret.split("_")[:2])
    name = {"prefix": public.removeprefix("cpt_"), "public part": public, "whole token": secret}
    assert token("revoke", name[named_by]) == [f"Revoked {public} (Alice)."]
    assert ApiClient(secret).get("/me").status_code == 401
    revoked_line = token("list", "--workspace", "maison-lumiere")[1]
    assert revoked_line.split()[-1] != "-"
    assert token("revoke", public)[0].startswith(f"{public} was already revoked on ")


def test_revoke_an_unknown_prefix(personas: Personas) -> None:
    assert refusal("revoke", "cpt_nope") == (
        "no API token has the prefix 'cpt_nope'; see `token list`"
    )
