"""What the visible text keeps and what it trims, one reply style at a time."""

from __future__ import annotations

import pytest

from comptoir.channels.email.mime import unflow
from comptoir.channels.email.quotes import visible_text


@pytest.mark.parametrize(
    ("full_text", "visible"),
    [
        pytest.param(
            "Merci !\n\nLe mar. 17 nov. 2026 à 09:00, Léa <service@maison.example.com> a écrit :\n"
            "> Bonjour",
            "Merci !",
            id="french attribution on one line",
        ),
        pytest.param(
            "Thanks!\n\nOn Tue, Nov 17, 2026 at 9:00 AM Léa <\nservice@maison.example.com> wrote:\n"
            "> Hello",
            "Thanks!",
            id="english attribution wrapped by Gmail",
        ),
        pytest.param(
            "Le colis est cassé.\nLe mar. 17 nov. 2026 à 09:00, Léa <l@example.com> a écrit :\n"
            "> Bonjour",
            "Le colis est cassé.",
            id="a sentence starting with Le is not part of the attribution",
        ),
        pytest.param(
            "OK for Tuesday.\n\n-----Original Message-----\nFrom: Léa\nSent: Monday\nTo: Dan\n"
            "Subject: Visit\n\nHello",
            "OK for Tuesday.",
            id="outlook original message",
        ),
        pytest.param(
            "D'accord.\n\n-----Message d'origine-----\nDe : Léa\nEnvoyé : lundi\n",
            "D'accord.",
            id="outlook message d'origine",
        ),
        pytest.param(
            "Noted.\n\n________________________________\nFrom: Léa\nSent: Monday\n",
            "Noted.",
            id="outlook underscore line",
        ),
        pytest.param(
            "Bien reçu.\n\nDe : Léa <service@maison.example.com>\nEnvoyé : lundi 16 novembre\n"
            "À : Paul\nObjet : Commande\n\nBonjour Paul,",
            "Bien reçu.",
            id="french outlook header block",
        ),
        pytest.param(
            "C'est noté, merci.\n\nEnvoyé de mon iPhone\n\n"
            "> Le 16 nov. 2026 à 10:12, Léa a écrit :",
            "C'est noté, merci.",
            id="envoye de mon iphone",
        ),
        pytest.param(
            "Got it.\n\nGet Outlook for iOS<https://aka.ms/o0ukef>\n",
            "Got it.",
            id="get outlook for ios",
        ),
        pytest.param(
            "On Mon, Nov 16, 2026 at 10:12 AM Léa wrote:\n> Which colour?\n> Brass or black?\n\n"
            "Brass, please.\n",
            "Brass, please.",
            id="bottom posting",
        ),
        pytest.param(
            "> Which colour?\nBrass.\n> Which size?\nThe large one.\n",
            "Brass.\n> Which size?\nThe large one.",
            id="interleaved quotes stay between answers",
        ),
        pytest.param(
            "Thanks, the lamp works.\nBest,\nJohn\n- the bulb\n- the shade",
            "Thanks, the lamp works.\nBest,\nJohn\n- the bulb\n- the shade",
            id="sign-offs and hyphen lists are words",
        ),
        pytest.param(
            "> only a quote\n> nothing else\n",
            "> only a quote\n> nothing else",
            id="all quoted: the text is kept whole rather than lost",
        ),
    ],
)
def test_visible_text(full_text: str, visible: str) -> None:
    assert visible_text(full_text) == visible


def test_unflow_joins_soft_breaks_per_quote_depth() -> None:
    flowed = "one \ntwo\n> quoted \n> still\n>> deeper\n-- \nsig"
    assert unflow(flowed, delsp=False) == "one two\n> quoted still\n>> deeper\n-- \nsig"
    assert unflow("wo \nrd", delsp=True) == "word"
    assert unflow(" From the start", delsp=False) == "From the start"  # space-stuffing
