"""The named choices of bcigui's estimators, in one light module (no imports): the plugin
declarations offer them and the estimators check against them, so the two cannot disagree."""

from __future__ import annotations

CLASSIFIERS: dict[str, str] = {
    "lda": "linear discriminant analysis with automatic (Ledoit-Wolf) shrinkage",
    "svm_linear": "linear support vector machine (C=1)",
    "svm_rbf": "RBF-kernel support vector machine (C=1, gamma='scale')",
    "lr": "L2 logistic regression, C chosen by inner 5-fold cross-validation",
    "rf": "random forest (300 trees)",
    "knn": "k nearest neighbours (k=5)",
    "ridge": "ridge classifier, penalty chosen by efficient leave-one-out (suits thousands of features)",
    "mdm": "minimum distance to Riemannian mean (covariance inputs only)",
}
FEATURE_CLASSIFIERS = tuple(c for c in CLASSIFIERS if c != "mdm")  # for feature vectors
COV_ESTIMATORS = ("oas", "lwf", "scm")  # shrinkage (oas, lwf) or plain sample covariance
PSD_METHODS = ("welch", "multitaper", "burg")
COH_METHODS = {"coh": "ordinary", "imcoh": "imaginary", "instantaneous": "instantaneous", "lagged": "lagged"}
CONNECTIVITY_METHODS = (*COH_METHODS, "plv", "wpli")
RIEMANN_METRICS = ("riemann", "logeuclid", "euclid")
REST_MODES = ("threshold", "learned")  # SSVEP no-target class
