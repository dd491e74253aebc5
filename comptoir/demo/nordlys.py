"""Nordlys Software: it sells Nordlys Flow, a planning platform for field-service teams.

Its customers are organisations in France, Belgium, Switzerland, the UK, Ireland and
northern Europe; each is a buying committee. Half the conversations are in French.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from comptoir.channels.models import ChannelKind
from comptoir.demo.company import (
    OWNER,
    ChannelSpec,
    Company,
    Employee,
    OrganizationSpec,
    Stage,
    day_label,
    whole_euros,
)
from comptoir.demo.corpus import B2B_TOPICS
from comptoir.demo.names import EmailStyle, Origin
from comptoir.people.models import CommitteeRole, CompanySize, Tier
from comptoir.workspaces.models import Role

TIMEZONE = "Europe/Brussels"
PLANS = (("Team", 19), ("Business", 29), ("Enterprise", 45))  # price per seat per month
IDENTITY_PROVIDERS = ("Okta", "Microsoft Entra ID", "Google Workspace", "JumpCloud", "OneLogin")
FEATURES = (
    ("l'export du planning en PDF", "a PDF export of the schedule"),
    ("une API de webhooks", "a webhooks API"),
    ("le mode hors ligne sur Android", "an offline mode for Android"),
    ("les modèles d'interventions récurrentes", "recurring job templates"),
    ("un tableau de bord des SLA", "an SLA dashboard"),
    ("l'intégration avec SAP", "a SAP integration"),
    ("la signature du client sur mobile", "customer signatures on mobile"),
    ("l'affectation selon les compétences", "skills-based dispatch"),
)
MODULES = (
    ("l'application mobile", "the mobile app"),
    ("le tableau de planification", "the planning board"),
    ("l'optimisation des tournées", "route optimisation"),
    ("l'API", "the API"),
    ("la synchronisation des interventions", "job sync"),
)
COMPETITORS = ("Plannix", "FieldGrid", "Dispatchly", "Tournéo")


def nordlys_slots(rng: random.Random, language: str, start: datetime) -> dict[str, str]:
    english = language == "en"
    plan, price = rng.choice(PLANS)
    seats = rng.choice((12, 18, 25, 40, 60, 85, 120, 200))
    due = start + timedelta(days=rng.randint(15, 80))
    since = (start - timedelta(minutes=rng.randint(15, 90))).astimezone(ZoneInfo(TIMEZONE))
    return {
        "plan": plan,
        "seats": str(seats),
        "extra": str(rng.choice((3, 5, 8, 10, 15, 20))),
        "invoice": f"NL-2026-{rng.randint(1000, 4999):05d}",
        "po": f"PO-{rng.randint(40000, 89999)}" if english else f"BC-2026-{rng.randint(100, 999)}",
        "amount": whole_euros(seats * price * 12, language),
        "idp": rng.choice(IDENTITY_PROVIDERS),
        "feature": rng.choice(FEATURES)[1 if english else 0],
        "module": rng.choice(MODULES)[1 if english else 0],
        "competitor": rng.choice(COMPETITORS),
        "date": day_label(due, language),
        "days": str((due - start).days),
        "ticket": f"#{rng.randint(40000, 49999)}",
        "time": f"{since:%H:%M}" if english else f"{since.hour} h {since.minute:02d}",
    }


def _org(
    name: str,
    domain: str,
    industry: str,
    size: CompanySize,
    tier: Tier,
    country: str,
    stage: Stage = "customer",
    email_style: EmailStyle = "first.last",
) -> OrganizationSpec:
    """A Nordlys customer; its country says the language its people write in."""
    language = "fr" if country in {"FR", "BE", "CH"} else "en"
    origin: Origin = "fr" if language == "fr" else "en"
    if country in {"NO", "SE", "FI", "NL", "DE", "DK"}:
        origin = "nordic"  # they write to Nordlys in English
    return OrganizationSpec(
        name, domain, industry, size, tier, language, origin, stage, email_style
    )


# Short names for the table below.
S, M, L, XL = CompanySize.SMALL, CompanySize.MEDIUM, CompanySize.LARGE, CompanySize.ENTERPRISE
STRATEGIC, KEY, STANDARD = Tier.STRATEGIC, Tier.KEY, Tier.STANDARD

# fmt: off
NORDLYS_ORGANIZATIONS = (
    _org("Groupe Hexalis", "hexalis.fr", "Facility management", XL, STRATEGIC, "FR"),
    _org("Transports Morin & Fils", "transports-morin.fr", "Logistique", L, KEY, "FR"),
    _org("Clinique des Lilas", "clinique-deslilas.fr", "Santé", L, STANDARD, "FR",
         email_style="f.last"),
    _org("Ascenseurs Delmas", "ascenseurs-delmas.fr", "Maintenance d'ascenseurs", L, KEY,
         "FR"),
    _org("ERS Énergies Services", "ers-energies.fr", "Services énergétiques", M, STANDARD,
         "FR", stage="prospect"),
    _org("Thermique Bréval", "thermique-breval.fr", "Génie climatique", M, STANDARD, "FR",
         email_style="flast"),
    _org("Vigilis Sécurité", "vigilis-securite.fr", "Sécurité", L, STANDARD, "FR"),
    _org("Azur Propreté", "azur-proprete.fr", "Nettoyage industriel", XL, KEY, "FR"),
    _org("Fibre Océane", "fibre-oceane.fr", "Télécoms", M, STANDARD, "FR",
         stage="prospect"),
    _org("Bâtiments Lemaire", "batiments-lemaire.fr", "BTP", M, STANDARD, "FR",
         stage="former"),
    _org("Domicile Plus Services", "domicileplus.fr", "Aide à domicile", L, KEY, "FR"),
    _org("Atelier Wallon de Maintenance", "awm.be", "Maintenance industrielle", M,
         STANDARD, "BE"),
    _org("Helvétique Services SA", "helvetique-services.ch", "Facility management", L,
         KEY, "CH", email_style="f.last"),
    _org("Régie Dauphiné Habitat", "dauphine-habitat.fr", "Bailleur social", L, STANDARD,
         "FR", stage="prospect"),
    _org("Northbridge Facilities", "northbridgefm.co.uk", "Facilities management", XL,
         STRATEGIC, "GB"),
    _org("Calder Lift Services", "calderlifts.co.uk", "Lift maintenance", M, STANDARD,
         "GB", email_style="flast"),
    _org("Greenway Solar", "greenwaysolar.ie", "Solar installation", S, STANDARD, "IE",
         stage="prospect"),
    _org("Harbourline Logistics", "harbourline.io", "Logistics", L, KEY, "GB"),
    _org("Brightwater Utilities", "brightwater-utilities.com", "Utilities", XL, STRATEGIC,
         "GB"),
    _org("Kestrel Security Group", "kestrelsg.com", "Security", L, STANDARD, "GB"),
    _org("Meridian Home Care", "meridianhomecare.co.uk", "Home care", M, STANDARD, "GB",
         stage="former"),
    _org("Pinecrest Property Services", "pinecrestps.com", "Property maintenance", M,
         STANDARD, "IE"),
    _org("Tidewater Telecom", "tidewatertel.com", "Telecoms", L, KEY, "GB"),
    _org("Oakhurst Medical Group", "oakhurstmedical.co.uk", "Healthcare", L, STANDARD,
         "GB", stage="prospect"),
    _org("Fjordvik Energi", "fjordvik.no", "Energy", L, KEY, "NO"),
    _org("Solberg Bygg", "solbergbygg.se", "Construction", M, STANDARD, "SE",
         email_style="flast"),
    _org("Van Dijk Installatietechniek", "vandijk-it.nl", "Building services", M,
         STANDARD, "NL"),
    _org("Kraftwerk Service", "kraftwerk-service.de", "Power plant services", L, KEY,
         "DE"),
    _org("Aalto Clean", "aaltoclean.fi", "Cleaning", M, STANDARD, "FI",
         stage="prospect"),
    _org("Nordhavn Port Services", "nordhavnport.dk", "Port operations", L, STANDARD,
         "DK"),
    _org("Lumen Facilities Partners", "lumenfp.com", "Facilities management", M,
         STANDARD, "GB"),
    _org("Stonegate Rail Maintenance", "stonegaterail.co.uk", "Rail maintenance", XL, KEY,
         "GB"),
    _org("Blueridge HVAC", "blueridgehvac.ie", "HVAC", S, STANDARD, "IE"),
    _org("Vestergaard Elevators", "vestergaard-elevators.dk", "Lift maintenance", M,
         STANDARD, "DK", stage="prospect"),
)
# fmt: on

NORDLYS = Company(
    slug="nordlys",
    name="Nordlys Software",
    timezone=TIMEZONE,
    default_language="en",
    corpus="b2b",
    topics=B2B_TOPICS,
    topic_weights={
        "licences": 12,
        "sso": 10,
        "invoice": 10,
        "renewal": 9,
        "outage": 12,
        "feature_request": 12,
        "pricing": 14,
        "praise": 8,
        "churn": 6,
        "spam": 0,
    },
    member_topics={
        "customer": (
            "licences",
            "sso",
            "invoice",
            "renewal",
            "outage",
            "feature_request",
            "praise",
            "churn",
        ),
        "prospect": ("pricing", "sso", "feature_request"),
        "former": ("churn", "invoice", "renewal"),
    },
    independent_topics=("pricing", "praise", "feature_request", "outage", "licences"),
    team_language="en",
    employees=(
        OWNER,
        Employee("Erik", "Solberg", "m", Role.MANAGER, ("en",), "erik@nordlys.demo"),
        Employee("Sarah", "O'Neill", "f", Role.AGENT, ("en",), "sarah@nordlys.demo"),
        Employee("Thomas", "Petit", "m", Role.AGENT, ("fr", "en"), "thomas@nordlys.demo"),
        Employee("Priya", "Raman", "f", Role.ADVOCATE, ("en",), "priya@nordlys.demo"),
        Employee("Julien", "Roux", "m", Role.VIEWER, ("fr", "en"), "julien@nordlys.demo"),
    ),
    channels=(
        ChannelSpec(
            ChannelKind.EMAIL,
            "Support",
            {"address": "support@nordlys.demo", "imap_host": "imap.nordlys.demo"},
            mention="Nordlys",
            weight=40,
            topics=(
                "licences",
                "sso",
                "invoice",
                "outage",
                "feature_request",
                "praise",
                "churn",
                "renewal",
            ),
        ),
        ChannelSpec(
            ChannelKind.EMAIL,
            "Sales",
            {"address": "sales@nordlys.demo", "imap_host": "imap.nordlys.demo"},
            mention="Nordlys",
            weight=14,
            topics=("pricing", "renewal", "licences", "churn", "spam"),
        ),
        ChannelSpec(
            ChannelKind.LINKEDIN,
            "LinkedIn Nordlys Software",
            {"organization_urn": "urn:li:organization:90417731"},
            mention="Nordlys Software",
            weight=18,
        ),
        ChannelSpec(
            ChannelKind.X,
            "X @nordlys_hq",
            {"handle": "nordlys_hq", "user_id": "1523456789012345678"},
            mention="@nordlys_hq",
            weight=16,
            private_share=0.2,
        ),
        ChannelSpec(
            ChannelKind.MASTODON,
            "Mastodon @nordlys@fosstodon.org",
            {"instance_url": "https://fosstodon.org", "account": "nordlys"},
            mention="@nordlys@fosstodon.org",
            weight=10,
            private_share=0.2,
        ),
    ),
    organizations=NORDLYS_ORGANIZATIONS,
    peak_hours=(9, 17),
    independents=36,
    french_share=0.4,
    spammers=8,
    conversations=560,
    slots=nordlys_slots,
    titles={
        "fr": {
            CommitteeRole.DECISION_MAKER: (
                "Directeur des opérations|Directrice des opérations",
                "Directeur général|Directrice générale",
                "DSI",
                "Directeur technique|Directrice technique",
            ),
            CommitteeRole.CHAMPION: (
                "Responsable planification",
                "Chef de projet digital|Cheffe de projet digital",
                "Responsable du service client",
            ),
            CommitteeRole.INFLUENCER: (
                "Architecte SI",
                "RSSI",
                "Responsable informatique",
                "Chef d'agence|Cheffe d'agence",
            ),
            CommitteeRole.USER: (
                "Planificateur|Planificatrice",
                "Technicien|Technicienne",
                "Coordinateur d'interventions|Coordinatrice d'interventions",
                "Répartiteur|Répartitrice",
            ),
            CommitteeRole.BUYER: ("Acheteur IT|Acheteuse IT", "Responsable achats"),
            CommitteeRole.GATEKEEPER: (
                "Assistant de direction|Assistante de direction",
                "Juriste",
                "Contrôleur de gestion|Contrôleuse de gestion",
            ),
        },
        "en": {
            CommitteeRole.DECISION_MAKER: (
                "COO",
                "VP Operations",
                "CIO",
                "Managing Director",
                "Head of Field Operations",
            ),
            CommitteeRole.CHAMPION: (
                "Operations Manager",
                "Head of Service Delivery",
                "Planning Lead",
            ),
            CommitteeRole.INFLUENCER: (
                "IT Security Lead",
                "Solutions Architect",
                "Regional Manager",
            ),
            CommitteeRole.USER: (
                "Dispatcher",
                "Field Service Coordinator",
                "Scheduler",
                "Field Technician",
            ),
            CommitteeRole.BUYER: ("Procurement Manager", "IT Buyer"),
            CommitteeRole.GATEKEEPER: (
                "Executive Assistant",
                "Legal Counsel",
                "Finance Controller",
            ),
        },
    },
    spam_names=(
        "Growth Hacker Pro",
        "B2B Leads Direct",
        "Guest Post Hub",
        "LinkedIn Safety Team",
        "AI Outreach Expert",
        "Crypto Signals",
        "Global Talent Recruiter",
        "Follower Boost",
    ),
    loose_companies=(
        ("Dépannage Rapide 44", "depannage-rapide44.fr"),
        ("Clim & Co", "climetco.fr"),
        ("Sparkline Electrical", "sparkline-electrical.co.uk"),
        ("Northside Plumbing", "northsideplumbing.ie"),
        ("Bureau Technique Arnaud", "bt-arnaud.fr"),
        ("Fixwell Services", "fixwell.io"),
    ),
)
