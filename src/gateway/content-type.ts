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

/** Only JSON and SMILE can be read as a stream of documents (`_bulk`); OpenSearch refuses the others. */
export function bulkFormat(contentType: string | undefined): "json" | "smile" | undefined {
  const format = bodyFormat(contentType);
  return format === "json" || format === "smile" ? format : undefined;
}
