"""Urgency levels and the reasons behind them."""

from __future__ import annotations

from comptoir.understanding.intents import detect_intents
from comptoir.understanding.urgency import Context, Reason, Urgency, assess_urgency


def urgency(text: str, context: Context | None = None) -> tuple[Urgency, tuple[Reason, ...]]:
    reading = assess_urgency([text], detect_intents([text]), [context] if context else None)[0]
    return reading.level, reading.reasons


def test_praise_spam_and_small_talk_are_low() -> None:
    assert urgency("Merci beaucoup, au top !") == (Urgency.LOW, ())
    assert urgency("DM for collab 📩") == (Urgency.LOW, ())
    assert urgency("On se voit jeudi") == (Urgency.LOW, ())


def test_questions_complaints_after_sales_and_purchases_are_normal() -> None:
    assert urgency("Vous livrez le samedi ?") == (Urgency.NORMAL, ())
    assert urgency("Produit reçu défectueux, c'est inadmissible") == (Urgency.NORMAL, ())
    assert urgency("I'd like a refund please") == (Urgency.NORMAL, ())
    assert urgency("Je voudrais commander 50 licences") == (Urgency.NORMAL, ())


def test_a_churn_threat_is_high() -> None:
    assert urgency("Je résilie à la fin du mois") == (Urgency.HIGH, (Reason.CHURN_THREAT,))


def test_a_legal_threat_is_high_and_says_which_words() -> None:
    text = "Sans réponse sous 48h, je saisis mon avocat"
    reading = assess_urgency([text], detect_intents([text]))[0]
    assert (reading.level, reading.reasons, reading.cues) == (
        Urgency.HIGH,
        (Reason.LEGAL_THREAT,),
        ("avocat",),
    )


def test_safety_words_are_urgent_by_themselves() -> None:
    assert urgency("My charger caught fire last night") == (Urgency.URGENT, (Reason.SAFETY,))
    assert urgency("Le radiateur fait de la fumée") == (Urgency.URGENT, (Reason.SAFETY,))
    # Phrases whose first word is short, or cut by punctuation.
    assert urgency("my charger is on fire!!") == (Urgency.URGENT, (Reason.SAFETY,))
    assert urgency("Went to A&E after the kettle exploded") == (Urgency.URGENT, (Reason.SAFETY,))
    assert urgency("My son went to A&E") == (Urgency.URGENT, (Reason.SAFETY,))


def test_fire_as_slang_is_not_a_safety_word() -> None:
    assert urgency("fire 🔥🔥") == (Urgency.LOW, ())


def test_a_complaint_in_public_is_high_and_in_private_normal() -> None:
    text = "Toujours pas de réseau, c'est inadmissible"
    assert urgency(text, Context(is_public=True)) == (Urgency.HIGH, (Reason.PUBLIC_COMPLAINT,))
    assert urgency(text, Context(is_public=False)) == (Urgency.NORMAL, ())


def test_a_public_question_is_not_a_public_complaint() -> None:
    assert urgency("Vous livrez le samedi ?", Context(is_public=True)) == (Urgency.NORMAL, ())


def test_repeated_contact_from_the_context_or_the_words() -> None:
    assert urgency("Where is my parcel?", Context(previous_contacts_7d=2)) == (
        Urgency.HIGH,
        (Reason.REPEATED_CONTACT,),
    )
    assert urgency("Where is my parcel?", Context(previous_contacts_7d=1)) == (Urgency.NORMAL, ())
    assert urgency("Third time I've asked about this") == (
        Urgency.HIGH,
        (Reason.REPEATED_CONTACT,),
    )


def test_reasons_add_up_to_urgent() -> None:
    text = "Encore une panne, inadmissible, je résilie"
    assert urgency(text, Context(is_public=True)) == (
        Urgency.URGENT,
        (Reason.CHURN_THREAT, Reason.PUBLIC_COMPLAINT),
    )


def test_the_word_gates_never_hide_a_match() -> None:
    from comptoir.understanding import urgency as module
    from comptoir.understanding.intents import normalise, required_literals, word_keys

    for pattern, gate in (
        (module._SAFETY, module._SAFETY_GATE),
        (module._LEGAL, module._LEGAL_GATE),
    ):
        for literal in required_literals(pattern.pattern):
            text = normalise(f"Bonjour, {literal}.")
            if pattern.search(text):
                assert module._findall(pattern, gate, word_keys(text), text), literal
