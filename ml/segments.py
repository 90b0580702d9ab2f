"""Rule-based customer segments on value and engagement, the labels of the segment classifier.

Rules, applied in this order to the features at one date (first match wins):

1. ``browser``   -- no purchase before the date (known from a record, clicks, game or campaign activity only).
2. ``new``       -- first purchase within the last 90 days.
3. ``dormant``   -- last purchase more than 180 days ago.
4. ``at_risk``   -- last purchase 91-180 days ago.
5. ``champion``  -- bought in the last 90 days, total spend (monetary_eur) at or above the 80th percentile of
   buyers and purchase count at or above the buyers' median.
6. ``loyal``     -- bought in the last 90 days and purchase count at or above the buyers' median, or engagement
   (web_clicks_90d + game_sessions_90d + campaign_clicks) at or above the 75th percentile of engaged buyers.
7. ``promising`` -- every other recent buyer (bought in the last 90 days, low frequency and value so far).

The day windows are fixed; the quantile thresholds are derived from the training population (customers with
history at the scoring date: the rules need no later window, see :func:`ml.data.history_frame`) by
:func:`fit_thresholds` and kept with the model, so scoring applies the thresholds learnt at training time.
Missing engagement columns count as 0 (a lake with orders only).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SEGMENTS = ("champion", "loyal", "promising", "new", "at_risk", "dormant", "browser")
ACTIVE_DAYS = 90
DORMANT_DAYS = 180
ENGAGEMENT_COLUMNS = ("web_clicks_90d", "game_sessions_90d", "campaign_clicks")


def _column(frame: pd.DataFrame, name: str, default: float = np.nan) -> np.ndarray:
    if name not in frame.columns:
        return np.full(len(frame), default, dtype=float)
    return pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)


def engagement(frame: pd.DataFrame) -> np.ndarray:
    """web_clicks_90d + game_sessions_90d + campaign_clicks, missing columns and NULLs as 0."""
    total = np.zeros(len(frame))
    for name in ENGAGEMENT_COLUMNS:
        total += np.nan_to_num(_column(frame, name, 0.0), nan=0.0)
    return total


def fit_thresholds(frame: pd.DataFrame) -> dict[str, float]:
    """Quantile thresholds from a training population: buyers' monetary p80, purchase count p50, engagement p75."""
    count = np.nan_to_num(_column(frame, "purchase_count", 0.0), nan=0.0)
    buyers = count > 0
    if not buyers.any():
        raise ValueError("segment rules need buyers: marts.customer_features_history has no purchase at the date")
    monetary = np.nan_to_num(_column(frame, "monetary_eur", 0.0), nan=0.0)[buyers]
    engaged = engagement(frame)[buyers]
    engaged = engaged[engaged > 0]
    return {
        "champion_min_monetary_eur": float(np.quantile(monetary, 0.8)),
        "loyal_min_purchase_count": float(np.quantile(count[buyers], 0.5)),
        "loyal_min_engagement": float(np.quantile(engaged, 0.75)) if len(engaged) else float("inf"),
    }


def assign_segments(frame: pd.DataFrame, thresholds: dict[str, float]) -> np.ndarray:
    """The rule segment of every row (vectorised ``np.select`` over the rules above)."""
    count = np.nan_to_num(_column(frame, "purchase_count", 0.0), nan=0.0)
    recency = _column(frame, "recency_days")
    first = _column(frame, "days_since_first_purchase")
    monetary = np.nan_to_num(_column(frame, "monetary_eur", 0.0), nan=0.0)
    engaged = engagement(frame)
    buyer = (count > 0) & np.isfinite(recency)
    active = buyer & (recency <= ACTIVE_DAYS)
    frequent = count >= thresholds["loyal_min_purchase_count"]
    conditions = [
        ~buyer,
        buyer & (first <= ACTIVE_DAYS),
        buyer & (recency > DORMANT_DAYS),
        buyer & (recency > ACTIVE_DAYS),
        active & (monetary >= thresholds["champion_min_monetary_eur"]) & frequent,
        active & (frequent | (engaged >= thresholds["loyal_min_engagement"])),
    ]
    choices = ["browser", "new", "dormant", "at_risk", "champion", "loyal"]
    return np.select(conditions, choices, default="promising").astype(object)
