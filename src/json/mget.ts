import { elements, fields, members, skipSpace } from "./raw.ts";

/** One doc of an `_mget` answer. */
export interface MgetDoc {
  readonly found: boolean;
  readonly routing?: string;
  /** The `_source` object as the exact JSON text the cluster sent (a parse would round longs). */
  readonly source?: string;
  /** The doc's `error` as JSON text, when the cluster could not look it up (a missing index, say). */
  readonly error?: string;
}

/** The docs of an `_mget` answer, in request order, read as text; only metadata values are parsed. */
export function parseMget(text: string): MgetDoc[] {
  const docs: MgetDoc[] = [];
  const start = skipSpace(text, 0);
  if (start >= text.length) return docs;
  fields(text, start, (key, s) => {
    if (key !== "docs") return undefined;
    return elements(text, s, (at) => {
      let found = false;
      let routing: string | undefined;
      let source: string | undefined;
      let error: string | undefined;
      const end = members(text, at, (field, fs, fe) => {
        if (field === "found") found = text.slice(fs, fe) === "true";
        else if (field === "_routing") routing = JSON.parse(text.slice(fs, fe)) as string;
        else if (field === "_source") source = text.slice(fs, fe);
        else if (field === "error") error = text.slice(fs, fe);
      });
      docs.push({
        found,
        ...(found && routing !== undefined ? { routing } : {}),
        ...(found && source !== undefined ? { source } : {}),
        ...(error === undefined ? {} : { error }),
      });
      return end;
    });
  });
  return docs;
}

/** The `type` of an `_mget` doc's error text (`index_not_found_exception`, ...). */
export function mgetErrorType(error: string): string {
  const parsed = JSON.parse(error) as unknown;
  if (typeof parsed === "string") return parsed;
  return String((parsed as { type?: unknown } | null)?.type ?? "error");
}
