"""Charts where people look: the campaign uplift chart and the identity match-weight chart on their Dagster asset
pages, redrawn at every build.

Marketers read campaign results as a chart first: each campaign's absolute uplift (treated minus holdout
conversion rate) with its 95 % interval (Newcombe), grouped by channel. The asset ``charts/campaign_uplift``
reads ``marts.campaign_effectiveness``, writes ``C360_HOME/charts/campaign_uplift.png`` and shows the chart
inline (Markdown metadata) with its numbers as a table. The same numbers are in the BI view
``bi_campaign_effectiveness``, so any BI tool can draw it too.

The asset ``charts/identity_match_weights`` draws the weights identity resolution learned at this build
(``marts.identity_match_weights``): one bar per comparison level, the bits a pair gains or loses there, so a
steward sees what the model believes (an exact name worth +5, a birth date far off worth -7) before trusting its
merges. Its data is the BI view ``bi_identity_match_weights``.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pandas as pd

from orchestration.ml_assets import png_markdown
from orchestration.resources import C360Resource

CAMPAIGN_UPLIFT_KEY = dg.AssetKey(["charts", "campaign_uplift"])
CAMPAIGN_EFFECTIVENESS_KEY = dg.AssetKey(["marts", "campaign_effectiveness"])
IDENTITY_WEIGHTS_CHART_KEY = dg.AssetKey(["charts", "identity_match_weights"])
IDENTITY_MATCH_WEIGHTS_KEY = dg.AssetKey(["marts", "identity_match_weights"])


def _read(warehouse: Path, query: str) -> pd.DataFrame:
    """A query's rows from the warehouse, opened read-only and closed at once (one writer, no other reader)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(query).df()
    finally:
        con.close()


def _chart_result(
    context: dg.AssetExecutionContext,
    c360: C360Resource,
    *,
    name: str,
    read: Callable[[Path], pd.DataFrame],
    draw: Callable[[pd.DataFrame], Any],
    table: Callable[[pd.DataFrame], str],
    count_label: str,
) -> dg.MaterializeResult:
    """Read the rows, draw them, save ``C360_HOME/charts/<name>.png`` and show the chart with its table."""
    import matplotlib.pyplot as plt

    settings = c360.apply()
    rows = read(settings.warehouse_path)
    path = settings.home / "charts" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    if rows.empty:
        context.log.info(f"no rows for {name}: nothing to draw")
        return dg.MaterializeResult(metadata={count_label: 0})
    figure = draw(rows)
    try:
        figure.savefig(path, dpi=110)
        chart = png_markdown(name.replace("_", " "), figure)
    finally:
        plt.close(figure)
    return dg.MaterializeResult(
        metadata={
            count_label: len(rows),
            "chart": dg.MetadataValue.md(f"{chart}\n\n{table(rows)}"),
            "png": dg.MetadataValue.path(str(path)),
        }
    )


def campaign_uplift_rows(warehouse: Path) -> pd.DataFrame:
    """Campaigns with a measured uplift, by channel then uplift (read-only)."""
    return _read(
        warehouse,
        """
        select campaign_id, campaign_name, channel, treated_observed_count, holdout_observed_count,
            uplift_abs, uplift_ci_lower, uplift_ci_upper
        from marts.campaign_effectiveness
        where uplift_abs is not null
        order by channel, uplift_abs, campaign_id
        """,
    )


def uplift_figure(rows: pd.DataFrame):
    """Forest plot: one row per campaign, its uplift in percentage points with the 95 % interval, per channel."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, max(2.5, 0.32 * len(rows) + 1.2)))
    colours = {channel: f"C{index}" for index, channel in enumerate(sorted(rows["channel"].unique()))}
    for position, row in enumerate(rows.itertuples()):
        low = (row.uplift_abs - row.uplift_ci_lower) * 100 if pd.notna(row.uplift_ci_lower) else 0
        high = (row.uplift_ci_upper - row.uplift_abs) * 100 if pd.notna(row.uplift_ci_upper) else 0
        ax.errorbar(
            row.uplift_abs * 100, position, xerr=[[low], [high]], fmt="o", color=colours[row.channel], capsize=3
        )
    ax.axvline(0, color="grey", linestyle="--", linewidth=0.8)
    labels = [_label(row.campaign_name or row.campaign_id, row.channel) for row in rows.itertuples()]
    ax.set_yticks(range(len(rows)), labels)
    ax.set(
        xlabel="uplift in percentage points: treated minus holdout conversion", title="Campaign uplift, 95 % interval"
    )
    for channel, colour in colours.items():
        ax.plot([], [], "o", color=colour, label=channel)
    if colours:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small", title="channel")
    fig.tight_layout()
    return fig


def _label(name: str, channel: str) -> str:
    """The campaign's name, with its channel unless the name says it already."""
    return name if channel in name or channel.replace("_", "-") in name else f"{name} ({channel})"


def uplift_table(rows: pd.DataFrame) -> str:
    lines = [
        "| campaign | channel | members (treated / holdout) | uplift, pp | 95 % interval, pp |",
        "|---|---|---|---|---|",
    ]
    for row in rows.itertuples():
        interval = (
            f"{row.uplift_ci_lower * 100:+.1f} .. {row.uplift_ci_upper * 100:+.1f}"
            if pd.notna(row.uplift_ci_lower) and pd.notna(row.uplift_ci_upper)
            else "n/a"
        )
        members = f"{row.treated_observed_count:,} / {row.holdout_observed_count:,}"
        name = row.campaign_name or row.campaign_id
        lines.append(f"| {name} | {row.channel} | {members} | {row.uplift_abs * 100:+.1f} | {interval} |")
    return "\n".join(lines)


@dg.asset(
    key=CAMPAIGN_UPLIFT_KEY,
    deps=[CAMPAIGN_EFFECTIVENESS_KEY],
    group_name="campaigns",
    kinds={"python", "matplotlib"},
    description="The campaign uplift chart (uplift with its 95 % interval per campaign and channel, from "
    "marts.campaign_effectiveness), shown on this page and saved as C360_HOME/charts/campaign_uplift.png; its "
    "data is the BI view bi_campaign_effectiveness.",
)
def campaign_uplift_chart(context: dg.AssetExecutionContext, c360: C360Resource) -> dg.MaterializeResult:
    return _chart_result(
        context,
        c360,
        name="campaign_uplift",
        read=campaign_uplift_rows,
        draw=uplift_figure,
        table=uplift_table,
        count_label="campaigns",
    )


def identity_weight_rows(warehouse: Path) -> pd.DataFrame:
    """The learned identity weights, comparison by comparison, strongest level first (read-only)."""
    return _read(
        warehouse,
        """
        select comparison_name, comparison_level, level_label, m_probability, u_probability, match_weight
        from marts.identity_match_weights
        order by comparison_name = '_prior' desc, comparison_name, comparison_level desc
        """,
    )


def match_weight_figure(rows: pd.DataFrame):
    """Horizontal bars: each comparison level's match weight in bits, green for evidence of one person."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, max(3.0, 0.26 * len(rows) + 1.2)))
    positions = range(len(rows))[::-1]
    colours = ["C2" if weight >= 0 else "C3" for weight in rows["match_weight"]]
    ax.barh(list(positions), rows["match_weight"], color=colours)
    labels = [
        "prior" if row.comparison_name == "_prior" else f"{row.comparison_name}: {row.level_label}"
        for row in rows.itertuples()
    ]
    ax.set_yticks(list(positions), labels, fontsize="small")
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set(xlabel="match weight, bits (log2 m / u)", title="Identity: learned match weights")
    fig.tight_layout()
    return fig


def match_weight_table(rows: pd.DataFrame) -> str:
    lines = ["| comparison | level | m | u | weight, bits |", "|---|---|---|---|---|"]
    for row in rows.itertuples():
        lines.append(
            f"| {row.comparison_name} | {row.level_label} | {row.m_probability:.4f} | {row.u_probability:.4f} "
            f"| {row.match_weight:+.2f} |"
        )
    return "\n".join(lines)


@dg.asset(
    key=IDENTITY_WEIGHTS_CHART_KEY,
    deps=[IDENTITY_MATCH_WEIGHTS_KEY],
    group_name="customers",
    kinds={"python", "matplotlib"},
    description="The match-weight chart of the identity model learned at this build (from "
    "marts.identity_match_weights), shown on this page and saved as C360_HOME/charts/identity_match_weights.png; "
    "its data is the BI view bi_identity_match_weights.",
)
def identity_match_weights_chart(context: dg.AssetExecutionContext, c360: C360Resource) -> dg.MaterializeResult:
    return _chart_result(
        context,
        c360,
        name="identity_match_weights",
        read=identity_weight_rows,
        draw=match_weight_figure,
        table=match_weight_table,
        count_label="levels",
    )
