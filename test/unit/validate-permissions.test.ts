/**
 * Probe users' credentials come from the environment: a variable that is not set is an error naming
 * the user and the variable before any cluster is asked, and no value ever appears in it. The default
 * probes change nothing: reads, and a write conditioned on a sequence number no document has.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfig } from "../../src/config/index.ts";
import { isBluegreenError } from "../../src/errors/index.ts";
import { checkPermissions, defaultProbes, PROBE_ID } from "../../src/validate/index.ts";

// Port 9 (discard): nothing here may reach a cluster, and nothing listens there.
const YAML = `version: 1
name: probes
source: { url: 'http://127.0.0.1:9' }
target: { url: 'http://127.0.0.1:10' }
validate:
  probeUsers:
    - { name: reader, usernameEnv: READER_USER, passwordEnv: READER_PASSWORD }
`;
const config = parseConfig(YAML, { baseDir: "/tmp", env: {} });

describe("probe users' credentials", () => {
  const CASES: readonly { name: string; env: Record<string, string>; contains: string[] }[] = [
    {
      name: "username variable not set",
      env: { READER_PASSWORD: "Pw-not-to-leak-1" },
      contains: ['validate.probeUsers[0] ("reader")', "username variable READER_USER is not set"],
    },
    {
      name: "password variable not set",
      env: { READER_USER: "reader" },
      contains: ['validate.probeUsers[0] ("reader")', "password variable READER_PASSWORD is not set"],
    },
    {
      name: "password variable empty",
      env: { READER_USER: "reader", READER_PASSWORD: "" },
      contains: ["password variable READER_PASSWORD is not set"],
    },
  ];
  for (const c of CASES) {
    it(c.name, async () => {
      await assert.rejects(checkPermissions(config, [], c.env), (error) => {
        assert.ok(isBluegreenError(error, "BG_SECRET_UNRESOLVED"), String(error));
        for (const fragment of c.contains) assert.ok(error.message.includes(fragment), error.message);
        assert.match(error.fix ?? "", /Export READER_(USER|PASSWORD)/);
        assert.doesNotMatch(
          `${error.message} ${error.fix} ${JSON.stringify(error.details)}`,
          /Pw-not-to-leak/,
        );
        return true;
      });
    });
  }
});

describe("default probes", () => {
  it("per index: a search and a conditional write, renamed on the target; nothing deletes", () => {
    const probes = defaultProbes([{ index: "logs", targetIndex: "logs-v2" }]);
    assert.deepEqual(
      probes.map((p) => `${p.method} ${p.path} | ${p.targetPath}`),
      [
        "GET /_plugins/_security/authinfo | /_plugins/_security/authinfo",
        "GET /_cluster/health | /_cluster/health",
        "GET /logs/_search?size=0 | /logs-v2/_search?size=0",
        `PUT /logs/_doc/${PROBE_ID}?if_seq_no=9007199254740991&if_primary_term=9007199254740991 | /logs-v2/_doc/${PROBE_ID}?if_seq_no=9007199254740991&if_primary_term=9007199254740991`,
      ],
    );
    assert.ok(probes.every((p) => p.method !== "DELETE"));
  });
});
