/** The sandbox's version keys, as users type them after --source and --target. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { isBluegreenError } from "../../src/errors/index.ts";
import { DISTRIBUTIONS, findDistribution } from "../../src/sandbox/index.ts";

test("version keys: the short key, a bare major for its newest row, the full version, the prefixed form", () => {
  const cases: [string, string, string][] = [
    ["3", "opensearch", "3.4.0"],
    ["3.4", "opensearch", "3.4.0"],
    ["opensearch-3", "opensearch", "3.4.0"],
    ["2", "opensearch", "2.19.4"],
    ["2.19.4", "opensearch", "2.19.4"],
    ["1.3", "opensearch", "1.3.14"],
    ["es-7.10", "elasticsearch", "7.10.2"],
    ["es-7", "elasticsearch", "7.10.2"],
    ["elasticsearch-7.10.2", "elasticsearch", "7.10.2"],
  ];
  for (const [key, distribution, version] of cases) {
    const spec = findDistribution(key);
    assert.deepEqual([spec.distribution, spec.version], [distribution, version], key);
  }
  for (const key of ["7.10", "es-2.19", "4", "3.9"]) {
    assert.throws(
      () => findDistribution(key),
      (error) => {
        assert.ok(isBluegreenError(error, "BG_SANDBOX_VERSION"), String(error));
        assert.match(error.message, new RegExp(`no version "${key.replace(".", "\\.")}"`));
        assert.match(error.fix ?? "", /es-7\.10 \(elasticsearch 7\.10\.2\)/);
        return true;
      },
    );
  }
});

test("every row: Java majors, launcher names and modules fit its distribution", () => {
  for (const spec of DISTRIBUTIONS) {
    const elastic = spec.distribution === "elasticsearch";
    assert.equal(spec.executable, elastic ? "bin/elasticsearch" : "bin/opensearch", spec.key);
    assert.equal(spec.env.pathConf, elastic ? "ES_PATH_CONF" : "OPENSEARCH_PATH_CONF", spec.key);
    const major = Number(spec.version.split(".")[0]);
    // 3.x needs Java 21+; everything older installs a security manager, which Java 24+ refuses.
    if (!elastic && major >= 3)
      assert.ok(
        spec.javaMajors.every((j) => j >= 21),
        spec.key,
      );
    else
      assert.ok(
        spec.javaMajors.every((j) => j < 24),
        spec.key,
      );
    const painless = spec.modules.find((m) => m.name === "lang-painless");
    const expected = elastic
      ? "org.elasticsearch.painless.PainlessPlugin"
      : major >= 3
        ? "org.opensearch.painless.PainlessModulePlugin"
        : "org.opensearch.painless.PainlessPlugin";
    assert.equal(painless?.classname, expected, spec.key);
  }
});
