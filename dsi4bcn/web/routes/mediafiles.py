"""Images the node serves (``GET /media/<sha256>.<ext>``) and the admin upload (``POST /api/media``).

An image is named by the SHA-256 of the bytes it is stored as (saved again without metadata by
``profiles.images.check_image``), so its URL never changes what it answers: it is served with
a year-long immutable ``Cache-Control``, its hash as the ``ETag``, ``X-Content-Type-Options: nosniff`` and a
Content-Security-Policy that lets the response run nothing. The upload takes the image itself as the body
with its ``Content-Type`` (PNG, JPEG, GIF or WebP, at most 2 MiB and 4096 pixels a side, nothing
before or after the image) and answers its
URL as JSON; anything else is refused with a JSON 400, 413 or 415 and nothing is stored.
``GET /api/media/failures`` lists the images of other hosts the node could not copy, each with its reason.
"""

from aiohttp import web

from dsi4bcn.profiles.images import EXTENSIONS, IMAGE_TYPES, MAX_IMAGE_BYTES, ImageRefused, media_path
from dsi4bcn.web.appkeys import CONFIG, MEDIA
from dsi4bcn.web.http import ApiError, body_media_type, json_response, read_upto
from dsi4bcn.web.imageuploads import store_upload
from dsi4bcn.web.principal import authorise, authorise_admin

__all__ = ["MEDIA_HEADERS", "routes"]

routes = web.RouteTableDef()
# What every image answer carries besides its type and tag.
MEDIA_HEADERS = {
    "Cache-Control": "public, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cross-Origin-Resource-Policy": "same-origin",
}


@routes.get(r"/media/{sha256:[0-9a-f]{64}}.{extension:png|jpg|gif|webp}")
async def media_file(request: web.Request) -> web.Response:
    """One image, as stored; 404 if the node holds none by that hash and type."""
    sha256 = request.match_info["sha256"]
    etag = f'"{sha256}"'
    found = await request.app[MEDIA].get(sha256)
    if found is None or found.ref.media_type != EXTENSIONS[request.match_info["extension"]]:
        raise ApiError(404, "not_found")
    headers = {**MEDIA_HEADERS, "ETag": etag, "Content-Type": found.ref.media_type}
    if etag in request.headers.get("If-None-Match", ""):
        return web.Response(status=304, headers=headers)
    return web.Response(body=found.data, headers=headers)


@routes.post("/api/media")
async def upload_media(request: web.Request) -> web.Response:
    """Store an uploaded image and answer its URL, media type and size (201; 200 if it was held)."""
    await authorise(request)
    declared = body_media_type(request)
    if declared not in IMAGE_TYPES:
        raise ApiError(415, "image_type_refused", media_type=declared[:100] or "-")
    if request.content_length is not None and request.content_length > MAX_IMAGE_BYTES:
        raise ApiError(413, "image_too_large", limit=MAX_IMAGE_BYTES)
    data = await read_upto(request, MAX_IMAGE_BYTES)
    try:
        image, held = await store_upload(request.app[MEDIA], data, declared)
    except ImageRefused as refused:
        raise ApiError(refused.status, refused.code, **refused.params) from refused
    path = media_path(image.sha256, image.media_type)
    body = {
        "url": request.app[CONFIG].base_url + path,
        "mediaType": image.media_type,
        "width": image.width,
        "height": image.height,
    }
    return json_response(body, status=200 if held else 201, headers={"Location": path})


@routes.get("/api/media/failures")
async def media_failures(request: web.Request) -> web.Response:
    """The image URLs whose last fetch failed: URL, reason and attempts so far (admin)."""
    await authorise_admin(request)
    failures = await request.app[MEDIA].failures()
    return json_response(
        {"failures": [{"url": url, "reason": reason, "attempts": attempts} for url, reason, attempts in failures]}
    )
