"""The statistics' growth rows: each month's new profiles and the running total."""

from dsi4bcn.web.routes.statistics import growth_rows


def test_growth_rows_add_up_month_by_month() -> None:
    rows = growth_rows([("2025-03", 0, 2), ("2025-05", 1, 0), ("2026-11", 3, 4)])
    assert [(row["month"], row["new"], row["total"]) for row in rows] == [
        ("2025-03", 2, 2),
        ("2025-05", 1, 3),
        ("2026-11", 7, 10),
    ]
    assert rows[2]["local"] == 3 and rows[2]["received"] == 4


def test_no_months_no_rows() -> None:
    assert growth_rows([]) == []
