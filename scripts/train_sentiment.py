"""Train the default sentiment analyzer from the UMSAB train split.

Retrain (needs the dev extra, which brings scikit-learn and scipy):

    .venv/bin/python scripts/train_sentiment.py [--data ../shared/data/umsab] [--cv-only]

It prints the 5-fold cross-validated macro-F1 on the train split for each model (fr, en, and
the shared ``xx`` model trained on both), then fits each model on the whole train split and
writes ``comptoir/understanding/models/sentiment.npz``: vocabularies, idf and coefficients as
plain arrays, read back by ``comptoir.understanding.sentiment`` with numpy alone. Folds and
the solver are seeded, so a rerun writes the same weights. The validation split is never
read here: ``bench/understanding.py`` measures it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from comptoir.understanding.sentiment import (  # noqa: E402  (needs the repo root on the path)
    ARTEFACT,
    LANGUAGES,
    SHARED,
    Features,
    extract,
    load_lexicons,
)

FOLDERS = {"fr": "french", "en": "english"}
SEED = 13
C = 1.5  # inverse regularisation, chosen by 5-fold cross-validation on the train split
MIN_DF = 2  # a feature seen in one tweet only is noise and bloats the artefact
DENSE_WEIGHT = 1.0


def read_split(data: Path, language: str, split: str) -> tuple[list[str], npt.NDArray[np.int64]]:
    folder = data / FOLDERS[language]
    # No trailing newline in these files, and a tweet never spans lines.
    texts = (folder / f"{split}_text.txt").read_text(encoding="utf-8").rstrip("\n").split("\n")
    labels = np.array(
        (folder / f"{split}_labels.txt").read_text(encoding="utf-8").split(), dtype=np.int64
    )
    if len(texts) != len(labels):
        raise SystemExit(f"{folder}: {len(texts)} texts but {len(labels)} labels")
    return texts, labels


class Fitted:
    """One model: a tf-idf per view and a logistic regression over the views and dense."""

    def __init__(self, features: list[Features], labels: npt.NDArray[np.int64]) -> None:
        self.views: dict[str, tuple[DictVectorizer, TfidfTransformer]] = {}
        blocks = []
        for name in ("words", "chars"):
            dicts = [getattr(f, name) for f in features]
            vectorizer = DictVectorizer()
            counts = vectorizer.fit_transform(dicts)
            document_frequency = np.asarray((counts > 0).sum(axis=0)).ravel()
            vectorizer.restrict(document_frequency >= MIN_DF)
            tfidf = TfidfTransformer(sublinear_tf=True)
            blocks.append(tfidf.fit_transform(vectorizer.transform(dicts)))
            self.views[name] = (vectorizer, tfidf)
        blocks.append(sparse.csr_matrix(self.dense(features)))
        self.classifier = LogisticRegression(C=C, max_iter=5000, random_state=SEED)
        self.classifier.fit(sparse.hstack(blocks).tocsr(), labels)

    @staticmethod
    def dense(features: list[Features]) -> npt.NDArray[np.float64]:
        return np.asarray([f.dense for f in features], dtype=np.float64) * DENSE_WEIGHT

    def matrix(self, features: list[Features]) -> sparse.csr_matrix:
        blocks = [
            tfidf.transform(vectorizer.transform([getattr(f, name) for f in features]))
            for name, (vectorizer, tfidf) in self.views.items()
        ]
        blocks.append(sparse.csr_matrix(self.dense(features)))
        return sparse.hstack(blocks).tocsr()

    def predict(self, features: list[Features]) -> npt.NDArray[np.int64]:
        return np.asarray(self.classifier.predict(self.matrix(features)), dtype=np.int64)

    def arrays(self, prefix: str) -> dict[str, npt.NDArray[np.generic]]:
        out: dict[str, npt.NDArray[np.generic]] = {}
        coef = self.classifier.coef_.T  # (features, classes)
        start = 0
        for name, (vectorizer, tfidf) in self.views.items():
            vocabulary = vectorizer.feature_names_
            end = start + len(vocabulary)
            out[f"{prefix}_{name}_vocab"] = np.array(vocabulary, dtype=np.str_)
            out[f"{prefix}_{name}_idf"] = tfidf.idf_.astype(np.float32)
            out[f"{prefix}_{name}_coef"] = coef[start:end].astype(np.float32)
            start = end
        out[f"{prefix}_dense_coef"] = (coef[start:] * DENSE_WEIGHT).astype(np.float64)
        out[f"{prefix}_intercept"] = self.classifier.intercept_.astype(np.float64)
        return out


def cross_validate(features: list[Features], labels: npt.NDArray[np.int64]) -> float:
    predicted = np.zeros_like(labels)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED)
    for train, test in folds.split(np.zeros(len(labels)), labels):
        model = Fitted([features[i] for i in train], labels[train])
        predicted[test] = model.predict([features[i] for i in test])
    return float(f1_score(labels, predicted, average="macro")) * 100


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "umsab")
    parser.add_argument("--cv-only", action="store_true", help="print the CV figures only")
    args = parser.parse_args()

    lexicons = load_lexicons()
    splits = {language: read_split(args.data, language, "train") for language in LANGUAGES}
    arrays: dict[str, npt.NDArray[np.generic]] = {}
    for name in (*LANGUAGES, SHARED):
        languages = LANGUAGES if name == SHARED else (name,)
        texts = [text for language in languages for text in splits[language][0]]
        labels = np.concatenate([splits[language][1] for language in languages])
        features = [extract(text, lexicons[name]) for text in texts]
        score = cross_validate(features, labels)
        print(f"{name}: {len(texts)} train tweets, 5-fold CV macro-F1 {score:.1f}")  # noqa: T201  (a script reports to its terminal)
        if not args.cv_only:
            arrays.update(Fitted(features, labels).arrays(name))
    if not args.cv_only:
        np.savez_compressed(ARTEFACT, **arrays)  # type: ignore[arg-type]  # numpy's stub wants one array type
        print(f"wrote {ARTEFACT} ({ARTEFACT.stat().st_size / 1e6:.2f} MB)")  # noqa: T201  (idem)


if __name__ == "__main__":
    main()
