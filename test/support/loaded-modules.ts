import { spawnSync } from "node:child_process";

const ROOT = new URL("../..", import.meta.url).pathname;

/** A project file as a URL for an `import()` in the child. */
export const projectUrl = (path: string): string => new URL(path, `file://${ROOT}`).href;

/**
 * Runs `body` (module code, top-level await allowed) in a fresh process through a resolve hook and
 * says what it pulled in: package names, project folders (`src/backfill`) and project files
 * (`src/cli/main`), and "the official client's API surface". A fresh process, because this one has
 * loaded half the project already. `body` may set `globalThis.result` to hand a value back.
 */
export function loadedModules(body: string): { seen: Set<string>; result: unknown; stdout: string } {
  const script = `
    import module from "node:module";
    const seen = new Set();
    module.registerHooks({
      resolve(specifier, context, next) {
        const resolved = next(specifier, context);
        const pkg = /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(resolved.url);
        const own = /\\/src\\/(([^/]+)\\/.+)\\.ts$/.exec(resolved.url);
        if (pkg) seen.add(pkg[1]);
        else if (own) {
          seen.add("src/" + own[2]);
          seen.add("src/" + own[1]);
        }
        if (/@opensearch-project\\/opensearch\\/api\\//.test(resolved.url)) seen.add("the official client's API surface");
        return resolved;
      },
    });
    ${body}
    process.stderr.write("\\n" + JSON.stringify({ seen: [...seen], result: globalThis.result ?? null }));
  `;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  const last = run.stderr.trim().split("\n").at(-1) ?? "";
  if (run.status !== 0 || !last.startsWith("{")) throw new Error(`the child failed:\n${run.stderr}`);
  const { seen, result } = JSON.parse(last) as { seen: string[]; result: unknown };
  return { seen: new Set(seen), result, stdout: run.stdout };
}
