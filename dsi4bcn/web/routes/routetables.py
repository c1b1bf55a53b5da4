"""Every route table of the node, in the order the application adds them (``app.py``): pages and the
public surfaces first, then the admin API and the admin pages.
"""

from aiohttp import web

from dsi4bcn.web.routes import (
    accountsadmin,
    actordocs,
    adminpages,
    calldirectory,
    callpages,
    callsadmin,
    conceptpages,
    discovery,
    federationadmin,
    homepage,
    inboxes,
    matchapi,
    mediafiles,
    networkadmin,
    networkdirectory,
    networkprofiles,
    nodeadminpages,
    partners,
    postadminpages,
    profileadmin,
    profileforms,
    profilepages,
    settingsadmin,
    signin,
    site,
    sparqlendpoint,
    statistics,
)

__all__ = ["ROUTE_TABLES"]

ROUTE_TABLES: tuple[web.RouteTableDef, ...] = (
    homepage.routes,
    site.routes,
    discovery.routes,
    actordocs.routes,
    inboxes.routes,
    profileadmin.routes,
    mediafiles.routes,
    federationadmin.routes,
    networkadmin.routes,
    networkprofiles.routes,
    matchapi.routes,
    networkdirectory.routes,
    conceptpages.routes,
    partners.routes,
    profilepages.routes,
    calldirectory.routes,
    callpages.routes,
    sparqlendpoint.routes,
    statistics.routes,
    settingsadmin.routes,
    signin.routes,
    adminpages.routes,
    nodeadminpages.routes,
    profileforms.routes,
    postadminpages.routes,
    accountsadmin.routes,
    callsadmin.routes,
)
