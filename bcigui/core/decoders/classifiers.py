"""Classifier catalog for feature-based pipelines."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC

from bcigui.core.catalog import CLASSIFIERS
from bcigui.core.checks import invalid_option


def make_classifier(name: str, random_state: int = 42) -> BaseEstimator:
    """A fresh, unfitted classifier from the catalog (``CLASSIFIERS`` lists the names)."""
    if name == "lda":
        return LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto")
    if name == "svm_linear":
        return SVC(kernel="linear", C=1.0)
    if name == "svm_rbf":
        return SVC(kernel="rbf", C=1.0, gamma="scale")
    if name == "lr":
        return SmallSampleLogisticRegressionCV(Cs=np.logspace(-4, 2, 7).tolist(), cv=5, max_iter=2000,
                                               l1_ratios=(0.0,), scoring="accuracy", use_legacy_attributes=False)
    if name == "lr_fixed":
        return LogisticRegression(C=1.0, max_iter=2000)
    if name == "rf":
        return RandomForestClassifier(n_estimators=300, random_state=random_state)
    if name == "knn":
        return KNeighborsClassifier(n_neighbors=5)
    if name == "ridge":
        return make_ridge()
    if name == "mdm":
        from pyriemann.classification import MDM

        return MDM(metric="riemann")
    raise invalid_option("classifier", name, list(CLASSIFIERS))


class SmallSampleLogisticRegressionCV(LogisticRegressionCV):
    """``LogisticRegressionCV`` whose inner folds never outnumber the smallest class (at least 2): a
    calibration of 5 trials per class leaves 4 per class in a training fold, too few for 5 inner folds."""

    def fit(self, X, y, sample_weight=None, **params):  # noqa: ANN001, ANN201 - scikit-learn's signature
        cv = self.cv
        smallest = int(np.min(np.unique(np.asarray(y), return_counts=True)[1]))
        if not isinstance(cv, int) or not 2 <= smallest < cv:
            return super().fit(X, y, sample_weight=sample_weight, **params)
        self.cv = smallest
        try:
            return super().fit(X, y, sample_weight=sample_weight, **params)
        finally:
            self.cv = cv


def make_ridge() -> BaseEstimator:
    """Ridge classifier with the penalty chosen by efficient leave-one-out (for very many features)."""
    from sklearn.linear_model import RidgeClassifierCV

    return RidgeClassifierCV(alphas=np.logspace(-2, 5, 15))
