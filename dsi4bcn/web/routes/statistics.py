"""Statistics of the whole network (local and received profiles): ``GET /stats`` as a page of SVG charts,
each followed by a table of its numbers, and ``GET /api/stats`` as JSON (the same numbers, CORS ``*``).

Category counts are the directory's facet counts over every entry (what ``/api/directory`` answers with
no filter); growth is the number of live profiles that appeared each month and the running total.
"""

from collections.abc import Iterable
from itertools import accumulate
from typing import Any

from aiohttp import web
from markupsafe import Markup

from dsi4bcn.directory.formats import facet_label
from dsi4bcn.directory.query import DirectoryQuery
from dsi4bcn.i18n import UI
from dsi4bcn.storage.profilegrowth import monthly_counts
from dsi4bcn.web.appkeys import DATABASE, TEMPLATES
from dsi4bcn.web.directoryready import ready_directory
from dsi4bcn.web.http import html_response, json_response, request_language
from dsi4bcn.web.svgcharts import bar_chart, column_chart
from dsi4bcn.web.templating import render_page

__all__ = ["STATS_FACETS", "growth_rows", "routes", "stats_data"]

routes = web.RouteTableDef()
_CORS = {"Access-Control-Allow-Origin": "*"}
STATS_FACETS = ("kind", "area", "district", "sector", "sdg", "status", "source")


def growth_rows(months: list[tuple[str, int, int]]) -> list[dict[str, Any]]:
    """Each month's new profiles (local, received, both) and the running total of the network."""
    totals = accumulate(local + received for _, local, received in months)
    return [
        {"month": month, "local": local, "received": received, "new": local + received, "total": total}
        for (month, local, received), total in zip(months, totals, strict=True)
    ]


def _counts(pairs: Iterable[tuple[str, int]], facet: str, language: str, own: str) -> list[dict[str, Any]]:
    """A facet's non-zero counts with their labels, largest first (then by label)."""
    labelled = [(facet_label(facet, key, language, own), key, count) for key, count in pairs if count > 0]
    labelled.sort(key=lambda item: (-item[2], item[0].casefold()))
    return [{"key": key, "label": label, "count": count} for label, key, count in labelled]


async def stats_data(request: web.Request, language: str) -> dict[str, Any]:
    """The numbers of ``/api/stats`` in ``language``: the total, each facet's counts (largest first), growth."""
    service = await ready_directory(request, _CORS)
    answer = service.search(DirectoryQuery(), language)
    facets = {
        facet: _counts(answer.facets.get(facet, ()), facet, language, service.own_source) for facet in STATS_FACETS
    }
    months = await monthly_counts(request.app[DATABASE])
    return {"language": language, "total": answer.total, "facets": facets, "growth": growth_rows(months)}


@routes.get("/api/stats")
async def stats_api(request: web.Request) -> web.Response:
    """The network's statistics as JSON."""
    response = json_response(await stats_data(request, request_language(request)), headers=_CORS)
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


def _charts(data: dict[str, Any], language: str) -> dict[str, Markup]:
    """Each facet's bar chart and the growth chart, as SVG ready for the page."""
    charts: dict[str, Markup] = {}
    for facet in STATS_FACETS:
        title = UI[f"stats_by_{facet}"][language]
        items = [(item["label"], item["count"]) for item in data["facets"][facet]]
        chart = bar_chart(items, title, UI["stats_chart_desc"][language])
        charts[facet] = Markup(chart)  # noqa: S704 - the renderer escapes every text it draws
    growth = [(row["month"], row["total"]) for row in data["growth"]]
    chart = column_chart(growth, UI["stats_growth"][language], UI["stats_growth_desc"][language])
    charts["growth"] = Markup(chart)  # noqa: S704 - the renderer escapes every text it draws
    return charts


@routes.get("/stats")
async def stats_page(request: web.Request) -> web.Response:
    """The network's statistics as a page: a chart and a table per category, and the growth by month."""
    language = request_language(request)
    data = await stats_data(request, language)
    body = render_page(
        request.app[TEMPLATES],
        "stats.html",
        language,
        query=request.query,
        data=data,
        facets=STATS_FACETS,
        charts=_charts(data, language),
        total_text=UI["stats_total"][language].format(total=data["total"]),
    )
    return html_response(body, vary="Accept-Language, Cookie")
