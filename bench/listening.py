"""Listening throughput: 200 rules against 100,000 public posts, on one core.

    .venv/bin/python bench/listening.py
    .venv/bin/python bench/listening.py --rules 200 --posts 100000 --seed 7

The posts are French and English, with hashtags, @handles, accents and some noise words;
the rules mix brand handles and hashtags, product terms, exact phrases, OR groups,
exclusions and language filters, as a brand's listening setup would. What is timed is
what the pipeline does per post: read the text once (fold, tokenize) and run every
active rule through the trigger index. No database is touched. Prints the posts per
second, the mentions found, and the size of the data.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

FR = [
    "Bonjour {handle}, ma commande {order} n'est toujours pas arrivée, c'est la {word} !",
    "J'ai perdu mon parapluie dans votre boutique de {city}, l'avez-vous retrouvé ? {tag}",
    "Super accueil à {city}, merci à toute l'équipe {handle} {tag}",
    "Je souhaite un remboursement pour la lampe cassée reçue ce matin ({order}).",
    "Si rien ne bouge d'ici vendredi je résilie mon abonnement {tag}",
    "Vous avez ce modèle en laiton ? Je voudrais en commander trois. {word} {word}",
    "Le service client est injoignable depuis une semaine {handle} {tag} {tag}",
    "Très déçue par la qualité de l'abat-jour, {word} et {word}.",
]
EN = [
    "Hi {handle}, my order {order} still hasn't arrived, this is {word}!",
    "Love the new collection, the store in {city} looks amazing {tag}",
    "I'd like a refund for the broken lamp I received today ({order}) {tag}",
    "Is this model available in brass? I want to order three. {word}",
    "If nothing changes by Friday I'm cancelling my subscription {handle}",
    "Customer service never answers the phone, {word} {word} {tag}",
]
CITIES = ["Paris", "Lyon", "Nantes", "Lille", "Bordeaux", "London", "Brussels", "Montréal"]
WORDS = [
    "honte",
    "génial",
    "catastrophe",
    "parfait",
    "lent",
    "rapide",
    "livraison",
    "colis",
    "lampe",
    "applique",
    "suspension",
    "laiton",
    "verre",
    "qualité",
    "prix",
    "soldes",
    "delivery",
    "parcel",
    "quality",
    "price",
    "sale",
    "brass",
    "glass",
    "awful",
    "great",
    "noël",
    "cadeau",
    "gift",
    "retour",
    "return",
    "garantie",
    "warranty",
    "écologique",
]
BRANDS = ["maisonlumiere", "lumiere_paris", "atelierlaiton", "verreetlumiere", "lampesdupont"]
TAGS = [*BRANDS, "sav", "colis", "noel", "soldes", "deco", "design", "interiors", "homedecor"]
HANDLES = [*BRANDS, "laposte", "colissimo", "ups_fr", "lea", "marie_d", "paul_m"]
PHRASES = ["toujours pas", "still hasn", "remboursement pour"]


def posts(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """(text, language) pairs; one post in three in English."""
    made = []
    for n in range(count):
        english = n % 3 == 0
        template = rng.choice(EN if english else FR)
        text = template.format_map(
            _Fill(rng, order=f"CMD-{rng.randrange(10**6):06d}", city=rng.choice(CITIES))
        )
        made.append((text, "en" if english else "fr"))
    return made


class _Fill(dict[str, str]):
    """Each placeholder drawn again at each use: two {word} are two words."""

    def __init__(self, rng: random.Random, **fixed: str) -> None:
        super().__init__(fixed)
        self.rng = rng

    def __missing__(self, key: str) -> str:
        if key == "word":
            return self.rng.choice(WORDS)
        if key == "tag":
            return "#" + self.rng.choice(TAGS)
        return "@" + self.rng.choice(HANDLES)


def rules(count: int, rng: random.Random) -> list[tuple[str, list[str]]]:
    """(query, languages) pairs of several shapes."""
    shapes = [
        lambda: f"@{rng.choice(HANDLES)} OR #{rng.choice(TAGS)}",
        lambda: f"{rng.choice(WORDS)} {rng.choice(WORDS)}",
        lambda: f'"{rng.choice(["service client", "customer service", "lampe cassée"])}"',
        lambda: f"({rng.choice(WORDS)} OR {rng.choice(WORDS)}) -{rng.choice(WORDS)}",
        lambda: f"#{rng.choice(TAGS)} AND NOT @{rng.choice(HANDLES)}",
        lambda: f"{rng.choice(BRANDS)} OR @{rng.choice(BRANDS)} OR #{rng.choice(BRANDS)}",
        lambda: f'{rng.choice(WORDS)} "{rng.choice(PHRASES)}"',
    ]
    made = []
    for n in range(count):
        languages = [] if n % 4 else [rng.choice(["fr", "en"])]
        made.append((shapes[n % len(shapes)](), languages))
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=int, default=200)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--repeat", type=int, default=3, help="timed runs; the best is the figure (least noise)"
    )
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings")
    import django

    django.setup()
    from comptoir.listening.matching import compile_rules
    from comptoir.listening.models import ListeningRule
    from comptoir.listening.query import read

    rng = random.Random(args.seed)
    queries = rules(args.rules, rng)
    texts = posts(args.posts, rng)
    size = sum(len(text.encode()) for text, _ in texts)

    started = time.perf_counter()
    rule_set = compile_rules(
        ListeningRule(pk=n + 1, query=query, languages=languages)
        for n, (query, languages) in enumerate(queries)
    )
    compiled = time.perf_counter() - started

    runs = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        mentions = 0
        matched_posts = 0
        for text, language in texts:
            found = rule_set.match(read(text), language, "x")
            mentions += len(found)
            matched_posts += bool(found)
        runs.append(time.perf_counter() - started)
    elapsed = min(runs)

    print(f"rules            {args.rules:>12,}   (compiled in {compiled * 1000:.1f} ms)")
    print(f"posts            {args.posts:>12,}   ({size / 1e6:.1f} MB of text)")
    print(f"posts matched    {matched_posts:>12,}")
    print(f"mentions         {mentions:>12,}")
    print(f"matching time    {elapsed:>12.2f} s   (one core, best of {args.repeat})")
    print(f"all runs         {'  '.join(f'{run:.2f}' for run in runs):>12} s")
    print(f"load average     {os.getloadavg()[0]:>12.2f}   ({os.cpu_count()} cores)")
    print(f"posts/s          {args.posts / elapsed:>12,.0f}   (goal: 50,000)")


if __name__ == "__main__":
    main()
