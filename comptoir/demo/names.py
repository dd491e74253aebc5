"""Who the demo's people are: names by origin, and the handles a person would pick.

Every handle and address of a person derives from their name, so the same human is
recognisable on X, Instagram, Mastodon and in their mailbox (claire.dubois@orange.fr,
@clairedubois, @claire.dubois.home, @claired@piaille.fr). The handles a workspace has
already given out are remembered, so two people never share one.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

Gender = Literal["f", "m"]
Origin = Literal["fr", "en", "nordic"]
EmailStyle = Literal["first.last", "flast", "f.last"]  # how an organisation spells addresses

# The pools are tables: kept dense by hand rather than one name a line.
# fmt: off
FIRST_NAMES: dict[Origin, dict[Gender, tuple[str, ...]]] = {
    "fr": {
        "f": (
            "Claire", "Sophie", "Julie", "Marie", "Chloé", "Emma", "Sarah", "Laura", "Pauline",
            "Juliette", "Mathilde", "Élise", "Anaïs", "Clémence", "Margaux", "Lucie", "Charlotte",
            "Audrey", "Céline", "Nathalie", "Isabelle", "Sandrine", "Valérie", "Aurélie", "Émilie",
            "Hélène", "Agathe", "Zoé", "Louise", "Nadia", "Yasmine", "Fatou", "Amandine",
            "Coralie", "Bérénice", "Solène", "Océane", "Maëlle", "Capucine", "Gaëlle", "Noémie",
            "Salomé", "Ophélie", "Morgane", "Jeanne", "Alice", "Romane", "Sonia", "Leïla",
        ),
        "m": (
            "Nicolas", "Julien", "Maxime", "Antoine", "Alexandre", "Romain", "Guillaume", "Pierre",
            "Baptiste", "Mathieu", "Florian", "Kévin", "Sébastien", "Olivier", "Laurent",
            "Stéphane", "Franck", "Jérôme", "Arnaud", "Benoît", "Clément", "Théo", "Lucas",
            "Louis", "Gabriel", "Raphaël", "Mehdi", "Yanis", "Samir", "Moussa", "Loïc", "Yann",
            "Gaëtan", "Rémi", "Cédric", "François", "Étienne", "Adrien", "Quentin", "Vincent",
            "Damien", "Jean-Baptiste", "Marc", "Philippe", "Bruno", "Victor", "Arthur", "Malik",
        ),
    },
    "en": {
        "f": (
            "Emily", "Olivia", "Sophie", "Charlotte", "Hannah", "Grace", "Lucy", "Amelia",
            "Jessica", "Chloe", "Rachel", "Kate", "Siobhan", "Aoife", "Niamh", "Megan", "Holly",
            "Rebecca", "Harriet", "Zara", "Imogen", "Fiona", "Eleanor", "Abigail", "Naomi",
        ),
        "m": (
            "James", "Oliver", "Jack", "Harry", "George", "William", "Daniel", "Matthew", "Ben",
            "Sam", "Liam", "Conor", "Sean", "Callum", "Ryan", "Owen", "Alex", "Rhys", "David",
            "Michael", "Patrick", "Aidan", "Joe", "Nathan", "Ethan",
        ),
    },
    "nordic": {
        "f": (
            "Ingrid", "Sofie", "Anna", "Maja", "Astrid", "Freya", "Sanne", "Femke", "Lotte",
            "Katrin", "Lena", "Aino", "Johanna", "Linnea", "Eva", "Silje",
        ),
        "m": (
            "Lars", "Mikael", "Jonas", "Henrik", "Nils", "Jan", "Pieter", "Daan", "Lukas",
            "Felix", "Tobias", "Matti", "Sebastian", "Anders", "Bram", "Jens",
        ),
    },
}

LAST_NAMES: dict[Origin, tuple[str, ...]] = {
    "fr": (
        "Martin", "Bernard", "Dubois", "Robert", "Richard", "Durand", "Leroy", "Moreau",
        "Simon", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Vincent", "Fournier",
        "André", "Dupont", "Lambert", "Bonnet", "Martinez", "Legrand", "Garnier", "Faure",
        "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Perrin", "Morin",
        "Gauthier", "Dumont", "Lopez", "Chevalier", "Robin", "Masson", "Sanchez", "Gérard",
        "Nguyen", "Boyer", "Denis", "Lemaire", "Duval", "Joly", "Roche", "Meyer", "Meunier",
        "Marchand", "Dufour", "Blanchard", "Barbier", "Brun", "Dumas", "Brunet", "Schmitt",
        "Leroux", "Colin", "Fernandez", "Renard", "Arnaud", "Rolland", "Caron", "Aubert",
        "Giraud", "Leclerc", "Vidal", "Bourgeois", "Renaud", "Lemoine", "Picard", "Gaillard",
        "Lacroix", "Fabre", "Dupuis", "Da Silva", "Hubert", "Rivière", "Le Gall", "Moulin",
        "Berger", "Lecomte", "Fleury", "Deschamps", "Carpentier", "Maillard", "Aubry",
        "Vasseur", "Le Roux", "Jacquet", "Prévost", "Poirier", "Charpentier", "Huet", "Baron",
        "Pons", "Carré", "Breton", "Rémy", "Perrot", "Guyot", "Marty", "Cousin", "Haddad",
        "Diallo", "Traoré", "Kaci", "Benhamou", "Nicolle", "Tessier", "Lebrun", "Hamon",
    ),
    "en": (
        "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
        "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green",
        "Hall", "Wood", "Jackson", "Clarke", "Murphy", "Kelly", "O'Brien", "Byrne", "Ryan",
        "O'Connor", "Walsh", "McCarthy", "Doyle", "Kennedy", "Hughes", "Edwards", "Turner",
        "Hill", "Moore", "Cooper", "Ward", "Morris", "King", "Baker", "Harrison", "Morgan",
        "Patel", "Khan", "Shah", "Campbell", "Stewart", "Fraser", "Reid", "Murray", "Bennett",
        "Carter", "Mitchell", "Parker", "Price", "Bell", "Shaw", "Gallagher", "Quinn",
    ),
    "nordic": (
        "Johansson", "Andersen", "Nilsson", "Lindqvist", "Hansen", "Berg", "Larsen",
        "Virtanen", "Korhonen", "de Vries", "van den Berg", "Bakker", "Visser", "Jansen",
        "Smit", "Müller", "Schmidt", "Fischer", "Weber", "Wagner", "Becker", "Hoffmann",
        "Lindberg", "Eriksen", "Dahl", "Halvorsen", "Nieminen", "Vermeulen",
    ),
}

PERSONAL_MAIL: dict[str, tuple[str, ...]] = {
    "fr": (
        "gmail.com", "gmail.com", "gmail.com", "orange.fr", "free.fr", "laposte.net",
        "outlook.fr", "sfr.fr", "hotmail.fr", "wanadoo.fr", "icloud.com", "yahoo.fr",
    ),
    "en": (
        "gmail.com", "gmail.com", "outlook.com", "yahoo.co.uk", "icloud.com", "hotmail.co.uk",
        "proton.me", "eircom.net",
    ),
}
# fmt: on

MASTODON_INSTANCES: dict[str, tuple[str, ...]] = {
    "fr": ("piaille.fr", "mamot.fr", "mastodon.social", "framapiaf.org", "mastodon.online"),
    "en": ("mastodon.social", "mastodon.online", "hachyderm.io", "fosstodon.org", "mas.to"),
}


def ascii_slug(text: str) -> str:
    """ "Élise Le Gall" -> "eliselegall": what people type when a handle can't hold accents."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


@dataclass(frozen=True)
class Name:
    first: str
    last: str
    gender: Gender

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def first_slug(self) -> str:
        return ascii_slug(self.first)

    @property
    def last_slug(self) -> str:
        return ascii_slug(self.last)


def draw_names(rng: random.Random, origin: Origin, count: int, taken: set[str]) -> list[Name]:
    """``count`` distinct names of one origin, none of them already in ``taken``."""
    names: list[Name] = []
    while len(names) < count:
        gender: Gender = rng.choice(("f", "m"))
        name = Name(rng.choice(FIRST_NAMES[origin][gender]), rng.choice(LAST_NAMES[origin]), gender)
        if name.full in taken or name.first == name.last:
            continue
        taken.add(name.full)
        names.append(name)
    return names


@dataclass
class Handles:
    """Handles given out in one workspace, per network, so each is given only once."""

    taken: dict[str, set[str]] = field(default_factory=dict)

    def claim(self, kind: str, candidates: list[str]) -> str:
        """The first free candidate, else the last one numbered (before any "@domain")."""
        used = self.taken.setdefault(kind, set())
        free = [c for c in candidates if c not in used]
        if free:
            used.add(free[0])
            return free[0]
        local, at, domain = candidates[-1].partition("@")
        number = 2
        while f"{local}{number}{at}{domain}" in used:
            number += 1
        used.add(f"{local}{number}{at}{domain}")
        return f"{local}{number}{at}{domain}"


def personal_email(rng: random.Random, name: Name, language: str, handles: Handles) -> str:
    f, last = name.first_slug, name.last_slug
    year = rng.randint(70, 99)
    locals_ = [f"{f}.{last}", f"{f[0]}{last}", f"{f}.{last}{year}", f"{last}.{f}", f"{f}_{last}"]
    rng.shuffle(locals_)
    domain = rng.choice(PERSONAL_MAIL[language])
    return handles.claim("email", [f"{local}@{domain}" for local in locals_])


def work_email(name: Name, domain: str, style: EmailStyle, handles: Handles) -> str:
    f, last = name.first_slug, name.last_slug
    local = {"first.last": f"{f}.{last}", "flast": f"{f[0]}{last}", "f.last": f"{f[0]}.{last}"}
    return handles.claim("email", [f"{local[style]}@{domain}", f"{f}.{last}.{f[0]}@{domain}"])


def x_handle(rng: random.Random, name: Name, handles: Handles) -> str:
    f, last = name.first_slug, name.last_slug
    options = [f"{f}{last}", f"{f}_{last[:4]}", f"{f[0]}{last}", f"{f}{last[0]}_"]
    rng.shuffle(options)
    return handles.claim("x", [o[:15] for o in options])


def instagram_handle(rng: random.Random, name: Name, handles: Handles) -> str:
    f, last = name.first_slug, name.last_slug
    options = [
        f"{f}.{last}",
        f"{f}_{last}",
        f"{f}.{last}.home",
        f"_{f}{last}",
        f"{f}{last[0]}.deco",
    ]
    rng.shuffle(options)
    return handles.claim("instagram", options)


def mastodon_account(rng: random.Random, name: Name, language: str, handles: Handles) -> str:
    """``user@instance``, the address a Mastodon account is known by everywhere."""
    f, last = name.first_slug, name.last_slug
    instance = rng.choice(MASTODON_INSTANCES[language])
    options = [f"{f}{last[0]}", f"{f}_{last}", f"{f[0]}{last}", f"{f}"]
    rng.shuffle(options)
    return handles.claim("mastodon", [f"{o}@{instance}" for o in options])


def linkedin_vanity(rng: random.Random, name: Name, handles: Handles) -> str:
    first = "-".join(ascii_slug(part) for part in name.first.split("-"))
    last = "-".join(ascii_slug(part) for part in name.last.split())
    return handles.claim("linkedin", [f"{first}-{last}-{rng.getrandbits(24):06x}"])
