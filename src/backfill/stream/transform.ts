/** The optional per-document hook: a JS module whose default export maps or drops each document. */
import { pathToFileURL } from "node:url";
import { BluegreenError } from "../../errors/index.ts";

export interface TransformDoc {
  _id: string;
  _routing?: string;
  _source: unknown;
}

/** Returns the document to write (possibly changed, `_id` and `_routing` included), or null to skip it. */
export type Transform = (doc: TransformDoc, index: string) => TransformDoc | null | undefined;

export async function loadTransform(path: string | undefined): Promise<Transform | undefined> {
  if (path === undefined) return undefined;
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (error) {
    throw new BluegreenError(
      "BG_BACKFILL_TRANSFORM",
      `The transform module ${path} could not be loaded: ${(error as Error).message}`,
      {
        cause: error,
        fix: "Check backfill.stream.transform: it must be a JavaScript module (ESM) whose default export is a function.",
        details: { path },
      },
    );
  }
  if (typeof module.default !== "function") {
    throw new BluegreenError(
      "BG_BACKFILL_TRANSFORM",
      `The transform module ${path} has no default export function.`,
      {
        fix: "Export the function as default: `export default (doc, index) => doc`.",
        details: { path },
      },
    );
  }
  const fn = module.default as Transform;
  return (doc, index) => {
    try {
      return fn(doc, index);
    } catch (error) {
      throw new BluegreenError(
        "BG_BACKFILL_TRANSFORM",
        `The transform ${path} threw on document ${doc._id} of ${index}: ${(error as Error).message}`,
        {
          cause: error,
          fix: "Fix the transform so it handles this document, then run backfill again: it resumes.",
          details: { path, index, id: doc._id },
        },
      );
    }
  };
}
