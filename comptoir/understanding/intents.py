"""Intents in French and English from weighted cues: transparent, offline, fast.

Each intent owns a list of cues (a regular expression and a weight). A text's score for an
intent is the noisy-OR of the weights of the cues found in it, so one strong cue or a few
weak ones make an intent fire, and every score stays in [0, 1]. The cues found are kept,
so a person can see why a message was read as a complaint.

Cues run on a normalised copy of the text: lower case, accents removed (customers often
type without them: "desabonne", "rembourse"), typographic apostrophes made plain. French
and English cues run on every text, so a message in the wrong language or in both still
reads right, and no language detection is needed first.

Negation: a cue marked ``negatable`` looks at the three words before it. "pas satisfait"
or "not happy" turns a praise word into a complaint, "pas déçu" or "not disappointed"
turns a complaint word into praise, "pas de problème" or "no problem" drops it. Phrases
that hold their own negation ("ne marche pas", "won't be renewing") are not negatable.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final

COMPLAINT: Final = "complaint"
QUESTION: Final = "question"
PRAISE: Final = "praise"
PURCHASE_INTENT: Final = "purchase_intent"
CHURN_THREAT: Final = "churn_threat"
AFTER_SALES: Final = "after_sales"
SPAM_OR_ADVERTISING: Final = "spam_or_advertising"
OTHER: Final = "other"

INTENTS: Final = (
    COMPLAINT,
    QUESTION,
    PRAISE,
    PURCHASE_INTENT,
    CHURN_THREAT,
    AFTER_SALES,
    SPAM_OR_ADVERTISING,
    OTHER,
)
THRESHOLD: Final = 0.5  # an intent fires at this score or above

# What a negated cue becomes: "flip" gives its weight to the opposite intent (praise and
# complaint), "drop" forgets it. A cue that is not negatable ignores negation.
_DROP: Final = "drop"
_FLIP: Final = "flip"
_OPPOSITE: Final = {PRAISE: COMPLAINT, COMPLAINT: PRAISE}


@dataclass(frozen=True)
class Cue:
    intent: str
    pattern: str
    weight: float
    negated: str = ""  # "", "drop" or "flip"
    # A politeness or an interjection ("merci", "super", "great") that reads as praise
    # only when nothing else is asked or complained about: "super, encore en retard".
    weak: bool = False


@dataclass(frozen=True)
class IntentReading:
    scores: dict[str, float]  # every intent in INTENTS, rounded to 3 decimals
    cues: dict[str, tuple[str, ...]] = field(default_factory=dict)  # matched text per intent

    @property
    def labels(self) -> list[str]:
        """The intents that fire, strongest first; ["other"] when none does."""
        fired = [name for name in INTENTS if name != OTHER and self.scores[name] >= THRESHOLD]
        return sorted(fired, key=lambda name: -self.scores[name]) or [OTHER]


def _cues(
    intent: str, weight: float, *patterns: str, negated: str = "", weak: bool = False
) -> list[Cue]:
    return [Cue(intent, pattern, weight, negated, weak) for pattern in patterns]


# A greeting may come before an interrogative opening: "Bonjour, comment ...", "Hi, is ...".
_GREETING: Final = r"(?:(?:hi|hello|hey|dear \w+|bonjour|bonsoir|salut|coucou|hello)[ ,!]+)?"

# Word boundaries: \b works on the normalised (accentless) text.
_CUES: Final[list[Cue]] = [
    # --- complaint -------------------------------------------------------------------
    *_cues(
        COMPLAINT,
        0.8,
        r"\binadmissible",
        r"\binacceptable",
        r"\bunacceptable",
        r"\bscandal",
        r"\bhonte(?:ux|use)?\b",
        r"\bdisgrace",
        r"\boutrageous",
        r"\bridiculous",
        r"\bappalling",
        r"\bescroc",
        r"\barnaque",
        r"\bscam",
        r"\bvoleurs?\b",
        r"\bfurieu[xs]e?",
        r"\bfurious",
        r"\bmecontent",
        r"\bdissatisf",
        r"\bworst\b",
        r"\ble pire\b",
        r"\bla pire\b",
        r"\b(?:ne|n')\s*(?:fonctionne|marche|repond|marchent|fonctionnent)\w*\s+(?:toujours\s+|"
        r"plus\s+|jamais\s+)?(?:pas|plus|jamais)\b",
        r"\b(?:fonctionne|marche)\w*\s+(?:toujours\s+)?pas\b",
        r"\b(?:doesn't|does not|isn't|is not|not|don't|didn't|never)\s+(?:even\s+)?(?:work|"
        r"working|answer|answers|respond|responding)\b",
        r"\bstill not\b",
        r"\btoujours pas\b",
        r"\btoujours rien\b",
        r"\bstill nothing\b",
        r"\bplante\b",
        r"\bcrash",
        r"\bbug(?:s|gy|ue)?\b",
        r"\bbeug",
        r"\bdefectueu",
        r"\bfaulty\b",
        r"\bdamaged\b",
        r"\babime",
        r"\bcasse[es]?\b",
        r"\braye[es]?\b",
        r"\beventre",
        r"\bscratched\b",
        r"\btrempe",
        r"\bsoaked\b",
        r"\binjoignable",
        r"\bunreachable",
        r"\bimpossible de\b",
        r"\bcan't (?:log|sign|connect|access|find|reach|get through)",
        r"\bcannot (?:log|sign|connect|access|find|reach)",
        r"\ben ai marre\b",
        r"\bmarre\b",
        r"\bras[ -]le[ -]bol",
        r"\bsick of\b",
        r"\bfed up\b",
        r"\bgutted\b",
        r"\bdegoute",
        r"\braccroche",
        r"\bhung up\b",
        r"\bfrais caches\b",
        r"\bhidden fees?\b",
        r"\b(?:facture|debite|preleve)e?s? deux fois\b",
        r"\bcharged twice\b",
        r"\bdouble(?:d)? (?:charge|billing)",
        r"\bsans (?:explication|prevenir|reponse|nouvelles?)\b",
        r"\bwith(?:out)? (?:zero|no) (?:notice|explanation|warning|reply)\b",
        r"\bwithout (?:a )?(?:reply|warning|notice|explanation)\b",
        r"\bpersonne ne (?:repond|nous|m'|me)\b",
        r"\bnobody (?:answers|tells|replies|told|responds)\b",
        r"\bno one (?:answers|tells|replies|told|responds)\b",
        r"\bpas (?:normal|correct|terrible|acceptable)\b",
        r"\b(?:not|isn't) (?:ok|okay|cool|acceptable|right)\b",
        r"\bwtf\b",
        r"\bsmh\b",
        r"\bc'est quoi ce\b",
        r"\bn'importe quoi\b",
        r"\babuse\b",
        r"\bgone downhill\b",
        r"\ba baisse\b",
        r"\bon hold\b",
        r"\bd'attente\b",
        r"\bje vous relance\b",
        r"\bchased\b",
        r"\b(?:troisieme|third|deuxieme|second|enieme|nth) (?:fois|time)\b",
        r"[😡😤🤬👎😠]",
    ),
    # Eye-rolls and upside-down smiles mark irony more often than not.
    *_cues(COMPLAINT, 0.5, r"[🙄🙃😒]"),
    *_cues(
        COMPLAINT,
        0.6,
        r"\bdecevant",
        r"\bterrible\b",
        r"\bawful\b",
        r"\bhorrible\b",
        r"\bnul(?:le)?s?\b",
        r"\bpenible\b",
        r"\bannoying\b",
        r"\bagace",
        r"\benerve",
        r"\bangry\b",
        r"\b(?:en )?retard\b",
        r"\bdelayed\b",
        r"\blate again\b",
        r"\bannule[es]? sans\b",
        r"\bcancelled with\b",
        r"\bcoupe(?:nt)? (?:toutes|tout le temps|sans arret)",
        r"\bcoupures?\b",
        r"\bpannes?\b",
        r"\boutages?\b",
        r"\bkeeps? (?:dropping|crashing|failing|cutting)",
        r"\b(?:connexion|connection|wifi|reseau|signal) (?:a )?(?:encore )?(?:saute|drops|"
        r"dropped)\b",
        r"\bdrops? right\b",
        r"\bzero signal\b",
        r"\bno signal\b",
        r"\bpas de reseau\b",
        r"\bcapte pas\b",
        r"\bplus lent",
        r"\bslower\b",
        r"\bperd(?:s|ons)? un temps\b",
        r"\blosing (?:hours|time)\b",
        r"\bj'attends\b",
        r"\bbeen waiting\b",
        r"\bwaiting (?:for )?(?:\w+ ){0,2}(?:weeks|days|months|hours)\b",
        r"\bca fait \w+ (?:semaines|jours|mois|heures)\b",
        r"\bcasse(?:nt)? l'",
        r"\bbreaks? the\b",
        r"\btrop cher\b",
        r"\btoo expensive\b",
        r"\bpire\b",
        r"\bso-called\b",
        r"\bmon oeil\b",
        r"\bmy foot\b",
        r"\bpour rien\b",
        r"\bfor nothing\b",
        r"\bproblemes?\b",
        r"\bproblems?\b",
        r"\bissues?\b",
        negated=_DROP,
    ),
    # Complaint words that, negated, read as praise: "pas déçu", "not disappointed".
    *_cues(COMPLAINT, 0.6, r"\bdecue?s?\b", r"\bdisappoint\w*", r"\bregrette?\b", negated=_FLIP),
    # --- praise ----------------------------------------------------------------------
    *_cues(
        PRAISE,
        0.8,
        r"\brien a redire\b",
        r"\bnothing to (?:complain|add|say)\b",
        r"\bnever had (?:a |any |a single |one )?(?:single )?(?:problem|issue)",
        r"\bjamais eu (?:de|le moindre|un seul) (?:probleme|souci)",
        r"\bkeep it up\b",
        r"\bcontinuez comme ca\b",
        r"\bau top\b",
        r"\bkudos\b",
        r"\bje recommande\b",
        r"\bwould (?:\d+% )?recommend\b",
        r"\bhighly recommend\b",
        r"\bun grand merci\b",
        r"\bhuge thanks?\b",
        r"\bthanks? so much\b",
        r"\bmerci (?:beaucoup|bcp|infiniment|mille fois)\b",
        r"\bje tenais a vous remercier\b",
        r"\bwanted to thank\b",
        r"\bbravo (?:pour|a|to)\b",
        r"\bwell done (?:to|on)\b",
        r"\bnot one (?:outage|problem|issue)\b",
        r"\baucune? (?:coupure|panne|souci|probleme)\b",
    ),
    *_cues(
        PRAISE,
        0.7,
        r"\bsatisfaite?s?\b",
        r"\bcontente?s?\b",
        r"\bravie?s?\b",
        r"\bhappy\b",
        r"\bdelighted\b",
        r"\bpleased\b",
        r"\bimpressed\b",
        r"\bexcellent",
        r"\bparfaite?s?\b",
        r"\bperfect\b",
        r"\bimpeccable",
        r"\bflawless\b",
        r"\bnickel\b",
        r"\bspot on\b",
        r"\bgeniaux\b",
        r"\bamazing\b",
        r"\bfantastic\b",
        r"\bbrilliant\b",
        r"\bwonderful\b",
        r"\blovely\b",
        r"\bgorgeous\b",
        r"\bj'adore\b",
        r"\badorable\b",
        r"\bj'aime\b",
        r"\bi love\b",
        r"\blove (?:the|your|it|this|my)\b",
        r"\blove it\b",
        r"\b(?:really|so) like\b",
        r"\bmeilleure?s?\b",
        r"\bbest\b",
        r"\bcompetents?\b",
        r"\bknow their stuff\b",
        r"\bbien pense",
        r"\bwell designed\b",
        r"\bultra rapide\b",
        r"\bsuper (?:fast|quick|rapide)\b",
        r"\bquick (?:fix|support|response|reply)\b",
        r"\breactivite\b",
        r"\bje reviendrai\b",
        r"\bwill be back\b",
        r"\bbonne experience\b",
        r"\bgreat experience\b",
        r"\bgreat (?:team|product|service|job|quality)\b",
        r"\bsuper (?:equipe|produit|service)\b",
        r"\bgeste commercial\b",
        r"\bgoodwill gesture\b",
        r"\benfin un\b",
        r"\bfinally a\b",
        r"\bsans accroc\b",
        r"\bwithout a hitch\b",
        r"\bthat's rare\b",
        r"\bc'est rare\b",
        r"[😍❤🥰💯]",
        negated=_FLIP,
    ),
    *_cues(
        PRAISE,
        0.6,
        r"\bmerci(?! de\b| d'avance| par avance| pour rien)",
        r"\bthanks?(?! for nothing| in advance)\b",
        r"\bthank you\b",
        r"\bthx\b",
        r"\bcheers\b",
        r"\bbravo\b",
        r"\bwell done\b",
        r"\bsuper\b",
        r"\bgenial",
        r"\btop\b",
        r"\bgreat\b",
        r"\bawesome\b",
        r"\bcool\b",
        r"\bfire\b",
        r"\btrop (?:bien|cool|belle?|beau)\b",
        r"\bbien recu\b",
        r"\bgot it\b",
        r"[👏🙏🔥🥐☕]",
        negated=_FLIP,
        weak=True,
    ),
    # --- question --------------------------------------------------------------------
    *_cues(QUESTION, 0.9, r"\?"),
    *_cues(
        QUESTION,
        0.7,
        rf"^{_GREETING}(?:est[- ]ce qu|comment|pourquoi|quand|combien|quel(?:le)?s?|ou (?:est|"
        r"sont|se|en|puis|trouver)|qui (?:peut|sait)|y a[- ]t[- ]il|peut[- ]on|puis[- ]je)\b",
        rf"^{_GREETING}(?:how|what|why|where|when|which|who|do|does|did|is|are|can|could|would|"
        r"will|should|any idea|anyone know|has anyone)\b",
        r"\b\w+-(?:t-)?(?:il|elle|ils|elles|vous|on|je)\b(?!-)",
        r"\bje me demande\b",
        r"\bwondering\b",
        r"\b(?:jsp|je sais pas|idk|i don't know) (?:comment|how|si|if|ou|where)\b",
        r"\b(?:qqn|quelqu'un|someone|anyone) (?:peut|can|could) (?:m'aider|help)\b",
        r"\bpourriez[- ]vous me dire\b",
        r"\bcould you tell me\b",
    ),
    # --- purchase intent --------------------------------------------------------------
    *_cues(
        PURCHASE_INTENT,
        0.8,
        r"\b(?:je|j'|on|nous)\s*(?:voudrais|voudrions|veux|souhaite\w*|aimerai\w*|vais|compte\w*|"
        r"va)\s+(?:en\s+|le\s+|la\s+|les\s+)?(?:commander|acheter|prendre|reserver|souscrire|"
        r"m'abonner|passer commande|craquer)\b",
        r"\bje vais (?:en )?(?:commander|acheter|craquer)",
        r"\b(?:i'd|i would|we'd|we would|i|we|wanna|gonna|going to|want to|looking to|"
        r"about to)\s+(?:like to\s+|love to\s+|want to\s+)?(?:order|buy|purchase|book|subscribe|"
        r"sign up|splurge|get the)\b",
        r"\bcomm?ander\b",
        r"\bcomm?ande(?:r|z)?\b(?= (?:le|la|les|deux|une?|\d))",
        r"\bpasse(?:r)? commande\b",
        r"\bplace (?:my|an|our) order\b",
        r"\bhow (?:do|can) i (?:order|buy|sign up|subscribe)\b",
        r"\bcomment (?:on )?(?:commande|acheter|souscrire|faire pour commander)\b",
        r"\bwhere can i (?:buy|get|order)\b",
        r"\bou (?:est-ce que )?(?:je peux|puis-je|peut-on) (?:acheter|commander|trouver)\b",
        r"\bdevis\b",
        r"\bquotes?\b(?! for charities)",
        r"\bproposal\b",
        r"\bproposition\b",
        r"\bgrille tarifaire\b",
        r"\bprice list\b",
        r"\bpricing\b",
        r"\btarifs?\b",
        r"\bprix\b",
        r"\bprices?\b(?! (?:went|have|has|go|are going))",
        r"\bcombien (?:ca )?coute\b",
        r"\bc'est combien\b",
        r"\bca coute combien\b",
        r"\bhow much\b",
        r"\b(?:une |a |free )?demo\b",
        r"\bessai gratuit\b",
        r"\bfree trial\b",
        r"\bdevenir client",
        r"\bbecome a customer\b",
        r"\bje (?:la |le |les )?prend(?:s|rais)\b",
        r"\bi'(?:ll|d) (?:take|grab)\b",
        r"\bje l'achete\b",
        r"\bbuying it\b",
        r"\bm'interesse\b",
        r"\binteresse(?:e|s)?\b(?! (?:par un partenariat))",
        r"\binterested\b(?! in a partnership)",
        r"\ben stock\b",
        r"\bin stock\b",
        r"\bremises?\b",
        r"\bbulk discounts?\b",
        r"\b(?:\d+ )?(?:licences|licenses|seats|postes|utilisateurs)\b",
        r"\bupgrade\b",
        r"\bpasser (?:a|chez) (?:l'offre|la fibre|vous)\b",
        r"\bswitch (?:my \w+ )?to you\b",
        r"\bje veux (?:le|la|les) (?:meme|memes)\b",
        r"\bi want the same\b",
        r"\bi need it\b",
        r"\bje la veux\b",
        r"\bje le veux\b",
        r"\bdeals? on\b",
        r"\boffre en ce moment\b",
    ),
    # --- churn threat ------------------------------------------------------------------
    *_cues(
        CHURN_THREAT,
        0.85,
        r"\bresili",
        r"\bdesabonn",
        r"\bdesinscri",
        r"\bunsubscri",
        r"\bunsubscibing\b",
        r"\bcancel+(?:ing|ed|ation)?\b(?= (?:my|our|the|at)? ?(?:subscription|account|contract|"
        r"plan|membership|line|licen[cs]e|at the end))",
        r"\b(?:i'm|we're|i am|we are|just) cancel+(?:ing|ed)\b(?! (?:my|the|an|our) order)",
        r"\b(?:subscription|abonnement|contrat|contract|account|compte) (?:cancelled|canceled|"
        r"resilie|annule|ferme|closed)\b",
        r"\bannuler (?:mon|notre) (?:abonnement|contrat|forfait)\b",
        r"\bcancellation requested\b",
        r"\bterminat(?:e|ing|ion)\b",
        r"\bchanger? d'(?:operateur|fournisseur|assureur|banque)\b",
        r"\bje change d'",
        r"\bswitching (?:to|providers|carrier|supplier|bank|banks|network)\b",
        r"\b(?:passe|passer|pars|partir|aller|vais|je me casse) (?:chez|a|"
        r"vers) (?:la )?(?:concurrence|bouygues|free|orange|sfr|un autre|une autre)\b",
        r"\bje (?:passe|pars|me casse) chez\b",
        r"\bmoving to (?:another|a different|\w+)\b",
        r"\bleaving (?:for|\w+ after)\b",
        r"\bi'm leaving\b",
        r"\bje quitte\b",
        r"\bje vous quitte\b",
        r"\bgoing to (?:a )?competitor\b",
        r"\bgo(?:ing)? to a competitor\b",
        r"\bconcurren(?:t|ce)\b",
        r"\bcompetitor\b",
        r"\b(?:voir|aller) ailleurs\b",
        r"\b(?:acheter|commander) ailleurs\b",
        r"\b(?:buy|business|shop|go) elsewhere\b",
        r"\b(?:fermer|supprimer|cloturer|clore|supprimez|fermez) (?:mon|notre) compte\b",
        r"\bcloture de (?:mon|notre) compte\b",
        r"\b(?:close|delete|deactivate|remove) (?:my|our) account\b",
        r"\baccount closure\b",
        r"\bderniere fois que (?:je|nous|j')\b",
        r"\blast time (?:i|we)\b",
        r"\bplus jamais\b",
        r"\bnever \w+(?: \w+){0,4} again\b",
        r"\bne \w+(?:rai|rons) plus\b",
        r"\bne (?:resterai|renouvellerons|renouvellerai)\b",
        r"\b(?:pas|plus) (?:renouveler|resterai|rester client)\b",
        r"\bnot renewing\b",
        r"\b(?:won't|will not) (?:be )?(?:renew|renewing|stay)\b",
        r"\bperdu (?:une? )?client",
        r"\blost (?:a|one) customer\b",
        r"\bmigr(?:er|e|ons|ating|ate) (?:vers|to)\b",
        r"\bgood riddance\b",
        r"\bbon debarras\b",
        r"\badieu\b",
        r"\b(?:d'autres|other) (?:solutions|vendors|providers|suppliers|options)\b",
        r"\bje ne veux plus de\b",
        r"\bdon't want your \w+ anymore\b",
        r"\b(?:arretez|stop) (?:les |the )?(?:prelevements|direct debits?)\b",
        r"\barret(?:er|ons) (?:notre|le|mon) contrat\b",
        r"\bi'm out\b",
        r"\bbye\b",
        r"\bciao\b",
    ),
    # --- after-sales -------------------------------------------------------------------
    *_cues(
        AFTER_SALES,
        0.8,
        r"\brembours",
        r"\brefund",
        r"\brefun\b",
        r"\bmoney back\b",
        r"\b(?:etiquette|bon|formulaire) de retour\b",
        r"\breturns? (?:label|form)\b",
        r"\bretourner\b",
        r"\bretour (?:depose|effectue|envoye)",
        r"\breturn (?:my|the|it|an?|something|this)\b",
        r"\bto return\b",
        r"\bdropped off my return\b",
        r"\brenvoyer (?:la|le|les|l')\b",
        r"\bsend (?:it|the \w+|them) back\b",
        r"\bresend\b",
        r"\bechange(?:r)?\b",
        r"\bexchange\b",
        r"\bswap\b",
        r"\bremplacement\b",
        r"\breplacement\b",
        r"\bremplacer\b",
        r"\bgarantie\b",
        r"\bwarranty\b",
        r"\breparation\b",
        r"\brepair\b",
        r"\bsav\b",
        r"\bun avoir\b",
        r"\bl'avoir\b",
        r"\bd'avoir\b",
        r"\bstore credit\b",
        r"\bcredit note\b",
        r"\b(?:j'ai |avoir )?perdu (?:mon|ma|mes)\b",
        r"\b(?:colis|valise|bagage|sac|objet)s? perdu",
        r"\bperdu par\b",
        r"\blost (?:my|our|his|her|property|luggage)\b",
        r"\b(?:is|was|been|got) lost\b",
        r"\b(?:suitcase|bag|luggage|parcel|package) lost\b",
        r"\bcourier lost\b",
        r"\boublie (?:mon|ma|mes)\b",
        r"\bforgot (?:my|our)\b",
        r"\bleft (?:my|our|his|her)\b",
        r"\b(?:was|were) left (?:on|in|at)\b",
        r"\blaisse (?:mon|ma|mes)\b",
        r"\brestee? dans\b",
        r"\bstill in the\b",
        r"\bobjets? trouves?\b",
        r"\bpas (?:recu|arrive)\b",
        r"\bjamais (?:recu|arrive)\b",
        r"\brien recu\b",
        r"\bpas encore recu\b",
        r"\bnot received\b",
        r"\bnever (?:arrived|received|came)\b",
        r"\bgot nothing\b",
        r"\bhaven't received\b",
        r"\bmarque livre\b",
        r"\bsays delivered\b",
        r"\b(?:il )?manque\b",
        r"\bmissing\b",
        r"\bmauvais produit\b",
        r"\bwrong (?:product|item|size)\b",
        r"\bsuivi (?:de mon colis|ne bouge)",
        r"\btracking\b",
        r"\bou (?:est|en est) mon (?:colis|remboursement|remplacement|commande)\b",
        r"\bwhere(?:'s| is) my (?:parcel|package|order|refund)\b",
        r"\bannuler (?:ma|la) commande\b(?!.*ailleurs)",
        r"\bcancel (?:my |the )?order\b(?!.*elsewhere)",
        r"\bpoint relais\b",
        r"\bpick it up\b",
        r"\bje le recupere\b",
        r"\brecuperer\b",
        r"\bget (?:them|it) back\b",
        r"\bcolis note absent\b",
        r"\bmarked me as not home\b",
        r"\btake away the old\b",
    ),
    *_cues(AFTER_SALES, 0.35, r"\bcolis\b", r"\bparcel\b", r"\bpackage\b", r"\blivraison\b"),
    # --- spam and advertising ------------------------------------------------------------
    *_cues(
        SPAM_OR_ADVERTISING,
        0.8,
        r"\blien (?:en|dans ma) bio\b",
        r"\blink in (?:my )?bio\b",
        r"\bdm (?:pour|for) (?:collab|partenariat|info)",
        r"\bcollab\b",
        r"\bpartenariat\b",
        r"\bpartnership\b",
        r"\bpartner with\b",
        r"\bpartenaire de\b",
        r"\bambassad",
        r"\bbitcoin\b",
        r"\bcrypto\b",
        r"\bairdrop\b",
        r"\bnfts?\b",
        r"\bforex\b",
        r"\bgiveaway\b",
        r"\bconcours\b",
        r"\btag \d+ (?:amis|friends)\b",
        r"\bfollow4follow\b",
        r"\bfollow back\b",
        r"\bje vous suis en retour\b",
        r"\b(?:\d[\d ,.]* )?(?:followers|abonnes)\b(?= pour| for)",
        r"\bboost(?:ez)? (?:vos|your)\b",
        r"\b(?:acheter|achetez|buy) (?:des )?(?:cheap )?likes\b",
        r"\blikes? (?:pas chers|cheap)\b",
        r"\bcasino\b",
        r"\bgagne[rz]? (?:de l'argent|\d+)",
        r"\b(?:make|earn) (?:\$|easy money|money|\d)",
        r"\bcliquez (?:ici|vite)\b",
        r"\bclick (?:here|now)\b",
        r"\bwhatsapp\b",
        r"\btelegram\b",
        r"\btravail a domicile\b",
        r"\bwork from home\b",
        r"\bfelicitations\b",
        r"\bcongratulations\b",
        r"\bvous avez gagne\b",
        r"\byou've won\b",
        r"\b(?:selectionne|selected) (?:pour|to) (?:gagner|win)\b",
        r"\bvotre compte va etre suspendu\b",
        r"\byour account will be suspended\b",
        r"\bverif(?:iez|y) (?:vos|your)\b",
        r"\bprofits? garantis?\b",
        r"\bguaranteed profits?\b",
        r"\bsans justificatif\b",
        r"\bno paperwork\b",
        r"\bprets? entre particuliers\b",
        r"\bpersonal loans?\b",
        r"\bmultipli\w+ (?:votre|your) capital\b",
        r"\bdevenez riche\b",
        r"\bget rich\b",
        r"\bviens voir mon profil\b",
        r"\bcheck (?:out )?my profile\b",
        r"\bcheck mon profil\b",
        r"\bpremiere page de google\b",
        r"\bfirst page of google\b",
        r"\bagence (?:seo|d'influence)\b",
        r"\b(?:seo|influencer) agency\b",
        r"\bcollaboration remuneree\b",
        r"\bpaid collaboration\b",
        r"\bcomptes? netflix\b",
        r"\bnetflix (?:premium )?accounts\b",
        r"\be-book\b",
        r"\bbit\.ly\b",
        r"\.(?:xyz|biz|shop)\b",
    ),
    *_cues(
        SPAM_OR_ADVERTISING,
        0.45,
        r"\bdm\b",
        r"\bmp\b",
        r"\ben prive\b",
        r"\bprivately\b",
        r"\becris-moi\b",
        r"\bmessage me\b",
        r"\bwrite to me\b",
        r"\bpm me\b",
        r"\bcontactez-(?:moi|nous)\b",
        r"\bcontact (?:me|us)\b",
        r"\bpromo\b",
        r"\bcode promo\b",
        r"\bcode [a-z]+\d+\b",
        r"-\d+ ?%",
        r"\b\d+ ?% (?:off|bonus)\b",
        r"\bsoldes\b",
        r"\bflash sale\b",
        r"\bstock limite\b",
        r"\blimited (?:stock|spots|offer)\b",
        r"\bplaces limitees\b",
        r"\boffre exclusive\b",
        r"\bexclusive offer\b",
        r"\bachetez maintenant\b",
        r"\bbuy now\b",
        r"\bpas cher\b",
        r"\bcheap\b",
        r"\bgratuit\b",
        r"\bfree\b",
        r"\bformation\b",
        r"\btrading\b",
        r"\binvest",
        r"\bwallet\b",
        r"\bbonus\b",
        r"\bcredit\b",
        r"\bloans?\b",
        r"\bgagner\b",
        r"\bwin\b",
        r"\blogos?\b",
        r"\bsite web\b",
        r"\bwebsite\b",
        r"\bautomati",
        r"\breservez une demo\b",
        r"\bbook a demo\b",
        r"\bnotre (?:page|boutique|logiciel)\b",
        r"\bour (?:page|shop|tool|place)\b",
        r"https?://|www\.",
        r"[💰🚀🎁🎉🎊🎰📩💌👉➡]",
    ),
]

_NEGATORS = re.compile(
    r"\b(?:ne|n'|pas|jamais|aucune?|sans|rien|plus|not|never|no|nothing|without|"
    r"don't|didn't|doesn't|isn't|wasn't|won't|aren't|haven't|hasn't|nor)\b|n't\b"
)
_WORDS_BEFORE = re.compile(r"(?:\S+\s+){0,3}$")
# Typographic apostrophes (right and left single quotes, modifier letter) and backquotes.
_APOSTROPHES: Final = ("\u2019", "\u2018", "\u02bc", "`")
_COMBINING: Final = re.compile(r"[\u0300-\u036f]")


def normalise(text: str) -> str:
    """Lower case, no accents, plain apostrophes: what the cues are written against."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    for apostrophe in _APOSTROPHES:  # str.replace is far quicker than str.translate here
        if apostrophe in lowered:
            lowered = lowered.replace(apostrophe, "'")
    return _COMBINING.sub("", unicodedata.normalize("NFKD", lowered))


# Speed: most cues need a word that is rarely there. Each cue is only tried when one of
# the literal strings it cannot match without is in the text; a substring test is far
# cheaper than a regular expression, and most texts hold few cues' literals.
_SPECIAL: Final = frozenset("()[]|\\.?*+{}^$")


def _literal_prefix(pattern: str) -> str:
    """The plain text a pattern starts with, up to its first special character."""
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and pattern[index + 1 : index + 2] in (".", "?", "$", "-"):
            out.append(pattern[index + 1])
            index += 2
            continue
        if char in _SPECIAL:
            if char in "?*{" and out:
                out.pop()  # the character before is optional or repeated
            break
        out.append(char)
        index += 1
    return "".join(out)


def _split_top(pattern: str) -> list[str]:
    """The alternatives of a pattern, split on the "|" that sit outside any group."""
    parts, depth, start, index = [], 0, 0, 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            index = pattern.index("]", index + 1)
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:index])
            start = index + 1
        index += 1
    parts.append(pattern[start:])
    return parts


def _closing(pattern: str, opening: int) -> int:
    depth = 0
    for index in range(opening, len(pattern)):
        if pattern[index] == "\\":
            continue
        if pattern[index] == "(" and pattern[index - 1 : index] != "\\":
            depth += 1
        elif pattern[index] == ")" and pattern[index - 1 : index] != "\\":
            depth -= 1
            if depth == 0:
                return index
    return -1


def required_literals(pattern: str) -> tuple[str, ...]:
    """Strings of which a match must contain one; () when no such set is easy to see."""
    alternatives = _split_top(pattern)
    if len(alternatives) > 1:
        found = [required_literals(alternative) for alternative in alternatives]
        return () if any(not one for one in found) else tuple(x for one in found for x in one)
    rest = pattern.removeprefix("\\b")
    # Skip leading optional groups: "(?:en )?retard" needs "retard".
    while rest.startswith("(?:"):
        end = _closing(rest, 0)
        if end < 0 or rest[end + 1 : end + 2] != "?":
            break
        rest = rest[end + 2 :]
    if rest.startswith("(?:"):
        end = _closing(rest, 0)
        inner = rest[3:end]
        if end < 0 or rest[end + 1 : end + 2] in ("?", "*", "{"):
            return ()
        prefixes = [_literal_prefix(alternative) for alternative in _split_top(inner)]
        return () if any(len(prefix) < 2 for prefix in prefixes) else tuple(prefixes)
    if rest.startswith("[") and "]" in rest:
        members = rest[1 : rest.index("]")]
        if "\\" in members or "-" in members or members.startswith("^"):
            return ()
        return tuple(members)
    prefix = _literal_prefix(rest)
    return (prefix,) if len(prefix) >= 2 or (prefix and not prefix.isalnum()) else ()


def _parts(pattern: str) -> list[tuple[str | None, str]]:
    """The top-level items of a pattern without top-level alternatives, in order: (the
    character it matches when it is one plain character, else None; its text). A
    quantifier is an item of its own; groups and classes are read whole."""
    items: list[tuple[str | None, str]] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        end = index + 1
        literal: str | None = None
        if char == "\\":
            end = index + 2
            escaped = pattern[index + 1 : end]
            literal = escaped if escaped and not escaped.isalnum() else None
        elif char == "[":
            end = _class_end(pattern, index)
        elif char == "(":
            end = _group_end(pattern, index)
        elif char == "{":
            end = pattern.find("}", index) + 1 or end
        elif char not in _SPECIAL:
            literal = char
        items.append((literal, pattern[index:end]))
        index = end
    return items


def _class_end(pattern: str, opening: int) -> int:
    """Just past the "]" that closes the class opening at ``opening``."""
    index = opening + 1
    if pattern[index : index + 1] == "^":
        index += 1
    if pattern[index : index + 1] == "]":  # a "]" first in a class is one of its members
        index += 1
    while pattern[index] != "]":
        index += 2 if pattern[index] == "\\" else 1
    return index + 1


def _group_end(pattern: str, opening: int) -> int:
    """Just past the ")" that closes the group opening at ``opening``."""
    depth = 0
    index = opening
    while True:
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            index = _class_end(pattern, index)
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1


# What ``_parts`` does not read: escapes longer than one character (code points, group
# references) and inline flags (case-insensitive matching would void the literals).
_UNREAD: Final = re.compile(r"\\[xuUN0-9]|\(\?[aiLmsux-]+[:)]")


def mandatory_literals(pattern: str) -> tuple[tuple[str, ...], ...]:
    """Sets of strings of which a match must hold one each, read from the top level of the
    pattern: its runs of plain characters, and its groups whose every alternative opens on
    plain text. () when the pattern has alternatives at its top level.

    ``required_literals`` looks at how a pattern opens; these come from anywhere in it, so
    that "\\b\\w+-(?:il|elle)" is not tried on a text without "-", nor "\\b\\d+ ?% (?:off|bonus)"
    on one without "% " and "off" or "bonus". A gate of blanks alone rules nothing out: left out.
    """
    if len(_split_top(pattern)) > 1 or _UNREAD.search(pattern):
        return ()
    gates: list[tuple[str, ...]] = []
    run: list[str] = []
    items = _parts(pattern)
    for position, (literal, text) in enumerate(items):
        following = items[position + 1][1][:1] if position + 1 < len(items) else ""
        optional = following in ("?", "*", "{")
        if literal is not None and not optional:
            run.append(literal)
            if following != "+":  # repeated: present, but the run stops after it
                continue
        if run:
            gates.append(("".join(run),))
            run = []
        if literal is None and text.startswith("(?:") and not optional:
            prefixes = tuple(_literal_prefix(part) for part in _split_top(text[3:-1]))
            if all(prefixes):
                gates.append(prefixes)
    if run:
        gates.append(("".join(run),))
    return tuple(gate for gate in gates if all(literal.strip() for literal in gate))


def alternatives_literals(pattern: str) -> tuple[str, ...]:
    """Strings of which a match must hold one, for a pattern that is one group of
    alternatives, word boundaries around it allowed ("\\b(?:a|b c)\\b"): for each
    alternative, the longest string it cannot do without (``mandatory_literals``). ()
    when the pattern is not such a group, or some alternative has no such string."""
    inner = pattern.removeprefix("\\b").removesuffix("\\b")
    if not inner.startswith("(?:") or _group_end(inner, 0) != len(inner):
        return ()
    found: list[str] = []
    for alternative in _split_top(inner[3:-1]):
        singles = [gate[0] for gate in mandatory_literals(alternative) if len(gate) == 1]
        if not singles:
            return ()
        found.append(max(singles, key=len))
    return tuple(dict.fromkeys(found))


class WordStartPattern:
    """``re.compile(pattern)`` for a pattern that opens on ``\\b``, searched faster.

    A leading ``\\b`` hides the pattern's first letters from the regular expression engine,
    which then tries a match at every position of the text. Without it the engine jumps
    from one occurrence of those letters to the next; the word boundary is then checked
    on each candidate, and the search goes on after a candidate that fails it, exactly
    where the original pattern would have. ``search`` finds the same match.
    """

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.whole = re.compile(pattern)
        self.bare = re.compile(pattern[2:]) if pattern.startswith("\\b") else None

    def search(self, text: str) -> re.Match[str] | None:
        if self.bare is None:
            return self.whole.search(text)
        position = 0
        while (match := self.bare.search(text, position)) is not None:
            start = match.start()
            before = start > 0 and _is_word(text[start - 1])
            after = start < len(text) and _is_word(text[start])
            if before != after:
                return match
            position = start + 1
        return None

    def findall(self, text: str) -> list[str]:
        return self.whole.findall(text) if self.search(text) else []


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


@dataclass(frozen=True)
class _Compiled:
    intent: str
    cue: Cue
    pattern: WordStartPattern


_COMPILED: Final = tuple(
    _Compiled(cue.intent, cue, WordStartPattern(cue.pattern))
    for cue in _CUES
    if cue.intent != OTHER
)
# A cue whose literals all start a word is looked up by the first two or three letters of
# the text's words; the few others (emojis, "?", ".xyz") by a substring test, and those with
# no literal to go by are always tried.
_WORD: Final = re.compile(r"\w+(?:'\w+)*")  # "j'attends" is one word, and "attends" too


def _key(literal: str) -> str:
    """The first two or three characters of a literal's first word; "" when too short."""
    word = _WORD.match(literal)
    if word is None or word.start() != 0 or len(word.group()) < 2:
        return ""
    return word.group()[:3]


_MOST_LITERALS: Final = 8  # more strings than this cost more to test than a search


def _index() -> tuple[dict[str, list[int]], dict[str, list[int]], list[int]]:
    by_key: dict[str, list[int]] = {}
    by_substring: dict[str, list[int]] = {}
    always: list[int] = []
    for number, compiled in enumerate(_COMPILED):
        literals = required_literals(compiled.cue.pattern)
        keys = {_key(literal) for literal in literals}
        word_start = compiled.cue.pattern.startswith("\\b")
        if literals and word_start and all(keys):
            for key in keys:
                by_key.setdefault(key, []).append(number)
        elif literals or (literals := _fewest_literals(compiled.cue.pattern)):
            for literal in literals:
                by_substring.setdefault(literal, []).append(number)
        else:
            always.append(number)
    return by_key, by_substring, always


def _fewest_literals(pattern: str) -> tuple[str, ...]:
    """The smallest of a pattern's ``mandatory_literals`` sets, () when there is none worth
    testing (see ``_needs``): a cue that does not open on plain text ("\\b\\w+-(?:il|on)")
    is then looked for by a string it cannot do without rather than tried on every text."""
    if pattern.startswith("^"):
        return ()
    gates = [gate for gate in mandatory_literals(pattern) if len(gate) <= _MOST_LITERALS]
    return min(gates, key=len, default=())


_BY_KEY, _BY_SUBSTRING, _ALWAYS = _index()
_BY_ASCII_SUBSTRING: Final = tuple(
    (literal, numbers) for literal, numbers in _BY_SUBSTRING.items() if literal.isascii()
)
_ALWAYS_SET: Final = frozenset(_ALWAYS)
_KEYS: Final = frozenset(_BY_KEY)  # a set intersects a set faster than dict keys


def _needs(pattern: str) -> tuple[tuple[str, ...], ...]:
    """The sets of ``required_literals`` and ``mandatory_literals``, the smallest first; a
    set of many strings costs more to test than it saves, and a pattern anchored at the
    start costs little to try: their sets are left to the regular expression."""
    gates = [required_literals(pattern)]
    if not pattern.startswith("^"):
        gates += mandatory_literals(pattern)
    kept = [gate for gate in gates if 0 < len(gate) <= _MOST_LITERALS]
    return tuple(sorted(dict.fromkeys(kept), key=len))


# What _read needs of each cue, in one lookup.
_PLANS: Final = tuple(
    (compiled.pattern.search, compiled.intent, compiled.cue) for compiled in _COMPILED
)
# The strings each cue cannot match without: a match holds one string of each set. A
# substring test on them rules most candidates out before their regular expression runs.
_NEEDS: Final = tuple(_needs(compiled.cue.pattern) for compiled in _COMPILED)
# The first of them when it is one string, "" when not: tested before the loop over them.
_FIRST_NEEDS: Final = tuple(needs[0][0] if needs and len(needs[0]) == 1 else "" for needs in _NEEDS)


@lru_cache(maxsize=4096)  # intents, then urgency, read the same texts of a batch
def word_key(literal: str) -> str:
    """The key ``word_keys`` gives a text for the word that ``literal`` starts with:
    "on fire" -> "on", "a&e" -> "a", "incendie" -> "inc"."""
    first = _WORD.match(literal)
    return (first.group() if first else literal)[:3]


def word_keys(normalised: str) -> frozenset[str]:
    """The first two and three letters of each word of a normalised text, and of each
    part of an elided word ("j'attends": "j'a", "at", "att")."""
    words = _WORD.findall(normalised)
    keys = {word[:2] for word in words}
    keys.update(word[:3] for word in words)
    if "'" in normalised:
        for word in words:
            if "'" in word:
                for part in word.split("'"):
                    keys.add(part[:2])
                    keys.add(part[:3])
    return frozenset(keys)


def _candidates(normalised: str) -> list[int]:
    """The cues worth trying on a text, in the order they are written."""
    by_key = map(_BY_KEY.__getitem__, word_keys(normalised) & _KEYS)
    # A normalised text is most often ASCII: the substrings that are not (emojis) are
    # then not looked for.
    substrings = _BY_ASCII_SUBSTRING if normalised.isascii() else _BY_SUBSTRING.items()
    by_substring = (numbers for literal, numbers in substrings if literal in normalised)
    return sorted(_ALWAYS_SET.union(*by_key, *by_substring))


def _is_negated(normalised: str, start: int) -> bool:
    window = _WORDS_BEFORE.search(normalised[max(0, start - 40) : start])
    return bool(window and _NEGATORS.search(window.group()))


def _read(normalised: str, keep_cues: bool = True) -> IntentReading:
    """``keep_cues=False`` leaves ``cues`` empty: the scores alone are cheaper to find."""
    weights: dict[str, list[float]] = {}
    found: dict[str, list[tuple[int, str]]] = {}
    strong: set[str] = set()  # the intents held up by more than weak cues
    for number in _candidates(normalised):
        first = _FIRST_NEEDS[number]
        if first and first not in normalised:  # most candidates stop here
            continue
        missing = False
        for needs in _NEEDS[number]:
            if len(needs) == 1:
                missing = needs[0] not in normalised
            else:
                missing = not any(literal in normalised for literal in needs)
            if missing:
                break
        if missing:
            continue
        search, intent, cue = _PLANS[number]
        # A cue counts once, however often it is repeated.
        match = search(normalised)
        if match is None:
            continue
        target = intent
        if cue.negated and _is_negated(normalised, match.start()):
            if cue.negated == _DROP:
                continue
            target = _OPPOSITE[intent]
        weights.setdefault(target, []).append(cue.weight)
        if keep_cues:
            found.setdefault(target, []).append((match.start(), _whole_words(normalised, match)))
        if not (cue.weak and target == intent):
            strong.add(target)

    scores = dict.fromkeys(INTENTS, 0.0)  # what _noisy_or gives an intent without a cue
    for intent, listed in weights.items():
        scores[intent] = _noisy_or(listed)
    # Sarcasm and politeness: "super, encore en retard", "merci de me rembourser". When
    # praise rests only on interjections or thanks, anything else said is what counts.
    others = (COMPLAINT, QUESTION, PURCHASE_INTENT, CHURN_THREAT, AFTER_SALES, SPAM_OR_ADVERTISING)
    if PRAISE not in strong and any(scores[name] >= THRESHOLD for name in others):
        scores[PRAISE] = 0.0
        found.pop(PRAISE, None)
    # Advertisers ask rhetorical questions ("Besoin d'un site web ?"); nobody answers them.
    if scores[SPAM_OR_ADVERTISING] >= THRESHOLD:
        scores[QUESTION] = 0.0
        found.pop(QUESTION, None)
    strongest = max(scores[name] for name in INTENTS if name != OTHER)
    scores[OTHER] = round(1.0 - strongest, 3)
    return IntentReading(
        scores=scores,
        # In the order they are written, each once.
        cues={
            intent: tuple(dict.fromkeys(cue for _, cue in sorted(cues)))
            for intent in INTENTS
            if (cues := found.get(intent))
        }
        if found
        else {},
    )


def _whole_words(normalised: str, match: re.Match[str]) -> str:
    """The cue as read, up to the end of its last word: "resili" shows as "resilier"."""
    end = match.end()
    while end < len(normalised) and normalised[end].isalnum():
        end += 1
    return normalised[match.start() : end].strip()


def _noisy_or(weights: list[float]) -> float:
    missing = 1.0
    for weight in weights:
        missing *= 1.0 - weight
    return round(1.0 - missing, 3)


def detect_intents(
    texts: Sequence[str], *, normalised: Sequence[str] | None = None, cues: bool = True
) -> list[IntentReading]:
    """One reading per text, in order. ``normalised`` holds ``normalise(text)`` of each
    text when the caller has it already; ``cues=False`` leaves each reading's cues empty
    (the scores are the same)."""
    folded = normalised or [normalise(text) for text in texts]
    return [_read(text, cues) for text in folded]
