"""'Buy till you die' models: BG/NBD (purchase counts) and Gamma-Gamma (spend per purchase).

Sources, implemented from the published formulas (no third-party BTYD package):

* BG/NBD: P. S. Fader, B. G. S. Hardie and K. L. Lee (2005), "'Counting Your Customers' the Easy Way: An
  Alternative to the Pareto/NBD Model", Marketing Science 24(2), 275-284. Log-likelihood: equation (6) and
  its numerically stable form in Fader, Hardie & Lee, "Implementing the BG/NBD Model for Customer Base
  Analysis in Excel" (2005 note); conditional expectation: equation (10); probability alive: the note
  "Computing P(alive) Using the BG/NBD Model" (2008).
* Gamma-Gamma: P. S. Fader and B. G. S. Hardie (2013), "The Gamma-Gamma Model of Monetary Value" (note):
  marginal likelihood of the mean spend (equation 1) and the conditional expectation (equation 2).

Inputs per customer: ``frequency`` x = repeat purchases (purchases after the first), ``recency`` t_x = time of
the last purchase measured from the first one, ``age`` T = time from the first purchase to the as-of date, in
one time unit (this module does not care which; :func:`btyd_inputs` uses weeks). Everything is vectorised over
customers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special

DAYS_PER_UNIT = 7.0  # BG/NBD time unit: weeks (keeps the scale parameter alpha near 1 for stable optimization)


@dataclass(frozen=True)
class BTYDInputs:
    """Per-customer BG/NBD / Gamma-Gamma inputs (numpy arrays of equal length); ``buyer`` is False without purchases."""

    frequency: np.ndarray
    recency: np.ndarray
    age: np.ndarray
    monetary: np.ndarray
    purchases: np.ndarray
    buyer: np.ndarray


def btyd_inputs(frame: pd.DataFrame) -> BTYDInputs:
    """Derive BTYD inputs from feature columns.

    frequency = purchase_count - 1 (repeat purchases), age T = days_since_first_purchase, recency t_x =
    days_since_first_purchase - recency_days (the last purchase measured from the first), in weeks; monetary =
    avg_purchase_value_eur over all purchases. Customers without purchases get zeros and ``buyer`` False.
    """
    count = pd.to_numeric(frame["purchase_count"], errors="coerce").fillna(0).to_numpy(dtype=float)
    first = pd.to_numeric(frame["days_since_first_purchase"], errors="coerce").to_numpy(dtype=float)
    last = pd.to_numeric(frame["recency_days"], errors="coerce").to_numpy(dtype=float)
    avg = pd.to_numeric(frame["avg_purchase_value_eur"], errors="coerce").to_numpy(dtype=float)
    buyer = (count > 0) & np.isfinite(first) & np.isfinite(last)
    age = np.where(buyer, first, 0.0) / DAYS_PER_UNIT
    recency = np.clip(np.where(buyer, first - last, 0.0), 0.0, None) / DAYS_PER_UNIT
    frequency = np.where(buyer, count - 1.0, 0.0)
    monetary = np.where(buyer & np.isfinite(avg), np.clip(avg, 0.0, None), 0.0)
    return BTYDInputs(frequency, recency, age, monetary, np.where(buyer, count, 0.0), buyer)


def bgnbd_log_likelihood(params: np.ndarray, frequency: np.ndarray, recency: np.ndarray, age: np.ndarray) -> np.ndarray:
    """Per-customer BG/NBD log-likelihood (Fader, Hardie & Lee 2005, eq. 6), params = (r, alpha, a, b)."""
    r, alpha, a, b = params
    x, tx, t = frequency, recency, age
    a1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    a2 = special.gammaln(a + b) + special.gammaln(b + x) - special.gammaln(b) - special.gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + t)
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.where(x > 0, np.log(a) - np.log(b + x - 1) - (r + x) * np.log(alpha + tx), -np.inf)
    return a1 + a2 + np.logaddexp(a3, a4)


def fit_bgnbd(frequency: np.ndarray, recency: np.ndarray, age: np.ndarray) -> dict[str, float]:
    """Maximum-likelihood BG/NBD parameters r, alpha, a, b (optimized on their logarithms, L-BFGS-B)."""
    x, tx, t = (np.asarray(v, dtype=float) for v in (frequency, recency, age))
    keep = t > 0
    if keep.sum() < 10:
        raise ValueError(
            f"BG/NBD needs customers whose first purchase is before the as-of date; got {int(keep.sum())}. "
            "Does the lake hold orders before the training date?"
        )
    x, tx, t = x[keep], tx[keep], t[keep]
    scale = 1.0 / len(x)

    def objective(log_params: np.ndarray) -> float:
        value = -bgnbd_log_likelihood(np.exp(log_params), x, tx, t).sum() * scale
        return float(value) if np.isfinite(value) else 1e12

    best = None
    for start in ([0.0, 0.0, 0.0, 0.0], [np.log(0.5), np.log(5.0), np.log(0.5), np.log(2.0)]):
        done = optimize.minimize(objective, np.asarray(start), method="L-BFGS-B", bounds=[(-9, 7)] * 4)
        if best is None or done.fun < best.fun:
            best = done
    r, alpha, a, b = np.exp(best.x)
    return {"r": float(r), "alpha": float(alpha), "a": float(a), "b": float(b)}


def bgnbd_probability_alive(params: dict[str, float], frequency, recency, age) -> np.ndarray:
    """P(alive | x, t_x, T) (Fader, Hardie & Lee 2008 note): 1 for customers without repeat purchases."""
    r, alpha, a, b = params["r"], params["alpha"], params["a"], params["b"]
    x, tx, t = (np.asarray(v, dtype=float) for v in (frequency, recency, age))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_ratio = np.log(a) - np.log(b + x - 1) + (r + x) * (np.log(alpha + t) - np.log(alpha + tx))
        odds = np.where(x > 0, np.exp(np.minimum(log_ratio, 700)), 0.0)
    return 1.0 / (1.0 + odds)


def bgnbd_expected_purchases(params: dict[str, float], horizon: float, frequency, recency, age) -> np.ndarray:
    """E[Y(t) | x, t_x, T]: expected purchases in the next ``horizon`` time units (Fader, Hardie & Lee 2005, eq. 10).

    Uses the Gauss hypergeometric function 2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t)); needs a > 1 (else the mean of
    the beta mixing distribution of the dropout probability is undefined) and clips a just above 1 if needed.
    """
    r, alpha, a, b = params["r"], params["alpha"], max(params["a"], 1.0 + 1e-6), params["b"]
    x, tx, t = (np.asarray(v, dtype=float) for v in (frequency, recency, age))
    z = horizon / (alpha + t + horizon)
    hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, z)
    first = (a + b + x - 1) / (a - 1)
    second = 1.0 - np.power((alpha + t) / (alpha + t + horizon), r + x) * hyp
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        odds = np.where(
            x > 0,
            np.exp(np.minimum(np.log(a) - np.log(b + x - 1) + (r + x) * (np.log(alpha + t) - np.log(alpha + tx)), 700)),
            0.0,
        )
    expected = first * second / (1.0 + odds)
    return np.nan_to_num(np.clip(expected, 0.0, None), nan=0.0, posinf=0.0)


def bgnbd_expected_repeat_purchases(params: dict[str, float], age) -> np.ndarray:
    """E[X(T)]: expected repeat purchases of a customer of age T, unconditional (Fader, Hardie & Lee 2005, eq. 9).

    Summed over the customers and compared with their actual repeat purchases, it is the fit diagnostic of the
    calibration period. Needs a > 1 (clipped just above 1, as :func:`bgnbd_expected_purchases`)."""
    r, alpha, a, b = params["r"], params["alpha"], max(params["a"], 1.0 + 1e-6), params["b"]
    t = np.asarray(age, dtype=float)
    hyp = special.hyp2f1(r, b, a + b - 1, t / (alpha + t))
    expected = (a + b - 1) / (a - 1) * (1.0 - np.power(alpha / (alpha + t), r) * hyp)
    return np.nan_to_num(np.clip(expected, 0.0, None), nan=0.0, posinf=0.0)


def bgnbd_probability_no_purchase(params: dict[str, float], horizon: float, frequency, recency, age) -> np.ndarray:
    """P(X(T, T + t] = 0 | x, t_x, T): no purchase in the next ``horizon`` time units, the churn probability.

    Conditional on the customer's (lambda, p), no purchase in (T, T + t] happens when the customer is already
    inactive, or active and without a Poisson event in t (an inactive spell can only start after a purchase):
    e^(-lambda t). Integrating both over the posterior of (lambda, p) given (x, t_x, T) gives the closed form
    of Fader, Hardie & Lee's likelihood (2005, eq. 6) with the age T replaced by T + t in the "still active"
    term, divided by the likelihood itself:

        P0 = [B(a, b+x) (alpha+T+t)^-(r+x) + 1{x>0} B(a+1, b+x-1) (alpha+t_x)^-(r+x)]
             / [B(a, b+x) (alpha+T)^-(r+x)   + 1{x>0} B(a+1, b+x-1) (alpha+t_x)^-(r+x)]

    (the P(X(T, T+t) = 0) case of P. S. Fader and B. G. S. Hardie, "Deriving the Conditional PMF of the
    BG/NBD Model", 2007 note). Unlike P(alive), it is below 1 for customers without repeat purchases too.
    """
    r, alpha, a, b = params["r"], params["alpha"], params["a"], params["b"]
    x, tx, t = (np.asarray(v, dtype=float) for v in (frequency, recency, age))
    log_beta_active = special.betaln(a, b + x)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_inactive = np.where(
            x > 0, special.betaln(a + 1, np.maximum(b + x - 1, 1e-12)) - (r + x) * np.log(alpha + tx), -np.inf
        )
    numerator = np.logaddexp(log_beta_active - (r + x) * np.log(alpha + t + horizon), log_inactive)
    denominator = np.logaddexp(log_beta_active - (r + x) * np.log(alpha + t), log_inactive)
    return np.clip(np.exp(numerator - denominator), 0.0, 1.0)


def gamma_gamma_log_likelihood(params: np.ndarray, purchases: np.ndarray, monetary: np.ndarray) -> np.ndarray:
    """Per-customer Gamma-Gamma log-likelihood of the mean spend m over x purchases (Fader & Hardie 2013, eq. 1)."""
    p, q, gamma = params
    x, m = purchases, monetary
    return (
        special.gammaln(p * x + q)
        - special.gammaln(p * x)
        - special.gammaln(q)
        + q * np.log(gamma)
        + (p * x - 1) * np.log(m)
        + p * x * np.log(x)
        - (p * x + q) * np.log(gamma + m * x)
    )


def fit_gamma_gamma(purchases: np.ndarray, monetary: np.ndarray) -> dict[str, float]:
    """Maximum-likelihood Gamma-Gamma parameters p, q, gamma on customers with a positive mean spend."""
    x, m = np.asarray(purchases, dtype=float), np.asarray(monetary, dtype=float)
    keep = (x > 0) & (m > 0)
    if keep.sum() < 10:
        raise ValueError(f"Gamma-Gamma needs customers with positive spend; got {int(keep.sum())}.")
    x, m = x[keep], m[keep]
    scale = 1.0 / len(x)
    start = np.log([1.0, 2.0, float(np.mean(m))])

    def objective(log_params: np.ndarray) -> float:
        value = -gamma_gamma_log_likelihood(np.exp(log_params), x, m).sum() * scale
        return float(value) if np.isfinite(value) else 1e12

    done = optimize.minimize(objective, start, method="L-BFGS-B", bounds=[(-9, 9), (-9, 9), (-9, 20)])
    p, q, gamma = np.exp(done.x)
    return {"p": float(p), "q": float(q), "gamma": float(gamma)}


def gamma_gamma_expected_value(params: dict[str, float], purchases, monetary) -> np.ndarray:
    """E[M | m, x] = (gamma + m x) p / (p x + q - 1) (Fader & Hardie 2013, eq. 2); population mean without purchases."""
    p, q, gamma = params["p"], max(params["q"], 1.0 + 1e-6), params["gamma"]
    x, m = np.asarray(purchases, dtype=float), np.asarray(monetary, dtype=float)
    return (gamma + m * x) * p / (p * x + q - 1)


@dataclass
class BTYDModel:
    """BG/NBD + Gamma-Gamma fitted on one feature date; predicts expected purchases and spend over a horizon."""

    bgnbd: dict[str, float]
    gamma_gamma: dict[str, float]

    @classmethod
    def fit(cls, frame: pd.DataFrame) -> BTYDModel:
        inputs = btyd_inputs(frame)
        buyers = inputs.buyer
        bgnbd = fit_bgnbd(inputs.frequency[buyers], inputs.recency[buyers], inputs.age[buyers])
        gamma_gamma = fit_gamma_gamma(inputs.purchases[buyers], inputs.monetary[buyers])
        return cls(bgnbd, gamma_gamma)

    def predict_frame(self, frame: pd.DataFrame, horizon_days: float) -> pd.DataFrame:
        """bgnbd_expected_purchases, bgnbd_p_alive, gg_expected_value_eur, bgnbd_gg_clv_eur (0 for non-buyers) and
        bgnbd_p_no_purchase (P(no purchase in the horizon); 1 for non-buyers, whom the model does not cover)."""
        inputs = btyd_inputs(frame)
        horizon = horizon_days / DAYS_PER_UNIT
        purchases = bgnbd_expected_purchases(self.bgnbd, horizon, inputs.frequency, inputs.recency, inputs.age)
        purchases = np.where(inputs.buyer, purchases, 0.0)
        alive = np.where(
            inputs.buyer, bgnbd_probability_alive(self.bgnbd, inputs.frequency, inputs.recency, inputs.age), 0.0
        )
        value = np.where(
            inputs.buyer, gamma_gamma_expected_value(self.gamma_gamma, inputs.purchases, inputs.monetary), 0.0
        )
        return pd.DataFrame(
            {
                "bgnbd_expected_purchases": purchases,
                "bgnbd_p_alive": alive,
                "gg_expected_value_eur": value,
                "bgnbd_gg_clv_eur": purchases * value,
                "bgnbd_p_no_purchase": np.where(
                    inputs.buyer,
                    bgnbd_probability_no_purchase(self.bgnbd, horizon, inputs.frequency, inputs.recency, inputs.age),
                    1.0,
                ),
            },
            index=frame.index,
        )
