"""User-facing text in Catalan, Spanish and English, and the choice of language for a request.

Messages are looked up by a stable code; the code travels in API answers too, so that clients can
translate or act on it without parsing text.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ENGLISH_ONLY", "LANGUAGES", "MESSAGES", "PHRASES", "UI", "Phrase", "Reason", "choose_language", "message"]

LANGUAGES = ("ca", "es", "en")

MESSAGES: Mapping[str, Mapping[str, str]] = {
    "unknown_field": {
        "ca": "«{field}» no és un terme del perfil",
        "es": "«{field}» no es un término del perfil",
        "en": "'{field}' is not a profile term",
    },
    "required": {
        "ca": "cal indicar «{field}»",
        "es": "hay que indicar «{field}»",
        "en": "'{field}' is required",
    },
    "wrong_type": {
        "ca": "«{field}» ha de ser {expected}",
        "es": "«{field}» tiene que ser {expected}",
        "en": "'{field}' must be {expected}",
    },
    "unknown_concept": {
        "ca": "«{value}» no és cap concepte conegut",
        "es": "«{value}» no es ningún concepto conocido",
        "en": "'{value}' is not a known concept",
    },
    "wrong_scheme": {
        "ca": "«{value}» no pertany a l'esquema {scheme}",
        "es": "«{value}» no pertenece al esquema {scheme}",
        "en": "'{value}' is not in the {scheme} scheme",
    },
    "bad_language": {
        "ca": "«{value}» no és una etiqueta d'idioma vàlida",
        "es": "«{value}» no es una etiqueta de idioma válida",
        "en": "'{value}' is not a valid language tag",
    },
    "empty": {
        "ca": "«{field}» no pot estar buit",
        "es": "«{field}» no puede estar vacío",
        "en": "'{field}' must not be empty",
    },
    "too_long": {
        "ca": "«{field}» té més de {limit} caràcters",
        "es": "«{field}» tiene más de {limit} caracteres",
        "en": "'{field}' is longer than {limit} characters",
    },
    "too_many": {
        "ca": "«{field}» té més de {limit} valors",
        "es": "«{field}» tiene más de {limit} valores",
        "en": "'{field}' has more than {limit} values",
    },
    "bad_url": {
        "ca": "«{field}» ha de ser una adreça http o https",
        "es": "«{field}» tiene que ser una dirección http o https",
        "en": "'{field}' must be an http or https URL",
    },
    "bad_email": {
        "ca": "«{field}» no és una adreça de correu",
        "es": "«{field}» no es una dirección de correo",
        "en": "'{field}' is not an email address",
    },
    "bad_date": {
        "ca": "«{field}» ha de ser una data AAAA-MM-DD",
        "es": "«{field}» tiene que ser una fecha AAAA-MM-DD",
        "en": "'{field}' must be a date YYYY-MM-DD",
    },
    "date_order": {
        "ca": "la data de fi és anterior a la d'inici",
        "es": "la fecha de fin es anterior a la de inicio",
        "en": "the end date is before the start date",
    },
    "out_of_range": {
        "ca": "«{field}» ha d'estar entre {low} i {high}",
        "es": "«{field}» tiene que estar entre {low} y {high}",
        "en": "'{field}' must be between {low} and {high}",
    },
    "bad_slug": {
        "ca": "«{value}» no és un nom curt vàlid: minúscules, xifres i guions, d'1 a 64 caràcters",
        "es": "«{value}» no es un nombre corto válido: minúsculas, cifras y guiones, de 1 a 64 caracteres",
        "en": "'{value}' is not a valid short name: lowercase letters, digits and hyphens, 1 to 64 long",
    },
    "reserved_slug": {
        "ca": "el nom curt «{value}» està reservat",
        "es": "el nombre corto «{value}» está reservado",
        "en": "the short name '{value}' is reserved",
    },
    "unknown_organisation": {
        "ca": "no hi ha cap organització «{value}» en aquest node",
        "es": "no hay ninguna organización «{value}» en este nodo",
        "en": "there is no organisation '{value}' on this node",
    },
    "bad_context": {
        "ca": "@context només pot nomenar els contextos inclosos; mai no se'n baixa cap de remot",
        "es": "@context solo puede nombrar los contextos incluidos; nunca se descarga uno remoto",
        "en": "@context may name only the bundled contexts; remote contexts are never fetched",
    },
    "id_mismatch": {
        "ca": "«id» ha de ser {expected}",
        "es": "«id» tiene que ser {expected}",
        "en": "'id' must be {expected}",
    },
    "wrong_kind": {
        "ca": "«type» ha de ser {expected}",
        "es": "«type» tiene que ser {expected}",
        "en": "'type' must be {expected}",
    },
    "malformed_json": {
        "ca": "el cos no és JSON vàlid: {detail}",
        "es": "el cuerpo no es JSON válido: {detail}",
        "en": "the body is not valid JSON: {detail}",
    },
    "unreadable_body": {
        "ca": "no es pot llegir el cos: la seva codificació (Content-Encoding) o la seva transmissió és incorrecta",
        "es": "no se puede leer el cuerpo: su codificación (Content-Encoding) o su transmisión es incorrecta",
        "en": "the body cannot be read: its encoding (Content-Encoding) or its framing is broken",
    },
    "not_object": {
        "ca": "el cos ha de ser un objecte JSON",
        "es": "el cuerpo tiene que ser un objeto JSON",
        "en": "the body must be a JSON object",
    },
    "body_timeout": {
        "ca": "el cos no ha arribat sencer en {seconds} s",
        "es": "el cuerpo no ha llegado entero en {seconds} s",
        "en": "the body did not arrive in full within {seconds} s",
    },
    "too_large": {
        "ca": "el cos supera el límit de {limit} bytes",
        "es": "el cuerpo supera el límite de {limit} bytes",
        "en": "the body is larger than the {limit}-byte limit",
    },
    "unsupported_media_type": {
        "ca": "el cos ha de ser application/json o application/ld+json",
        "es": "el cuerpo tiene que ser application/json o application/ld+json",
        "en": "the body must be application/json or application/ld+json",
    },
    "unauthorised": {
        "ca": "cal un testimoni d'administració vàlid (Authorization: Bearer …)",
        "es": "hace falta un token de administración válido (Authorization: Bearer …)",
        "en": "a valid admin token is required (Authorization: Bearer …)",
    },
    "not_found": {
        "ca": "no existeix",
        "es": "no existe",
        "en": "not found",
    },
    "gone": {
        "ca": "aquest perfil s'ha esborrat",
        "es": "este perfil se ha borrado",
        "en": "this profile has been deleted",
    },
    "slug_taken": {
        "ca": "el nom curt «{value}» ja és d'un altre perfil ({kind})",
        "es": "el nombre corto «{value}» ya es de otro perfil ({kind})",
        "en": "the short name '{value}' already belongs to another profile ({kind})",
    },
    "slug_deleted": {
        "ca": "el nom curt «{value}» era d'un perfil esborrat i no es pot reutilitzar",
        "es": "el nombre corto «{value}» era de un perfil borrado y no se puede reutilizar",
        "en": "the short name '{value}' belonged to a deleted profile and cannot be reused",
    },
    "has_projects": {
        "ca": "l'organització encara té projectes: {value}",
        "es": "la organización todavía tiene proyectos: {value}",
        "en": "the organisation still has projects: {value}",
    },
    "not_acceptable": {
        "ca": "no es pot servir cap dels formats demanats; n'hi ha: {offers}",
        "es": "no se puede servir ninguno de los formatos pedidos; hay: {offers}",
        "en": "none of the requested formats can be served; available: {offers}",
    },
    "bad_resource": {
        "ca": "consulta WebFinger no vàlida: {detail}",
        "es": "consulta WebFinger no válida: {detail}",
        "en": "invalid WebFinger query: {detail}",
    },
    "validation_failed": {
        "ca": "el perfil té errors",
        "es": "el perfil tiene errores",
        "en": "the profile has errors",
    },
    "internal_error": {
        "ca": "error intern del node; s'ha registrat al seu registre",
        "es": "error interno del nodo; se ha anotado en su registro",
        "en": "internal error of the node; it has been written to its log",
    },
    "bad_request": {
        "ca": "petició no vàlida",
        "es": "petición no válida",
        "en": "invalid request",
    },
    "method_not_allowed": {
        "ca": "mètode no permès",
        "es": "método no permitido",
        "en": "method not allowed",
    },
    "match_refused": {
        "ca": "no es poden suggerir col·laboracions: {reason}",
        "es": "no se pueden sugerir colaboraciones: {reason}",
        "en": "cannot suggest partners: {reason}",
    },
    "peer_refused": {
        "ca": "no es pot establir la connexió amb el node: {reason}",
        "es": "no se puede establecer la conexión con el nodo: {reason}",
        "en": "cannot peer with that node: {reason}",
    },
    "sparql_refused": {
        "ca": "consulta refusada: {reason}",
        "es": "consulta rechazada: {reason}",
        "en": "query refused: {reason}",
    },
    "inbox_refused": {
        "ca": "activitat refusada: {reason}",
        "es": "actividad rechazada: {reason}",
        "en": "activity refused: {reason}",
    },
    "expected_contacts": {
        "ca": "una llista de {limit} contactes com a màxim",
        "es": "una lista de {limit} contactos como máximo",
        "en": "a list of at most {limit} contacts",
    },
    "bad_page": {
        "ca": "«page» ha de ser un nombre enter de 1 a {maximum}",
        "es": "«page» tiene que ser un número entero de 1 a {maximum}",
        "en": "'page' must be a whole number from 1 to {maximum}",
    },
    # Reasons of sparql_refused.
    "sparql_request_too_long": {
        "ca": "la petició fa més de {limit} bytes",
        "es": "la petición ocupa más de {limit} bytes",
        "en": "the request is longer than {limit} bytes",
    },
    "sparql_query_too_long": {
        "ca": "la consulta fa més de {limit} bytes",
        "es": "la consulta ocupa más de {limit} bytes",
        "en": "the query is longer than {limit} bytes",
    },
    "sparql_media_type": {
        "ca": "envieu la consulta com a application/sparql-query o en un camp de formulari anomenat query",
        "es": "enviad la consulta como application/sparql-query o en un campo de formulario llamado query",
        "en": "send the query as application/sparql-query or as a form field named query",
    },
    "sparql_charset": {
        "ca": "el cos ha de ser UTF-8, no {charset}",
        "es": "el cuerpo tiene que ser UTF-8, no {charset}",
        "en": "the body must be UTF-8, not {charset}",
    },
    "sparql_body_not_utf8": {
        "ca": "el cos no és UTF-8 vàlid",
        "es": "el cuerpo no es UTF-8 válido",
        "en": "the body is not valid UTF-8",
    },
    "sparql_form_not_utf8": {
        "ca": "el formulari té un camp que no és UTF-8 vàlid",
        "es": "el formulario tiene un campo que no es UTF-8 válido",
        "en": "the form has a field that is not valid UTF-8",
    },
    "sparql_query_twice": {
        "ca": "la consulta és alhora a l'URL i al cos; envieu-la una sola vegada",
        "es": "la consulta está a la vez en la URL y en el cuerpo; enviadla una sola vez",
        "en": "the query is both in the URL and in the body; send it once",
    },
    "sparql_queries": {
        "ca": "la petició té {count} paràmetres query; envieu-ne un",
        "es": "la petición tiene {count} parámetros query; enviad uno",
        "en": "the request has {count} query parameters; send one",
    },
    "sparql_no_query_field": {
        "ca": "el formulari no té cap camp anomenat query",
        "es": "el formulario no tiene ningún campo llamado query",
        "en": "the form has no field named query",
    },
    "sparql_dataset_graph": {
        "ca": "{name} anomena {graph}, que no és cap graf d'aquest node",
        "es": "{name} nombra {graph}, que no es ningún grafo de este nodo",
        "en": "{name} names {graph}, which is not a graph of this node",
    },
    "sparql_waited": {
        "ca": "les consultes d'aquest client han esperat més de {seconds} s una plaça",
        "es": "las consultas de este cliente han esperado más de {seconds} s una plaza",
        "en": "this client's queries waited more than {seconds} s for a slot",
    },
    "sparql_no_format": {
        "ca": "cap format de resultats acceptable per a una consulta {form}",
        "es": "ningún formato de resultados aceptable para una consulta {form}",
        "en": "no acceptable result format for a {form} query",
    },
    "sparql_busy": {
        "ca": "massa consultes alhora des d'aquest client",
        "es": "demasiadas consultas a la vez desde este cliente",
        "en": "too many queries at once from this client",
    },
    "sparql_timeout": {
        "ca": "la consulta ha superat el límit de {limit} s i s'ha aturat",
        "es": "la consulta ha superado el límite de {limit} s y se ha detenido",
        "en": "the query ran past the {limit} s limit and was stopped",
    },
    "sparql_empty": {
        "ca": "la consulta és buida",
        "es": "la consulta está vacía",
        "en": "the query is empty",
    },
    "sparql_update": {
        "ca": "no s'admeten actualitzacions (INSERT, DELETE, LOAD, CLEAR…): aquest punt d'accés és de només lectura",
        "es": "no se admiten actualizaciones (INSERT, DELETE, LOAD, CLEAR…): este punto de acceso es de solo lectura",
        "en": "updates (INSERT, DELETE, LOAD, CLEAR…) are not allowed: this endpoint is read-only",
    },
    "sparql_service": {
        "ca": "no s'admet SERVICE ({where}): aquest punt d'accés no consulta mai res de fora",
        "es": "no se admite SERVICE ({where}): este punto de acceso nunca consulta nada de fuera",
        "en": "SERVICE is not allowed ({where}): this endpoint never fetches anything",
    },
    "sparql_at": {
        "ca": "línia {line}, columna {column}",
        "es": "línea {line}, columna {column}",
        "en": "line {line}, column {column}",
    },
    "sparql_unknown_graph": {
        "ca": "FROM anomena {graph}, que no és cap graf d'aquest node (no es baixa mai res)",
        "es": "FROM nombra {graph}, que no es ningún grafo de este nodo (nunca se descarga nada)",
        "en": "FROM names {graph}, which is not a graph of this node (nothing is ever fetched)",
    },
    "sparql_syntax": {
        "ca": "la consulta no és SPARQL 1.1 vàlid: {detail}",
        "es": "la consulta no es SPARQL 1.1 válido: {detail}",
        "en": "the query is not valid SPARQL 1.1: {detail}",
    },
    "sparql_expected": {
        "ca": "a la línia {line}, columna {column}, s'esperava {expected} i hi ha {found}",
        "es": "en la línea {line}, columna {column}, se esperaba {expected} y hay {found}",
        "en": "expected {expected} at line {line}, column {column}, found {found}",
    },
    "sparql_unexpected_character": {
        "ca": "caràcter inesperat {character} a la línia {line}, columna {column}",
        "es": "carácter inesperado {character} en la línea {line}, columna {column}",
        "en": "unexpected character {character} at line {line}, column {column}",
    },
    "sparql_too_deep": {
        "ca": "la consulta té més de {limit} nivells d'imbricació",
        "es": "la consulta tiene más de {limit} niveles de anidamiento",
        "en": "the query is nested more than {limit} levels deep",
    },
    "sparql_relative_iri": {
        "ca": "{iri} és un IRI relatiu i la consulta no té BASE",
        "es": "{iri} es un IRI relativo y la consulta no tiene BASE",
        "en": "{iri} is a relative IRI and the query has no BASE",
    },
    "sparql_undeclared_prefix": {
        "ca": "el prefix {prefix}: no està declarat (línia {line}, columna {column})",
        "es": "el prefijo {prefix}: no está declarado (línea {line}, columna {column})",
        "en": "the prefix {prefix}: is not declared (line {line}, column {column})",
    },
    "sparql_engine_syntax": {
        "ca": "el motor de consultes no la pot llegir a partir de la línia {line}, columna {column}",
        "es": "el motor de consultas no la puede leer a partir de la línea {line}, columna {column}",
        "en": "the query engine cannot read it from line {line}, column {column}",
    },
    # Reasons of match_refused.
    "match_one_asker": {
        "ca": "indiqueu exactament un de project=IRI, organisation=IRI o profile=IRI",
        "es": "indicad exactamente uno de project=IRI, organisation=IRI o profile=IRI",
        "en": "give exactly one of project=IRI, organisation=IRI or profile=IRI",
    },
    "match_bad_iri": {
        "ca": "{name} ha de ser un IRI http(s) absolut",
        "es": "{name} tiene que ser un IRI http(s) absoluto",
        "en": "{name} must be an absolute http(s) IRI",
    },
    "match_limit": {
        "ca": "limit ha de ser un nombre enter de {low} a {high}",
        "es": "limit tiene que ser un número entero de {low} a {high}",
        "en": "limit must be a whole number from {low} to {high}",
    },
    "match_weight": {
        "ca": "{name} ha de ser un nombre de {low} a {high}",
        "es": "{name} tiene que ser un número de {low} a {high}",
        "en": "{name} must be a number from {low} to {high}",
    },
    "match_unknown_weight": {
        "ca": "pes desconegut {name}; n'hi ha: {known}",
        "es": "peso desconocido {name}; hay: {known}",
        "en": "unknown weight {name}; known: {known}",
    },
    "match_weights_zero": {
        "ca": "com a mínim un pes ha de ser més gran que 0",
        "es": "al menos un peso tiene que ser mayor que 0",
        "en": "at least one weight must be above 0",
    },
    "match_include_own": {
        "ca": "include_own ha de ser true o false",
        "es": "include_own tiene que ser true o false",
        "en": "include_own must be true or false",
    },
    "match_loading": {
        "ca": "l'índex encara s'està carregant",
        "es": "el índice todavía se está cargando",
        "en": "the index is still loading",
    },
    "match_unknown": {
        "ca": "aquest node no coneix cap {kind} {iri}",
        "es": "este nodo no conoce ningún {kind} {iri}",
        "en": "no {kind} {iri} is known here",
    },
    # Reasons of bad_resource (WebFinger).
    "webfinger_missing": {
        "ca": "cal el paràmetre resource",
        "es": "hace falta el parámetro resource",
        "en": "the resource parameter is required",
    },
    "webfinger_too_long": {
        "ca": "el paràmetre resource és massa llarg",
        "es": "el parámetro resource es demasiado largo",
        "en": "the resource parameter is too long",
    },
    "webfinger_not_acct": {
        "ca": "no és un URI acct: vàlid",
        "es": "no es un URI acct: válido",
        "en": "not a valid acct: URI",
    },
    "webfinger_not_url": {
        "ca": "resource ha de ser un URI acct: o un URL http(s)",
        "es": "resource tiene que ser un URI acct: o un URL http(s)",
        "en": "resource must be an acct: URI or an http(s) URL",
    },
    # Reasons: parameters of the messages above (``Reason``), never answers on their own.
    "json_not_utf8": {
        "ca": "no és text UTF-8",
        "es": "no es texto UTF-8",
        "en": "it is not UTF-8 text",
    },
    "json_syntax": {
        "ca": "error de sintaxi a la línia {line}, columna {column}",
        "es": "error de sintaxis en la línea {line}, columna {column}",
        "en": "syntax error at line {line}, column {column}",
    },
    "json_too_deep": {
        "ca": "està niat massa a fons",
        "es": "está anidado a demasiada profundidad",
        "en": "it is nested too deeply",
    },
    "json_lone_surrogate": {
        "ca": "conté un subrogat UTF-16 solitari (RFC 7493 §2.1)",
        "es": "contiene un sustituto UTF-16 solitario (RFC 7493 §2.1)",
        "en": "it contains a lone UTF-16 surrogate (RFC 7493 §2.1)",
    },
}

# English phrases of the code (``Phrase``: what the SPARQL parser expected or found, a kind of profile), in
# words; anything else the parser names (a keyword, a mark, a quoted token) reads the same in every language.
PHRASES: Mapping[str, Mapping[str, str]] = {
    "the end of the query": {"ca": "el final de la consulta", "es": "el final de la consulta"},
    "a prefix name such as ex:": {"ca": "un nom de prefix com ex:", "es": "un nombre de prefijo como ex:"},
    "SELECT, ASK, CONSTRUCT or DESCRIBE": {
        "ca": "SELECT, ASK, CONSTRUCT o DESCRIBE",
        "es": "SELECT, ASK, CONSTRUCT o DESCRIBE",
    },
    "an IRI in <>": {"ca": "un IRI entre <>", "es": "un IRI entre <>"},
    "* or the variables to select": {
        "ca": "* o les variables que se seleccionen",
        "es": "* o las variables que se seleccionan",
    },
    "an integer": {"ca": "un nombre enter", "es": "un número entero"},
    "'.', '}' or a graph pattern": {"ca": "'.', '}' o un patró de graf", "es": "'.', '}' o un patrón de grafo"},
    "an IRI, a literal or UNDEF": {"ca": "un IRI, un literal o UNDEF", "es": "un IRI, un literal o UNDEF"},
    "a predicate": {"ca": "un predicat", "es": "un predicado"},
    "a variable": {"ca": "una variable", "es": "una variable"},
    "an RDF term": {"ca": "un terme RDF", "es": "un término RDF"},
    "an IRI": {"ca": "un IRI", "es": "un IRI"},
    "an expression": {"ca": "una expressió", "es": "una expresión"},
    "a string": {"ca": "una cadena de text", "es": "una cadena de texto"},
    "a concept IRI or scheme:code": {
        "ca": "un IRI de concepte o esquema:codi",
        "es": "un IRI de concepto o esquema:código",
    },
    "a URL": {"ca": "una adreça URL", "es": "una dirección URL"},
    "text": {"ca": "text", "es": "texto"},
    "true or false": {"ca": "true o false", "es": "true o false"},
    "a number": {"ca": "un nombre", "es": "un número"},
    "short text": {"ca": "un text curt", "es": "un texto corto"},
    "a slug or IRI": {"ca": "un nom curt o un IRI", "es": "un nombre corto o un IRI"},
    "project": {"ca": "projecte", "es": "proyecto"},
    "organisation": {"ca": "organització", "es": "organización"},
    "project or organisation": {"ca": "projecte o organització", "es": "proyecto u organización"},
}


@dataclass(frozen=True)
class Phrase:
    """An English phrase of a parser, said in the answer's language where ``PHRASES`` has it."""

    english: str


# Messages whose reason is English text from elsewhere, so that the whole message is English whatever the
# request's language: an inbox refusal is for servers, not people (its reason is the federation library's
# text, as Mastodon and Fedify log it); a peering refusal quotes what the other node or the network said.
ENGLISH_ONLY = frozenset({"inbox_refused", "peer_refused"})

# Labels of the HTML pages.
UI: Mapping[str, Mapping[str, str]] = {
    "organisation": {"ca": "Organització", "es": "Organización", "en": "Organisation"},
    "organisations": {"ca": "Organitzacions", "es": "Organizaciones", "en": "Organisations"},
    "project": {"ca": "Projecte", "es": "Proyecto", "en": "Project"},
    "projects": {"ca": "Projectes", "es": "Proyectos", "en": "Projects"},
    "areas": {"ca": "Àmbits", "es": "Ámbitos", "en": "Areas"},
    "needs": {"ca": "Necessita", "es": "Necesita", "en": "Needs"},
    "offers": {"ca": "Ofereix", "es": "Ofrece", "en": "Offers"},
    "sdgs": {"ca": "ODS", "es": "ODS", "en": "SDGs"},
    "sectors": {"ca": "Sector", "es": "Sector", "en": "Sector"},
    "based_in": {"ca": "On és", "es": "Dónde está", "en": "Based in"},
    "status": {"ca": "Estat", "es": "Estado", "en": "Status"},
    "start_date": {"ca": "Inici", "es": "Inicio", "en": "Started"},
    "end_date": {"ca": "Fi", "es": "Fin", "en": "Ended"},
    "founding_date": {"ca": "Fundació", "es": "Fundación", "en": "Founded"},
    "website": {"ca": "Web", "es": "Web", "en": "Website"},
    "email": {"ca": "Correu", "es": "Correo", "en": "Email"},
    "telephone": {"ca": "Telèfon", "es": "Teléfono", "en": "Phone"},
    "handle": {
        "ca": "Segueix-lo des del fedivers",
        "es": "Síguelo desde el fediverso",
        "en": "Follow it from the fediverse",
    },
    "location": {"ca": "Ubicació", "es": "Ubicación", "en": "Location"},
    "formats": {"ca": "Altres formats", "es": "Otros formatos", "en": "Other formats"},
    "node_title": {"ca": "Node dsi4bcn", "es": "Nodo dsi4bcn", "en": "dsi4bcn node"},
    "node_intro": {
        "ca": "Innovació social digital a Barcelona: organitzacions i projectes d'aquest node.",
        "es": "Innovación social digital en Barcelona: organizaciones y proyectos de este nodo.",
        "en": "Digital social innovation in Barcelona: organisations and projects on this node.",
    },
    "vocabulary": {"ca": "Vocabulari", "es": "Vocabulario", "en": "Vocabulary"},
    "classes": {"ca": "Classes", "es": "Clases", "en": "Classes"},
    "properties": {"ca": "Propietats", "es": "Propiedades", "en": "Properties"},
    "schemes": {"ca": "Esquemes de conceptes", "es": "Esquemas de conceptos", "en": "Concept schemes"},
    "gone": {
        "ca": "Aquest perfil s'ha esborrat.",
        "es": "Este perfil se ha borrado.",
        "en": "This profile has been deleted.",
    },
    "none_yet": {"ca": "Encara no n'hi ha cap.", "es": "Todavía no hay ninguno.", "en": "None yet."},
    "language": {"ca": "Idioma", "es": "Idioma", "en": "Language"},
    "sparql_intro": {
        "ca": "Consulteu el graf agregat de la xarxa amb SPARQL 1.1 (només lectura; "
        "el graf per defecte és la unió de tots els grafs).",
        "es": "Consultad el grafo agregado de la red con SPARQL 1.1 (solo lectura; "
        "el grafo por defecto es la unión de todos los grafos).",
        "en": "Query the network's aggregated graph with SPARQL 1.1 (read-only; "
        "the default graph is the union of all graphs).",
    },
    "sparql_download": {
        "ca": "Baixa tot el graf (N-Quads)",
        "es": "Descarga todo el grafo (N-Quads)",
        "en": "Download the whole graph (N-Quads)",
    },
    "sparql_query": {"ca": "Consulta", "es": "Consulta", "en": "Query"},
    "sparql_run": {"ca": "Executa", "es": "Ejecutar", "en": "Run"},
    "sparql_examples": {"ca": "Exemples", "es": "Ejemplos", "en": "Examples"},
    "sparql_download_results": {
        "ca": "Baixa aquests resultats",
        "es": "Descarga estos resultados",
        "en": "Download these results",
    },
    "sparql_results": {"ca": "Resultats", "es": "Resultados", "en": "Results"},
    "sparql_rows": {"ca": "{count} files", "es": "{count} filas", "en": "{count} rows"},
    "sparql_running": {"ca": "S'està executant…", "es": "Ejecutando…", "en": "Running…"},
    "partners": {"ca": "Possibles col·laboracions", "es": "Posibles colaboraciones", "en": "Possible partners"},
    "partners_intro": {
        "ca": "Suggeriments dels perfils que coneix aquest node (propis i federats), cadascun amb els seus motius.",
        "es": "Sugerencias de los perfiles que conoce este nodo (propios y federados), cada una con sus motivos.",
        "en": "Suggestions from the profiles this node knows (its own and federated ones), each with its reasons.",
    },
    "partners_none": {
        "ca": "Encara no hi ha suggeriments: cap perfil actiu no té res en comú amb aquest.",
        "es": "Todavía no hay sugerencias: ningún perfil activo tiene nada en común con este.",
        "en": "No suggestions yet: no active profile has anything in common with this one.",
    },
    "partners_json": {
        "ca": "Aquests resultats en JSON",
        "es": "Estos resultados en JSON",
        "en": "These results as JSON",
    },
    "their_offers_meet": {
        "ca": "Les seves ofertes cobreixen les vostres necessitats",
        "es": "Sus ofertas cubren vuestras necesidades",
        "en": "Their offers meet your needs",
    },
    "your_offers_meet": {
        "ca": "Les vostres ofertes cobreixen les seves necessitats",
        "es": "Vuestras ofertas cubren sus necesidades",
        "en": "Your offers meet their needs",
    },
    "shared_areas": {"ca": "Àmbits compartits", "es": "Ámbitos compartidos", "en": "Shared areas"},
    "related_areas": {"ca": "Àmbits relacionats", "es": "Ámbitos relacionados", "en": "Related areas"},
    "shared_sdgs": {"ca": "ODS compartits", "es": "ODS compartidos", "en": "Shared SDGs"},
    "place": {"ca": "Lloc", "es": "Lugar", "en": "Place"},
    "same_neighbourhood": {"ca": "al mateix barri", "es": "en el mismo barrio", "en": "in the same neighbourhood"},
    "same_district": {"ca": "al mateix districte", "es": "en el mismo distrito", "en": "in the same district"},
    "km_away": {"ca": "a {km} km", "es": "a {km} km", "en": "{km} km away"},
    "score": {"ca": "Puntuació", "es": "Puntuación", "en": "Score"},
    "score_shares": {
        "ca": "D'on surt la puntuació",
        "es": "De dónde sale la puntuación",
        "en": "Where the score comes from",
    },
    "part_needs": {
        "ca": "Necessitats vostres cobertes",
        "es": "Necesidades vuestras cubiertas",
        "en": "Your needs met",
    },
    "part_offers": {"ca": "Necessitats seves cobertes", "es": "Necesidades suyas cubiertas", "en": "Their needs met"},
    "part_areas": {"ca": "Àmbits", "es": "Ámbitos", "en": "Areas"},
    "part_sdgs": {"ca": "ODS", "es": "ODS", "en": "SDGs"},
    "part_place": {"ca": "Proximitat", "es": "Proximidad", "en": "Proximity"},
    "part_sectors": {"ca": "Sectors complementaris", "es": "Sectores complementarios", "en": "Complementary sectors"},
    "part_text": {"ca": "Descripcions semblants", "es": "Descripciones parecidas", "en": "Similar descriptions"},
    "weights": {"ca": "Pesos", "es": "Pesos", "en": "Weights"},
    "weights_help": {
        "ca": "Doneu més o menys pes a cada part (de 0 a 1); es normalitzen perquè sumin 1.",
        "es": "Dad más o menos peso a cada parte (de 0 a 1); se normalizan para que sumen 1.",
        "en": "Give each part more or less weight (0 to 1); they are normalised to sum to 1.",
    },
    "include_own": {
        "ca": "Inclou els projectes de la mateixa organització",
        "es": "Incluir los proyectos de la misma organización",
        "en": "Include projects of the same organisation",
    },
    "rerank": {"ca": "Torna a ordenar", "es": "Reordenar", "en": "Re-rank"},
    "relation_same": {"ca": "coincidència exacta", "es": "coincidencia exacta", "en": "exact match"},
    "relation_broader_or_narrower": {
        "ca": "concepte més ampli o més concret",
        "es": "concepto más amplio o más concreto",
        "en": "broader or narrower concept",
    },
    "relation_sibling": {"ca": "concepte germà", "es": "concepto hermano", "en": "sibling concept"},
}


@dataclass(frozen=True, init=False)
class Reason:
    """A message code with its parameters, put into words only when the answer's language is known.

    Used as a parameter of another message (``sparql_refused``'s ``reason``), so that the prefix and the
    reason are always in the same language.
    """

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __init__(self, code: str, **params: Any) -> None:
        if code not in MESSAGES:
            raise KeyError(f"no message {code!r}")
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "params", params)

    def __str__(self) -> str:
        return message(self.code, "en", **self.params)


def message(code: str, language: str, **params: object) -> str:
    """The message ``code`` in ``language`` (English if unknown), with ``params`` filled in.

    A parameter that is a ``Reason`` is put into words in the same language (English for the messages
    in ``ENGLISH_ONLY``).
    """
    if code in ENGLISH_ONLY:
        language = "en"
    templates = MESSAGES[code]
    template = templates.get(language) or templates["en"]
    words = {name: _words(value, language) for name, value in params.items()}
    return template.format(**words)


def _words(value: object, language: str) -> object:
    if isinstance(value, Reason):
        return message(value.code, language, **value.params)
    if isinstance(value, Phrase):
        return PHRASES.get(value.english, {}).get(language, value.english)
    return value


def _parse_accept_language(header: str) -> list[tuple[float, str]]:
    ranked: list[tuple[float, str]] = []
    for position, item in enumerate(header.split(",")[:32]):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary:
            ranked.append((quality - position * 1e-6, primary))
    ranked.sort(reverse=True)
    return ranked


def choose_language(requested: str | None, accept_language: str | None, default: str) -> str:
    """``?lang=`` if supported, else the best of ``Accept-Language``, else the node's default."""
    if requested and requested.lower() in LANGUAGES:
        return requested.lower()
    if accept_language:
        for quality, tag in _parse_accept_language(accept_language):
            if quality > 0 and tag in LANGUAGES:
                return tag
    return default
