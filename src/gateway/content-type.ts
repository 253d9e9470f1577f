/**
 * Body formats as OpenSearch reads a Content-Type header: by media type, ignoring parameters
 * (`charset`, `compatible-with`) and case. JSON covers `application/json`, `application/x-ndjson` and
 * vendor types such as `application/vnd.opensearch+json`.
 */
export type BodyFormat = "json" | "yaml" | "cbor" | "smile";

export const JSON_TYPE = "application/json";
export const SMILE_TYPE = "application/smile";

export function bodyFormat(contentType: string | undefined): BodyFormat | undefined {
  if (contentType === undefined) return undefined;
  const semi = contentType.indexOf(";");
  const media = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  const slash = media.indexOf("/");
  if (slash === -1) return undefined;
  const subtype = media.slice(slash + 1);
  if (subtype === "json" || subtype === "x-ndjson" || subtype.endsWith("+json")) return "json";
  if (subtype === "smile" || subtype.endsWith("+smile")) return "smile";
  if (subtype === "yaml" || subtype.endsWith("+yaml")) return "yaml";
  if (subtype === "cbor" || subtype.endsWith("+cbor")) return "cbor";
  return undefined;
}

export type BulkFormat = "json" | "smile";

/**
 * The `_bulk` format of a Content-Type OpenSearch streams: JSON (`application/json`,
 * `application/x-ndjson`, `application/vnd.opensearch+json`) or SMILE; undefined for the others, which
 * OpenSearch refuses with 406 (checked against 2.11.1).
 */
export function bulkFormat(contentType: string | undefined): BulkFormat | undefined {
  const type = contentType?.split(";")[0]?.trim().toLowerCase();
  if (
    type === "application/json" ||
    type === "application/x-ndjson" ||
    type === "application/vnd.opensearch+json"
  )
    return "json";
  return type === "application/smile" ? "smile" : undefined;
}
