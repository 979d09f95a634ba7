"""disentanglement_lib's metrics on fixed representations and fixed samples, transcribed from
its code (google-research/disentanglement_lib, disentanglement_lib/evaluation/metrics/
mig.py, factor_vae.py, beta_vae.py, sap_score.py, dci.py and utils.py) into numpy and
scikit-learn with its default settings (unsupervised_study_v1's metric configs): writes Tests/Fixtures/disentanglement-reference.json,
which GenLabAnalysisTests' DisentanglementMetricTests gives GenLab's metrics.

Requirements (MIG moves with scikit-learn's mutual_info_score, so the version is pinned):
    python3 -m venv /tmp/metrics && /tmp/metrics/bin/pip install numpy scipy scikit-learn==1.9.1
    /tmp/metrics/bin/python Tests/Fixtures/generate_disentanglement_reference.py

The representations are a made-up 10-dimensional code of dSprites-sized factors (some
dimensions a factor plus noise, one a mix, two pure noise, one nearly constant), so that
every branch of the metrics is taken.
"""
import json
import os

import numpy as np
import scipy
import scipy.stats
import sklearn
import sklearn.linear_model
import sklearn.metrics
import sklearn.svm

SIZES = [3, 6, 40, 32, 32]
rng = np.random.RandomState(0)
MIX = rng.randn(10, 5) * (rng.rand(10, 5) < 0.3)
MIX[0], MIX[1], MIX[2] = [3, 0, 0, 0, 0], [0, 2, 0, 0, 0], [0, 0, 0, 1.5, 0.5]
MIX[8], MIX[9] = 0, 0


def code(factors):
    """(n, 5) factor indices -> (n, 10) representations."""
    scaled = factors / (np.array(SIZES) - 1.0)
    noise = rng.randn(len(factors), 10) * np.array([0.05, 0.1, 0.1, 0.3, 0.3, 0.5, 0.5, 0.5, 1.0, 0.001])
    return scaled @ MIX.T + noise


def sample_factors(n):
    return np.stack([rng.randint(s, size=n) for s in SIZES], axis=1)


# --- MIG (mig.py, utils.py): num_train points, histogram discretizer with 20 bins ---------------
def histogram_discretize(target, num_bins=20):
    discretized = np.zeros_like(target)
    for i in range(target.shape[0]):
        discretized[i, :] = np.digitize(target[i, :], np.histogram(target[i, :], num_bins)[1][:-1])
    return discretized


def discrete_mutual_info(mus, ys):
    m = np.zeros([mus.shape[0], ys.shape[0]])
    for i in range(mus.shape[0]):
        for j in range(ys.shape[0]):
            m[i, j] = sklearn.metrics.mutual_info_score(ys[j, :], mus[i, :])
    return m


def discrete_entropy(ys):
    return np.array([sklearn.metrics.mutual_info_score(ys[j, :], ys[j, :]) for j in range(ys.shape[0])])


def compute_mig(mus_train, ys_train):
    discretized_mus = histogram_discretize(mus_train)
    m = discrete_mutual_info(discretized_mus, ys_train)
    entropy = discrete_entropy(ys_train)
    sorted_m = np.sort(m, axis=0)[::-1]
    per_factor = np.divide(sorted_m[0, :] - sorted_m[1, :], entropy[:])
    return {"discrete_mig": float(np.mean(per_factor)), "per_factor": per_factor.tolist(),
            "mutual_information": m.tolist(), "entropy": entropy.tolist(),
            "discretized": discretized_mus.astype(int).tolist()}


# --- FactorVAE (factor_vae.py): batch 64, variances of num_variance_estimate points, ------------
# --- dimensions whose standard deviation is under 0.05 pruned, majority-vote classifier ---------
def prune_dims(variances, threshold=0.05):
    return np.sqrt(variances) >= threshold


def votes_of(batches, global_variances, active_dims):
    votes = np.zeros((len(SIZES), global_variances.shape[0]), dtype=np.int64)
    for factor_index, representations in batches:
        local_variances = np.var(representations, axis=0, ddof=1)
        argmin = np.argmin(local_variances[active_dims] / global_variances[active_dims])
        votes[factor_index, argmin] += 1
    return votes


def fixed_factor_batch(batch_size=64):
    factor_index = rng.randint(len(SIZES))
    factors = sample_factors(batch_size)
    factors[:, factor_index] = factors[0, factor_index]
    return int(factor_index), code(factors)


# --- DCI (dci.py) from an importance matrix [code, factor]; the regressor that gives it is ------
# --- GenLab's own choice (the issue asks to say which), so only the entropies are checked here ---
def disentanglement_per_code(importance_matrix):
    return 1. - scipy.stats.entropy(importance_matrix.T + 1e-11, base=importance_matrix.shape[1])


def disentanglement(importance_matrix):
    per_code = disentanglement_per_code(importance_matrix)
    if importance_matrix.sum() == 0.:
        importance_matrix = np.ones_like(importance_matrix)
    code_importance = importance_matrix.sum(axis=1) / importance_matrix.sum()
    return np.sum(per_code * code_importance)


def completeness_per_factor(importance_matrix):
    return 1. - scipy.stats.entropy(importance_matrix + 1e-11, base=importance_matrix.shape[0])


def completeness(importance_matrix):
    per_factor = completeness_per_factor(importance_matrix)
    if importance_matrix.sum() == 0.:
        importance_matrix = np.ones_like(importance_matrix)
    factor_importance = importance_matrix.sum(axis=0) / importance_matrix.sum()
    return np.sum(per_factor * factor_importance)


# --- SAP (sap_score.py): the continuous-factor score matrix and the mean gap of the top two -----
def sap_continuous_matrix(mus, ys):
    matrix = np.zeros([mus.shape[0], ys.shape[0]])
    for i in range(mus.shape[0]):
        for j in range(ys.shape[0]):
            cov_mu_i_y_j = np.cov(mus[i, :], ys[j, :], ddof=1)
            cov_mu_y = cov_mu_i_y_j[0, 1] ** 2
            var_mu = cov_mu_i_y_j[0, 0]
            var_y = cov_mu_i_y_j[1, 1]
            matrix[i, j] = cov_mu_y * 1. / (var_mu * var_y) if var_mu > 1e-12 else 0.
    return matrix


def compute_avg_diff_top_two(matrix):
    sorted_matrix = np.sort(matrix, axis=0)
    return np.mean(sorted_matrix[-1, :] - sorted_matrix[-2, :])


# --- β-VAE (beta_vae.py): a batch of pairs sharing one factor, the feature mean |z1 - z2|, -------
# --- LogisticRegression() predicting the factor; here batches of 16 (64 there) --------------------
def beta_vae_batch(batch_size=16):
    index = rng.randint(len(SIZES))
    factors1, factors2 = sample_factors(batch_size), sample_factors(batch_size)
    factors2[:, index] = factors1[:, index]
    return int(index), code(factors1), code(factors2)


# --- the classifiers at their defaults and fitted to their optimum (tolerances 1e-12), so that ---
# --- GenLab's exact fits are checked against both --------------------------------------------------
def logistic(points, labels, **tight):
    return sklearn.linear_model.LogisticRegression(random_state=0, **tight).fit(points, labels)


def linear_svc(points, labels, **tight):
    return sklearn.svm.LinearSVC(C=0.01, class_weight="balanced", **tight).fit(points, labels)


TIGHT_LOGISTIC = dict(solver="newton-cg", tol=1e-14, max_iter=100000)
TIGHT_SVC = dict(tol=1e-12, max_iter=1000000)


def fitted(model):
    return {"coef": model.coef_.tolist(), "intercept": model.intercept_.tolist(), "classes": model.classes_.tolist()}


# --- SAP (sap_score.py) on discrete factors: LinearSVC(C=0.01, class_weight="balanced") on one ---
# --- code, test accuracy ---------------------------------------------------------------------------
def sap_discrete_matrix(mus, ys, mus_test, ys_test):
    matrix = np.zeros([mus.shape[0], ys.shape[0]])
    for i in range(mus.shape[0]):
        for j in range(ys.shape[0]):
            classifier = linear_svc(mus[i, :][:, np.newaxis], ys[j, :])
            pred = classifier.predict(mus_test[i, :][:, np.newaxis])
            matrix[i, j] = np.mean(pred == ys_test[j, :])
    return matrix


# --- DCI with GenLab's importance regressor: codes standardised by the training points, factors --
# --- scaled to [0, 1], one Lasso(alpha=0.02) per factor, importance |weight|, RMSE per factor -----
def dci_lasso(codes, factors, test_codes, test_factors, alpha=0.02):
    mean, deviation = codes.mean(axis=0), codes.std(axis=0)
    safe = np.where(deviation > 0, deviation, 1.0)
    train = np.where(deviation > 0, (codes - mean) / safe, 0.0)
    test = np.where(deviation > 0, (test_codes - mean) / safe, 0.0)
    targets, test_targets = factors / (np.array(SIZES) - 1.0), test_factors / (np.array(SIZES) - 1.0)
    importance, train_error, test_error, default_importance = [], [], [], []
    for j in range(len(SIZES)):
        model = sklearn.linear_model.Lasso(alpha=alpha, tol=1e-14, max_iter=1000000).fit(train, targets[:, j])
        default_importance.append(np.abs(sklearn.linear_model.Lasso(alpha=alpha).fit(train, targets[:, j]).coef_))
        importance.append(np.abs(model.coef_))
        train_error.append(np.sqrt(np.mean((model.predict(train) - targets[:, j]) ** 2)))
        test_error.append(np.sqrt(np.mean((model.predict(test) - test_targets[:, j]) ** 2)))
    return np.array(importance).T, train_error, test_error, np.array(default_importance).T


mig_factors = sample_factors(1000)
mig_codes = code(mig_factors)
mig = compute_mig(mig_codes.T, mig_factors.T)

variance_codes = code(sample_factors(500))
global_variances = np.var(variance_codes, axis=0, ddof=1)
active_dims = prune_dims(global_variances)
train_batches = [fixed_factor_batch() for _ in range(30)]
eval_batches = [fixed_factor_batch() for _ in range(20)]
training_votes = votes_of(train_batches, global_variances, active_dims)
classifier = np.argmax(training_votes, axis=0)
other_index = np.arange(training_votes.shape[1])
train_accuracy = np.sum(training_votes[classifier, other_index]) * 1. / np.sum(training_votes)
eval_votes = votes_of(eval_batches, global_variances, active_dims)
eval_accuracy = np.sum(eval_votes[classifier, other_index]) * 1. / np.sum(eval_votes)

importance = np.abs(rng.randn(10, 5)) * (rng.rand(10, 5) < 0.6)
importance[9] = 0  # a code that matters for nothing
sap_matrix = sap_continuous_matrix(mig_codes.T, mig_factors.T.astype(float))

reference = {
    "generator": "generate_disentanglement_reference.py",
    "versions": {"numpy": np.__version__, "scikit-learn": sklearn.__version__},
    "mig": {"codes": mig_codes.tolist(), "factors": mig_factors.tolist(), **mig},
    "factor_vae": {
        "variance_codes": variance_codes.tolist(),
        "train_batches": [{"factor": f, "codes": c.tolist()} for f, c in train_batches],
        "eval_batches": [{"factor": f, "codes": c.tolist()} for f, c in eval_batches],
        "global_variances": global_variances.tolist(), "active_dims": active_dims.tolist(),
        "train_votes": training_votes.tolist(), "eval_votes": eval_votes.tolist(),
        "train_accuracy": float(train_accuracy), "eval_accuracy": float(eval_accuracy),
        # disentanglement_lib reports len(active_dims), the length of the mask (every dimension);
        # the dimensions kept are its count
        "num_active_dims_reference": len(active_dims), "active_count": int(active_dims.sum()),
    },
}
reference["dci"] = {
    "importance": importance.tolist(),
    "disentanglement": float(disentanglement(importance)), "completeness": float(completeness(importance)),
    "per_code": disentanglement_per_code(importance).tolist(), "per_factor": completeness_per_factor(importance).tolist(),
    "zero_disentanglement": float(disentanglement(np.zeros((3, 2)))), "zero_completeness": float(completeness(np.zeros((3, 2)))),
}
reference["sap"] = {"continuous_matrix": sap_matrix.tolist(), "score": float(compute_avg_diff_top_two(sap_matrix))}
beta_train = [beta_vae_batch() for _ in range(300)]
beta_eval = [beta_vae_batch() for _ in range(200)]
beta_features = np.array([np.mean(np.abs(a - b), axis=0) for _, a, b in beta_train])
beta_labels = np.array([f for f, _, _ in beta_train])
beta_eval_features = np.array([np.mean(np.abs(a - b), axis=0) for _, a, b in beta_eval])
beta_eval_labels = np.array([f for f, _, _ in beta_eval])
beta_model = logistic(beta_features, beta_labels)
beta_tight = logistic(beta_features, beta_labels, **TIGHT_LOGISTIC)
reference["beta_vae"] = {
    "pairs": [{"factor": f, "first": a.tolist(), "second": b.tolist()} for f, a, b in beta_train[:10]],
    "features": beta_features.tolist(), "labels": beta_labels.tolist(),
    "eval_features": beta_eval_features.tolist(), "eval_labels": beta_eval_labels.tolist(),
    "train_accuracy": float(beta_model.score(beta_features, beta_labels)),
    "eval_accuracy": float(beta_model.score(beta_eval_features, beta_eval_labels)),
    "tight_train_accuracy": float(beta_tight.score(beta_features, beta_labels)),
    "tight_eval_accuracy": float(beta_tight.score(beta_eval_features, beta_eval_labels)),
    "default": fitted(beta_model), "tight": fitted(beta_tight),
}
# two-class fits: the one-row forms of both classifiers
binary_points = rng.randn(200, 3)
binary_labels = (binary_points @ [1.0, -2.0, 0.5] + rng.randn(200) > 0.3).astype(int) * 5 + 2  # labels 2 and 7
binary_labels[:40] = 2
reference["binary"] = {
    "points": binary_points.tolist(), "labels": binary_labels.tolist(),
    "logistic": fitted(logistic(binary_points, binary_labels, **TIGHT_LOGISTIC)),
    "svc": fitted(linear_svc(binary_points, binary_labels, **TIGHT_SVC)),
}

sap_factors_test = sample_factors(500)
sap_codes_test = code(sap_factors_test)
sap_discrete = sap_discrete_matrix(mig_codes.T, mig_factors.T, sap_codes_test.T, sap_factors_test.T)
# one of its classifiers (code 0 predicting the orientation, 40 classes) at its optimum
sap_tight = linear_svc(mig_codes[:, 0:1], mig_factors[:, 2], **TIGHT_SVC)
reference["sap"].update({
    "test_codes": sap_codes_test.tolist(), "test_factors": sap_factors_test.tolist(),
    "discrete_matrix": sap_discrete.tolist(), "discrete_score": float(compute_avg_diff_top_two(sap_discrete)),
    "tight_code0_orientation": fitted(sap_tight),
})

dci_importance, dci_train_error, dci_test_error, dci_default = dci_lasso(mig_codes, mig_factors, sap_codes_test, sap_factors_test)
reference["dci"].update({
    "lasso_alpha": 0.02, "lasso_importance": dci_importance.tolist(), "lasso_default_importance": dci_default.tolist(),
    "lasso_train_error": dci_train_error, "lasso_test_error": dci_test_error,
    "lasso_disentanglement": float(disentanglement(dci_importance)), "lasso_completeness": float(completeness(dci_importance)),
})

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "disentanglement-reference.json")
with open(path, "w") as f:
    json.dump(reference, f)
print("beta_vae", reference["beta_vae"]["train_accuracy"], reference["beta_vae"]["eval_accuracy"],
      "tight", reference["beta_vae"]["tight_train_accuracy"], reference["beta_vae"]["tight_eval_accuracy"])
print("sap discrete", reference["sap"]["discrete_score"], "dci lasso", reference["dci"]["lasso_disentanglement"],
      reference["dci"]["lasso_completeness"], "errors", dci_test_error,
      "default vs tight importance", float(np.abs(dci_default - dci_importance).max()))
print(path, "MIG", mig["discrete_mig"], "FactorVAE", train_accuracy, eval_accuracy, "active", int(active_dims.sum()))
