"""The corpus in tests/data/email, parsed: every field an event carries, exactly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from comptoir.channels.email.parse import ParsedEmail, parse_message
from comptoir.channels.events import MAX_TEXT, Attachment, Author, InboundEvent
from comptoir.people.models import IdentityKind
from tests.channels.email.conftest import ADDRESS, corpus

# Typographic characters that look like ASCII ones (en dash, curly apostrophe) are written
# as escapes, so that a reader sees which one the mail carries.
RECEIVED = datetime(2026, 11, 20, 14, 0, tzinfo=timezone(timedelta(hours=1)))
PARIS = timezone(timedelta(hours=1))


def parse(name: str, *, received_at: datetime | None = RECEIVED) -> ParsedEmail:
    return parse_message(corpus(name), mailbox_address=ADDRESS, received_at=received_at)


def event_of(name: str, *, received_at: datetime | None = RECEIVED) -> InboundEvent:
    parsed = parse(name, received_at=received_at)
    assert parsed.event is not None, parsed
    return parsed.event


def test_french_webmail_latin1_quoted_printable() -> None:
    event = event_of("01-fr-webmail-latin1-qp.eml")
    message_id = "1432948571.12873.1763282487211.JavaMail.open-xchange@opme11.example.fr"
    assert event.external_id == message_id
    assert event.thread_id == message_id
    assert event.in_reply_to == ""
    assert event.references == []
    assert event.author == Author(
        kind=IdentityKind.EMAIL,
        external_id="marie.dupont@orange.example.fr",
        display_name="Marie Dupont",
        email="marie.dupont@orange.example.fr",
    )
    assert event.direction == "inbound"
    assert event.kind == "email"
    assert event.visibility == "private"
    assert event.subject == "Commande n° MLU-20931 toujours pas reçue"
    assert event.created_at == datetime(2026, 11, 16, 9, 41, 27, tzinfo=PARIS)
    assert event.created_at.utcoffset() == timedelta(hours=1)
    assert event.language == "fr"
    body = (
        "Bonjour,\n\n"
        "J'ai passé commande le 2 novembre (n° MLU-20931, une lampe Clémence en laiton) et je "
        "n'ai toujours rien reçu. Le suivi indique « en cours d'acheminement » depuis dix "
        "jours.\n\n"
        "Pouvez-vous me dire où en est mon colis ?\n\n"
        "Merci d'avance,\nMarie Dupont"
    )
    assert event.text == body  # the "-- " signature is trimmed...
    assert event.full_text == f"{body}\n-- \nMarie Dupont\n06 12 34 56 78"  # ...and kept here
    assert event.html == ""
    assert event.attachments == []
    assert event.raw == {
        "headers": {
            "message-id": f"<{message_id}>",
            "from": "Marie Dupont <marie.dupont@orange.example.fr>",
            "to": "Service client Maison Lumière <service@maison.example.com>",
            "reply-to": "Marie Dupont <marie.dupont@orange.example.fr>",
            "date": "Mon, 16 Nov 2026 09:41:27 +0100 (CET)",
            "subject": "Commande n° MLU-20931 toujours pas reçue",
        }
    }


def test_outlook_windows_1252_html_only() -> None:
    event = event_of("02-outlook-cp1252-html-only.eml")
    assert event.external_id == (
        "AM9PR02MB74120B2E4F1A9C3D5E6F7A8B9C@AM9PR02MB7412.eurprd02.prod.outlook.com"
    )
    assert event.thread_id == "20261113150200.2b71@maison.example.com"
    assert event.in_reply_to == "20261113150200.2b71@maison.example.com"
    assert event.references == ["20261113150200.2b71@maison.example.com"]
    assert event.author is not None
    assert event.author.external_id == "jm.leroy@hotel-tilleuls.example.fr"
    assert event.author.display_name == "Jean-Marc Leroy"
    assert event.subject == "RE: Votre facture F-2026-1142 \u2013 écart de montant"
    assert event.created_at == datetime(2026, 11, 17, 14, 5, 9, tzinfo=UTC)
    assert event.language == "fr"
    # Windows-1252's euro sign and curly apostrophe, HTML rendered to text, the quoted
    # Outlook block ("De : / Envoyé : / À : / Objet :") trimmed.
    own_words = (
        "Bonjour,\n\n"
        "Nous avons bien reçu la facture F-2026-1142 d\u2019un montant de 1 240,00 €, mais notre "
        "bon de commande indiquait 1 180,00 € (remise de 5 % négociée en octobre).\n\n"
        "Pouvez-vous nous adresser un avoir de 60,00 € ?\n\n"
        "Cordialement,\n\n"
        "Jean-Marc Leroy\nResponsable achats \u2013 Hôtel des Tilleuls"
    )
    assert event.text == own_words
    assert event.full_text.replace("\xa0", " ") == (
        f"{own_words}\n\n"
        "De : Service client Maison Lumière <service@maison.example.com>\n"
        "Envoyé : vendredi 13 novembre 2026 16:02\n"
        "À : Jean-Marc Leroy <jm.leroy@hotel-tilleuls.example.fr>\n"
        "Objet : Votre facture F-2026-1142\n\n"
        "Bonjour Monsieur Leroy,\n\n"
        "Veuillez trouver ci-joint la facture de votre commande MLU-B-0412."
    )
    assert event.html.startswith('<html xmlns:v="urn:schemas-microsoft-com:vml"')
    assert "1&nbsp;240,00&nbsp;€" in event.html
    assert event.attachments == []


def test_gmail_alternative_with_a_wrapped_french_attribution() -> None:
    event = event_of("03-gmail-alternative-fr-reply.eml")
    assert event.external_id == "CAJx7pQ3nV2mF9a+Lz0Wq8sKc1dY4uRt6bN5eHg@mail.gmail.com"
    assert event.thread_id == "CAJx7pQ0tJ3kZrYb9f2nVw8e@mail.gmail.com"  # the first reference
    assert event.in_reply_to == "20261116091200.4f2a@maison.example.com"
    assert event.references == [
        "CAJx7pQ0tJ3kZrYb9f2nVw8e@mail.gmail.com",
        "20261116091200.4f2a@maison.example.com",
    ]
    assert event.author is not None
    assert event.author.external_id == "camille.martin@gmail.example"
    assert event.author.display_name == "Camille Martin"
    assert event.subject == "Re: Abat-jour abîmé \u2013 commande MLU-20877"
    assert event.created_at == datetime(2026, 11, 16, 11, 3, 52, tzinfo=PARIS)
    own_words = (
        "Bonjour,\n\n"
        "Merci pour votre réponse rapide. Le nouveau colis est bien arrivé, mais\n"
        "l'abat-jour est fendu sur le côté (photo à suivre).\n\n"
        "Je préférerais un remplacement plutôt qu'un remboursement.\n\n"
        "Bonne journée,\nCamille"
    )
    assert event.text == own_words  # the plain part, preferred to the HTML one
    assert event.full_text == (
        f"{own_words}\n\n"
        "Le lun. 16 nov. 2026 à 10:12, Service client Maison Lumière <\n"
        "service@maison.example.com> a écrit :\n\n"
        "> Bonjour Madame Martin,\n>\n"
        "> Votre colis de remplacement est parti ce matin avec Colissimo.\n>\n"
        "> Belle journée,\n> Léa, service client Maison Lumière\n>"
    )
    assert event.html.startswith('<div dir="ltr"><div>Bonjour,</div>')
    assert 'class="gmail_quote"' in event.html


def test_english_reply_format_flowed_with_signature_and_on_wrote() -> None:
    event = event_of("04-thunderbird-en-reply-flowed.eml")
    assert event.external_id == "8d3f2c71-4b9a-4e58-b0c6-1f7a2e9d5c43@northwind.example.com"
    assert event.thread_id == "b1e0a4f2-77c3-4d1e-8f0a-5c2b9e6d3a18@northwind.example.com"
    assert event.in_reply_to == "20261116101200.9d1e@maison.example.com"
    assert event.author is not None
    # Addresses are compared lowercased; the display name keeps its case.
    assert event.author.external_id == "daniel.carter@northwind.example.com"
    assert event.author.email == "daniel.carter@northwind.example.com"
    assert event.author.display_name == "Daniel Carter"
    assert event.created_at == datetime(
        2026, 11, 17, 8, 15, 44, tzinfo=timezone(-timedelta(hours=5))
    )
    assert event.language == "en"
    # Flowed lines are joined; "Thanks, ..." is a sentence, not a sign-off to cut.
    own_words = (
        "Hello Léa,\n\n"
        "Thanks, the replacement shades arrived this morning and all twelve fit perfectly. "
        "You can close the ticket on our side.\n\n"
        "One more question: could you send the invoice to accounts@northwind.example.com "
        "instead of my address from now on?"
    )
    assert event.text == own_words
    assert event.full_text == (
        f"{own_words}\n\n-- \nDaniel Carter\nFacilities manager, Northwind Hotels\n\n"
        "On 16/11/2026 10:12, Service client Maison Lumière wrote:\n"
        "> Hello Mr Carter,\n>\n"
        "> The twelve replacement shades left our warehouse today; you should receive "
        "them tomorrow.\n>\n"
        "> Best regards,\n> Léa"
    )


def test_base64_body_from_an_iphone() -> None:
    event = event_of("05-iphone-base64.eml")
    assert event.external_id == "6B1D2F4A-9C3E-4F8B-A7D5-0E2C1B9F8A76@icloud.example"
    assert event.author is not None
    assert event.author.display_name == "Gaëlle Moreau"
    assert event.subject == "Impossible de me connecter à mon compte"
    assert event.created_at == datetime(
        2026, 11, 15, 22, 47, 3, tzinfo=timezone(-timedelta(hours=5))
    )
    own_words = (
        "Bonjour,\n\n"
        "Je n\u2019arrive plus à me connecter à mon compte depuis ce matin : le mot de passe est "
        "refusé alors que je viens de le réinitialiser.\n\n"
        "Pouvez-vous m\u2019aider ? J\u2019ai une commande en cours."
    )
    assert event.text == own_words
    assert event.full_text == f"{own_words}\n\nEnvoyé de mon iPhone"


def test_pdf_invoice_attachment_is_listed_not_kept() -> None:
    event = event_of("06-attachment-pdf-invoice.eml")
    assert event.author is not None
    assert event.author.display_name == "Atelier Fontaine \u2013 Comptabilité"
    assert event.subject == "Facture n° 2026-118 \u2013 réparation suspensions"
    assert event.attachments == [
        Attachment(name="facture-2026-118.pdf", content_type="application/pdf", size=218)
    ]
    assert event.text == (
        "Bonjour,\n\n"
        "Veuillez trouver ci-joint notre facture n° 2026-118 pour la réparation des six "
        "suspensions du hall (intervention du 12 novembre).\n\n"
        "Le règlement est attendu sous 30 jours, par virement.\n\n"
        "Cordialement,\n\nSophie Bernard\nService comptabilité \u2013 Atelier Fontaine"
    )
    assert event.full_text == ""  # nothing was trimmed
    assert event.html.startswith("<div>Bonjour,</div>")
    assert "%PDF" not in str(event.model_dump())


def test_inline_photo_between_two_text_parts() -> None:
    event = event_of("07-attachment-photo-inline.eml")
    assert event.external_id == "A3F1C9E2-7B4D-4E8A-9C6F-2D1E0B8A7C55@laposte.example.net"
    assert event.attachments == [
        # RFC 2231 file name, decoded
        Attachment(name="photo cassée.jpg", content_type="image/jpeg", size=150)
    ]
    assert event.text == (
        "Bonjour,\n\n"
        "Voici la photo du pied de la lampe Clémence, cassé net à la livraison :\n\n"
        "Le carton était intact, c'est donc l'emballage intérieur qui n'a pas tenu.\n\n"
        "Thomas Girard"
    )
    assert event.created_at == datetime(2026, 11, 18, 19, 2, 11, tzinfo=PARIS)


def test_a_forward_keeps_the_forwarded_message_visible() -> None:
    event = event_of("08-forwarded-gmail-en.eml")
    assert event.subject == "Fwd: Your order MLU-21877 is confirmed"
    assert event.thread_id == "CAHq5xY7fW2pL0c9Kd3mZt6vNb8R1sQe4uJ@mail.gmail.com"
    assert event.text == (
        "Hello,\n\n"
        "I was charged twice for this order (two identical lines on my bank statement on "
        "Nov 4). Could you refund one of the payments?\n\n"
        "Thanks,\nPhuong\n\n"
        "---------- Forwarded message ---------\n"
        "From: Maison Lumière <orders@maison.example.com>\n"
        "Date: Tue, Nov 3, 2026 at 2:15 PM\n"
        "Subject: Your order MLU-21877 is confirmed\n"
        "To: <phuong.nguyen@example.org>\n\n\n"
        "Thank you for your order!\n\n"
        "Order MLU-21877\n"
        "1 x Clémence table lamp, brass — €189.00\n"
        "Total paid: €189.00"
    )
    assert event.full_text == ""


def test_a_bare_french_forward_is_the_whole_text() -> None:
    event = event_of("09-forwarded-thunderbird-fr.eml")
    assert event.author is not None
    assert event.author.display_name == "Hélène Roux"
    assert event.subject == "Fwd: Livraison prévue le 18 novembre"
    assert event.text == (
        "-------- Message transféré --------\n"
        "Sujet : \tLivraison prévue le 18 novembre\n"
        "Date : \tFri, 13 Nov 2026 17:30:02 +0100\n"
        "De : \tMaison Lumière <livraison@maison.example.com>\n"
        "Pour : \tHélène Roux <helene.roux@sfr.example.fr>\n\n\n\n"
        "Bonjour Hélène,\n\n"
        "Votre commande MLU-21502 sera livrée le mercredi 18 novembre entre 8 h et 13 h.\n\n"
        "L'équipe Maison Lumière"
    )


@pytest.mark.parametrize(
    ("name", "skipped", "detail"),
    [
        ("10-out-of-office-auto-submitted.eml", "auto-reply", "Auto-Submitted: auto-replied"),
        ("11-reponse-automatique-x-autoreply.eml", "auto-reply", "X-Autoreply header"),
        (
            "12-absence-subject-empty-return-path.eml",
            "auto-reply",
            "subject 'Absence du bureau' and an empty Return-Path",
        ),
        ("14-dsn-bounce.eml", "bounce", "delivery status notification"),
        ("15-exim-bounce-failed-recipients.eml", "bounce", "X-Failed-Recipients header"),
        ("19-mailing-list-bulk.eml", "bulk mail", "Precedence: bulk"),
    ],
)
def test_mail_no_person_wrote_is_skipped(name: str, skipped: str, detail: str) -> None:
    assert parse(name) == ParsedEmail(skipped=skipped, detail=detail)


def test_a_subject_alone_does_not_make_an_auto_reply() -> None:
    event = event_of("13-absence-de-reponse-customer.eml")
    assert event.subject == "Absence de réponse à ma réclamation"
    assert event.author is not None
    assert event.author.external_id == "marc.petit@wanadoo.example.fr"
    assert event.text == (
        "Bonjour,\n\n"
        "Voilà trois semaines que j'ai signalé un défaut sur ma suspension (dossier 88-1204)\n"
        "et je n'ai eu aucune réponse. Je commence à perdre patience.\n\nMarc Petit"
    )


def test_broken_headers_give_a_best_effort_event() -> None:
    event = event_of("16-broken-headers-unknown-charset.eml")
    assert event.external_id == "1763560000.77@pc-emile.example.net"
    assert event.author is not None
    assert event.author.display_name == "Émile Chevalier"
    # The encoded word is not base64: shown as written rather than decoded to noise.
    assert event.subject == "=?utf-8?B?UmVtZXJjaWVtZW50cw!!?= atelier"
    # "x-unknown" names no charset: the bytes are not UTF-8, so read as Windows-1252.
    assert event.text == (
        "Bonjour,\n\nLa lampe réparée fonctionne à nouveau. Merci à l'atelier !\n\nÉmile"
    )
    assert event.created_at == RECEIVED  # no Date: the server's arrival time
    assert "date" not in event.raw["headers"]


def test_without_date_or_arrival_time_the_event_is_dated_now() -> None:
    before = datetime.now(tz=UTC)
    event = event_of("16-broken-headers-unknown-charset.eml", received_at=None)
    assert before <= event.created_at <= datetime.now(tz=UTC)
    assert event.created_at.tzinfo is not None


def test_a_garbage_date_falls_back_to_the_arrival_time() -> None:
    event = event_of("17-garbage-date.eml")
    assert event.created_at == RECEIVED
    assert event.raw["headers"]["date"] == "lundi dernier vers 14h"
    naive_arrival = datetime(2026, 11, 20, 13, 0)  # noqa: DTZ001 - what a careless caller passes
    assert event_of("17-garbage-date.eml", received_at=naive_arrival).created_at == datetime(
        2026, 11, 20, 13, 0, tzinfo=UTC
    )


def test_no_message_id_gets_a_stable_synthetic_id() -> None:
    first = event_of("18-no-message-id.eml")
    again = parse_message(
        corpus("18-no-message-id.eml").replace(b"\n", b"\r\n"), mailbox_address=ADDRESS
    ).event
    assert first.external_id == (
        "sha256:b1663d12844ea89ed322479ac8cd3fbeef573f8db921315e66bc68f4f9715a14"
    )
    assert again is not None
    assert again.external_id == first.external_id  # CRLF as served by IMAP: same id
    assert first.thread_id == first.external_id
    assert first.created_at == datetime(2026, 11, 20, 7, 58, 41, tzinfo=UTC)  # "-0000"
    assert first.author is not None
    assert first.author.external_id == "contact-form@www.maison.example.com"
    assert first.text == (
        "Nom : Yann Le Gall\nSociété : Ty Gouloù\n"
        "Message : Bonjour, pourriez-vous m'envoyer votre catalogue professionnel 2027 ?"
    )


def test_emoji_subject_in_base64_encoded_words() -> None:
    event = event_of("20-emoji-subject.eml")
    assert event.subject == "😡 Commande en retard !"
    assert event.author is not None
    assert event.author.display_name == "Anaïs Lefèvre"
    assert event.text == (
        "Trois semaines d'attente pour une guirlande 🎄… elle arrivera après Noël à ce rythme 😤"
    )
    assert event.created_at == datetime(2026, 11, 20, 12, 30, tzinfo=UTC)


def test_a_thread_of_three_shares_its_root() -> None:
    root = "5f1c2a9e-3b7d-4c0e-9a61-2d8e7f4b1c30@atelier-fontaine.example.fr"
    answer_id = "20261117101500.7c2e@maison.example.com"
    question = event_of("21-thread-1-question.eml")
    answer = event_of("22-thread-2-brand-answer.eml")
    follow_up = event_of("23-thread-3-follow-up.eml")

    assert (question.external_id, question.thread_id, question.in_reply_to) == (root, root, "")
    assert question.direction == "inbound"
    assert question.subject == "Devis pour 40 appliques murales"

    # The brand's own reply, copied into the mailbox: outbound, no author.
    assert (answer.external_id, answer.thread_id, answer.in_reply_to) == (answer_id, root, root)
    assert answer.references == [root]
    assert answer.direction == "outbound"
    assert answer.author is None
    assert answer.subject == "Re: Devis pour 40 appliques murales"

    assert follow_up.external_id == (
        "a7d09b14-6c2e-4f8a-b3d5-9e1c0f2a4b68@atelier-fontaine.example.fr"
    )
    assert (follow_up.thread_id, follow_up.in_reply_to) == (root, answer_id)
    assert follow_up.references == [root, answer_id]
    assert follow_up.author is not None
    assert follow_up.author.external_id == "c.fontaine@atelier-fontaine.example.fr"
    assert follow_up.text == (
        "Parfait, merci. Pouvez-vous ajouter 4 lampes de bureau Clémence au devis ?\n\nClaire"
    )
    assert follow_up.full_text.endswith("> Léa, service client Maison Lumière")
    assert follow_up.created_at == datetime(2026, 11, 17, 11, 2, 37, tzinfo=PARIS)


def test_no_sender_is_an_error_with_its_reason() -> None:
    assert parse("24-no-from.eml") == ParsedEmail(
        error="no sender address: the From header is missing or holds none"
    )


# Messages made here rather than in the corpus: one header or one property at a time.

HEADERS = (
    "From: Nina Weber <nina@example.org>\n"
    "To: service@maison.example.com\n"
    "Date: Fri, 20 Nov 2026 10:00:00 +0100\n"
    "Message-ID: <m1@example.org>\n"
)


def message(extra_headers: str = "", body: str = "Bonjour, une question.\n") -> bytes:
    return f"{HEADERS}{extra_headers}Content-Type: text/plain; charset=utf-8\n\n{body}".encode()


@pytest.mark.parametrize(
    ("header", "skipped", "detail"),
    [
        ("Auto-Submitted: auto-generated", "automatic message", "Auto-Submitted: auto-generated"),
        (
            "Auto-Submitted: auto-replied; owner-email=nina@example.org",
            "auto-reply",
            "Auto-Submitted: auto-replied",
        ),
        ("X-Autorespond: vacation", "auto-reply", "X-Autorespond header"),
        ("Precedence: junk", "bulk mail", "Precedence: junk"),
        ("Precedence: auto_reply", "auto-reply", "Precedence: auto_reply"),
        ("X-Failed-Recipients: gone@example.com", "bounce", "X-Failed-Recipients header"),
        (
            "Subject: Out of Office: Re: order\nX-Auto-Response-Suppress: All",
            "auto-reply",
            "subject 'Out of Office: Re: order' and X-Auto-Response-Suppress",
        ),
        (
            "Content-Type: multipart/report; report-type=disposition-notification; boundary=x",
            "read receipt",
            "disposition notification",
        ),
    ],
)
def test_automatic_header_signals(header: str, skipped: str, detail: str) -> None:
    parsed = parse_message(message(f"{header}\n"), mailbox_address=ADDRESS)
    assert (parsed.skipped, parsed.detail) == (skipped, detail)


@pytest.mark.parametrize(
    "header",
    [
        "Auto-Submitted: no",
        "Precedence: list",  # a discussion list: people write there
        "Subject: Réponse automatique ?",  # a subject with no header hint
        "Return-Path: <>",  # a hint with an ordinary subject
    ],
)
def test_ordinary_mail_is_not_mistaken_for_a_robot(header: str) -> None:
    assert parse_message(message(f"{header}\n"), mailbox_address=ADDRESS).event is not None


def test_postmaster_is_a_robot() -> None:
    raw = message().replace(b"nina@example.org", b"postmaster@example.org")
    assert parse_message(raw, mailbox_address=ADDRESS) == ParsedEmail(
        skipped="bounce", detail="sent by postmaster@example.org"
    )


def test_a_subject_only_message_is_kept() -> None:
    event = parse_message(
        message("Subject: Rappelez-moi svp\n", body=""), mailbox_address=ADDRESS
    ).event
    assert event is not None
    assert event.text == "Rappelez-moi svp"


def test_an_empty_message_is_an_error() -> None:
    parsed = parse_message(message(body="\n"), mailbox_address=ADDRESS)
    assert parsed == ParsedEmail(error="empty message: no text, no HTML, no subject, no attachment")


def test_a_text_over_the_limit_is_refused_with_the_reason() -> None:
    parsed = parse_message(message(body="a" * (MAX_TEXT + 1)), mailbox_address=ADDRESS)
    assert parsed.event is None
    assert parsed.error == (
        "the message does not fit an event: text: String should have at most 100000 characters"
    )


def test_invalid_utf8_and_nul_bytes_do_not_break_anything() -> None:
    raw = message(body="") + b"caf\xe9 \x00cr\xc3\xa8me\n"
    event = parse_message(raw, mailbox_address=ADDRESS).event
    assert event is not None
    assert event.text == "caf� crème"


def test_garbage_bytes_never_raise() -> None:
    parsed = parse_message(b"\x00\xff\xfe garbage \r\n\r\n\x80", mailbox_address=ADDRESS)
    assert parsed == ParsedEmail(
        error="no sender address: the From header is missing or holds none"
    )


def test_long_ids_and_references_fit_the_contract() -> None:
    long_id = "x" * 300 + "@example.org"
    references = " ".join(f"<r{n}@example.org>" for n in range(250))
    raw = message(f"In-Reply-To: <{long_id}>\nReferences: {references}\n")
    event = parse_message(raw, mailbox_address=ADDRESS).event
    assert event is not None
    assert event.in_reply_to.startswith("sha256:")
    assert len(event.references) == 200
    assert event.references[0] == "r0@example.org"  # the root stays: it is the thread id
    assert event.references[-1] == "r249@example.org"
    assert event.thread_id == "r0@example.org"


def test_a_message_attached_as_eml_is_listed_by_its_subject() -> None:
    inner = "From: shop@example.com\nSubject: Votre commande\n\nMerci !\n"
    raw = (
        f"{HEADERS}Content-Type: multipart/mixed; boundary=b\n\n"
        "--b\nContent-Type: text/plain; charset=utf-8\n\nVoir le message joint.\n"
        f"--b\nContent-Type: message/rfc822\n\n{inner}--b--\n"
    ).encode()
    event = parse_message(raw, mailbox_address=ADDRESS).event
    assert event is not None
    assert event.text == "Voir le message joint."
    # The line break before a boundary belongs to the boundary, not to the part.
    size = len(inner) - 1
    assert event.attachments == [
        Attachment(name="Votre commande.eml", content_type="message/rfc822", size=size)
    ]


def test_multipart_without_a_boundary_is_read_as_one_body() -> None:
    raw = f"{HEADERS}Content-Type: multipart/mixed\n\nLe texte, sans parties.\n".encode()
    event = parse_message(raw, mailbox_address=ADDRESS).event
    assert event is not None
    assert (event.text, event.attachments) == ("Le texte, sans parties.", [])
