"""Maison Lumière: a French lighting and home-goods brand, online and in four shops.

It sells mostly to consumers, who write in French (and some in English) about deliveries,
broken lamps, refunds and what they love; a few hotels, restaurants and interior
designers buy from it as professionals.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from comptoir.channels.models import ChannelKind
from comptoir.demo.company import (
    OWNER,
    ChannelSpec,
    Company,
    Employee,
    OrganizationSpec,
    day_label,
    euros,
)
from comptoir.demo.corpus import B2C_TOPICS
from comptoir.people.models import CommitteeRole, CompanySize, Tier
from comptoir.workspaces.models import Role

LAMPS = (
    ("la suspension Céleste en laiton", "the Céleste brass pendant", 18900),
    ("le lampadaire Orsay", "the Orsay floor lamp", 24900),
    ("l'applique murale Lin", "the Lin wall light", 8900),
    ("la lampe de chevet Galet", "the Galet bedside lamp", 6900),
    ("la guirlande Guinguette", "the Guinguette festoon lights", 3990),
    ("la lampe baladeuse Marin", "the Marin cage lamp", 5900),
    ("la lampe de bureau Atelier", "the Atelier desk lamp", 11900),
    ("la suspension Méridienne en verre soufflé", "the Méridienne blown-glass pendant", 22900),
    ("le plafonnier Nuage", "the Nuage ceiling light", 14900),
    ("la lampe à poser Opaline", "the Opaline table lamp", 9900),
    ("la lanterne Escale", "the Escale lantern", 6500),
    ("le lustre Versailles", "the Versailles chandelier", 48900),
    ("la lampe nomade Lucette", "the Lucette cordless lamp", 7900),
    ("l'applique Écho en céramique", "the Écho ceramic wall light", 9500),
)
ACCESSORIES = (
    ("l'ampoule filament Edison", "the Edison filament bulb"),
    ("le coffret de bougies Figuier", "the Figuier candle set"),
    ("l'abat-jour plissé Cocon", "the Cocon pleated shade"),
    ("le variateur Douceur", "the Douceur dimmer"),
    ("le plaid en lin Camargue", "the Camargue linen throw"),
    ("le vase Albâtre", "the Albâtre vase"),
)
STORES = (
    ("la boutique du Marais", "Maison Lumière Marais"),
    ("la boutique de Lyon Confluence", "Maison Lumière Lyon"),
    ("la boutique des Chartrons", "Maison Lumière Bordeaux"),
    ("la boutique de Nantes", "Maison Lumière Nantes"),
)
CITIES = {
    "fr": [
        "Paris",
        "Lyon",
        "Nantes",
        "Bordeaux",
        "Lille",
        "Marseille",
        "Toulouse",
        "Strasbourg",
        "Rennes",
        "Montpellier",
        "Annecy",
        "Dijon",
        "Tours",
        "Angers",
        "Grenoble",
    ],
    "en": ["London", "Dublin", "Brussels", "Geneva", "Manchester", "Edinburgh", "Bristol"],
}
# Carriers and the shape of their tracking numbers: (name, prefix, digits, suffix).
CARRIERS = {
    "fr": (
        ("Colissimo", "6A", 11, ""),
        ("Chronopost", "XW", 9, "FR"),
        ("Mondial Relay", "", 8, ""),
        ("DPD", "", 14, ""),
        ("GLS", "", 11, ""),
    ),
    "en": (("DPD", "", 14, ""), ("UPS", "1Z9X4", 13, ""), ("DHL Express", "", 10, "")),
}


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def maison_lumiere_slots(rng: random.Random, language: str, start: datetime) -> dict[str, str]:
    english = language == "en"
    lamp_fr, lamp_en, price = rng.choice(LAMPS)
    accessory_fr, accessory_en = rng.choice(ACCESSORIES)
    ordered = start - timedelta(days=rng.randint(4, 21))
    carrier, prefix, digits, suffix = rng.choice(CARRIERS[language])
    return {
        "product": lamp_en if english else lamp_fr,
        "product2": accessory_en if english else accessory_fr,
        "amount": euros(price, language),
        "order": f"CMD-2026-{rng.randint(10000, 99999)}",
        "carrier": carrier,
        "tracking": f"{prefix}{_digits(rng, digits)}{suffix}",
        "city": rng.choice(CITIES[language]),
        "store": rng.choice(STORES)[1 if english else 0],
        "date": day_label(ordered, language),
        "days": str((start - ordered).days),
        "code": f"MERCI-{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}{rng.randint(100, 999)}",
        "quote": str(rng.randint(1000, 9999)),
    }


# Tables of organisations, one a row or two: kept dense by hand.
# fmt: off
MAISON_LUMIERE_ORGANIZATIONS = (
    OrganizationSpec(
        "Hôtel Les Tilleuls", "hotel-lestilleuls.fr", "Hôtellerie", CompanySize.SMALL,
        Tier.KEY, "fr", "fr",
    ),
    OrganizationSpec(
        "Atelier Vauban Architectes", "atelier-vauban.fr", "Architecture d'intérieur",
        CompanySize.MICRO, Tier.STANDARD, "fr", "fr", email_style="flast",
    ),
    OrganizationSpec(
        "Le Bistrot des Canuts", "bistrot-canuts.fr", "Restauration", CompanySize.SMALL,
        Tier.STANDARD, "fr", "fr",
    ),
    OrganizationSpec(
        "Studio Kolm", "studiokolm.com", "Architecture d'intérieur", CompanySize.MICRO,
        Tier.STANDARD, "fr", "fr", stage="prospect",
    ),
    OrganizationSpec(
        "Résidence Les Mimosas", "residence-mimosas.fr", "Résidence seniors",
        CompanySize.MEDIUM, Tier.KEY, "fr", "fr", email_style="f.last",
    ),
    OrganizationSpec(
        "Boutique-hôtel Le Phare", "hotel-lephare.fr", "Hôtellerie", CompanySize.SMALL,
        Tier.STANDARD, "fr", "fr", stage="prospect",
    ),
    OrganizationSpec(
        "La Fabrique Coworking", "lafabrique-cowork.fr", "Espaces de travail",
        CompanySize.SMALL, Tier.STANDARD, "fr", "fr",
    ),
    OrganizationSpec(
        "Harbour & Pine Interiors", "harbourpine.co.uk", "Interior design",
        CompanySize.MICRO, Tier.STANDARD, "en", "en", stage="prospect",
    ),
)
# fmt: on

MAISON_LUMIERE = Company(
    slug="maison-lumiere",
    name="Maison Lumière",
    timezone="Europe/Paris",
    default_language="fr",
    corpus="b2c",
    topics=B2C_TOPICS,
    topic_weights={
        "damaged": 12,
        "late_delivery": 14,
        "lost_parcel": 10,
        "missing_item": 6,
        "refund": 10,
        "question": 16,
        "purchase_intent": 12,
        "praise": 12,
        "churn": 5,
        "spam": 0,  # only spammers write spam, and nothing else
    },
    member_topics={
        "customer": (
            "purchase_intent",
            "question",
            "praise",
            "damaged",
            "late_delivery",
            "missing_item",
            "refund",
        ),
        "prospect": ("purchase_intent", "question", "praise"),
        "former": ("churn", "refund"),
    },
    independent_topics=tuple(B2C_TOPICS),
    team_language="fr",
    employees=(
        OWNER,
        Employee("Manon", "Girard", "f", Role.MANAGER, ("fr", "en"), "manon@maison-lumiere.demo"),
        Employee("Léa", "Morel", "f", Role.AGENT, ("fr", "en"), "lea@maison-lumiere.demo"),
        Employee("Hugo", "Lefèvre", "m", Role.AGENT, ("fr", "en"), "hugo@maison-lumiere.demo"),
        Employee("Inès", "Fontaine", "f", Role.ADVOCATE, ("fr",), "ines@maison-lumiere.demo"),
    ),
    channels=(
        ChannelSpec(
            ChannelKind.EMAIL,
            "Service client",
            {
                "address": "service-client@maison-lumiere.demo",
                "imap_host": "imap.maison-lumiere.demo",
                "imap_user": "service-client@maison-lumiere.demo",
                "smtp_host": "smtp.maison-lumiere.demo",
                "smtp_user": "service-client@maison-lumiere.demo",
            },
            mention="Maison Lumière",
            weight=30,
        ),
        ChannelSpec(
            ChannelKind.X,
            "X @MaisonLumiere",
            {"handle": "MaisonLumiere", "user_id": "1456789012345678901"},
            mention="@MaisonLumiere",
            weight=16,
            private_share=0.3,
        ),
        ChannelSpec(
            ChannelKind.FACEBOOK,
            "Facebook Maison Lumière",
            {"page_id": "104857362918475", "page_name": "Maison Lumière"},
            mention="Maison Lumière",
            weight=19,
            private_share=0.45,
        ),
        ChannelSpec(
            ChannelKind.INSTAGRAM,
            "Instagram @maisonlumiere",
            {
                "page_id": "104857362918475",
                "page_name": "Maison Lumière",
                "instagram_account_id": "17841405822304914",
            },
            mention="@maisonlumiere",
            weight=22,
            private_share=0.5,
        ),
        ChannelSpec(
            ChannelKind.LINKEDIN,
            "LinkedIn Maison Lumière",
            {"organization_urn": "urn:li:organization:81234567"},
            mention="Maison Lumière",
            weight=4,
            topics=("purchase_intent", "praise"),
        ),
        ChannelSpec(
            ChannelKind.MASTODON,
            "Mastodon @maisonlumiere@piaille.fr",
            {"instance_url": "https://piaille.fr", "account": "maisonlumiere"},
            mention="@maisonlumiere@piaille.fr",
            weight=7,
            private_share=0.25,
        ),
    ),
    organizations=MAISON_LUMIERE_ORGANIZATIONS,
    peak_hours=(18, 22),
    independents=300,
    french_share=0.8,
    spammers=14,
    conversations=850,
    slots=maison_lumiere_slots,
    titles={
        "fr": {
            CommitteeRole.DECISION_MAKER: (
                "Gérant|Gérante",
                "Directeur|Directrice",
                "Directeur général|Directrice générale",
            ),
            CommitteeRole.CHAMPION: (
                "Architecte d'intérieur",
                "Responsable aménagement",
                "Chef de projet|Cheffe de projet",
            ),
            CommitteeRole.INFLUENCER: ("Décorateur|Décoratrice", "Associé|Associée", "Designer"),
            CommitteeRole.USER: (
                "Responsable d'exploitation",
                "Chef de réception|Cheffe de réception",
                "Gouvernant|Gouvernante",
            ),
            CommitteeRole.BUYER: ("Responsable achats", "Acheteur|Acheteuse"),
            CommitteeRole.GATEKEEPER: (
                "Assistant de direction|Assistante de direction",
                "Comptable",
                "Office manager",
            ),
        },
        "en": {
            CommitteeRole.DECISION_MAKER: ("Owner", "Managing Director", "Founder"),
            CommitteeRole.CHAMPION: ("Interior Designer", "Project Lead"),
            CommitteeRole.INFLUENCER: ("Designer", "Partner"),
            CommitteeRole.USER: ("Operations Manager", "Studio Manager"),
            CommitteeRole.BUYER: ("Purchasing Manager",),
            CommitteeRole.GATEKEEPER: ("Office Manager", "Bookkeeper"),
        },
    },
    spam_names=(
        "Promo Flash 💥",
        "Déco Astuces 💯",
        "Julia Crypto",
        "Lucky Winner",
        "SEO Expert Agency",
        "Support Meta Business",
        "Sofia Lifestyle",
        "Gains Faciles",
        "Cadeau Gratuit",
        "Influence Market",
    ),
)
