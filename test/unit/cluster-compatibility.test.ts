/**
 * The compatibility matrix row by row: source × target × index creation version → each method allowed,
 * or refused by a named rule with its reason and what to do instead.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type ClusterVersion,
  COPY_METHODS,
  type CopyMethod,
  decodeVersionId,
  methodVerdicts,
  pathRefusal,
} from "../../src/cluster/index.ts";
import { es, os } from "../support/versions.ts";

const show = (v: ClusterVersion | undefined) =>
  v === undefined
    ? "unknown"
    : `${v.distribution === "opensearch" ? "os" : "es"}-${Object.values(v.version).join(".")}`;

describe("decodeVersionId", () => {
  // Real `index.version.created` values read from the sandboxes, plus Elasticsearch ids.
  const cases: [number, ClusterVersion | undefined][] = [
    [136327927, os(2, 11, 1)],
    [135249227, os(1, 3, 14)],
    [136408227, os(2, 19, 4)],
    [137257827, os(3, 4, 0)],
    [7100299, es(7, 10, 2)],
    [6080099, es(6, 8, 0)],
    [0, undefined],
    [Number.NaN, undefined],
  ];
  for (const [id, expected] of cases) {
    test(`${id}`, () => assert.deepEqual(decodeVersionId(id), expected));
  }
});

/** Allowed methods ("ok"), or the rule that refuses each. */
type Row = [
  source: ClusterVersion,
  target: ClusterVersion,
  created: ClusterVersion | undefined,
  expected: Readonly<Record<CopyMethod, string>>,
];
const OK = "ok";
/** Reindex and stream read documents through the API, so on a possible path they always can. */
const copies = (snapshot: string, ccr: string) => ({ snapshot, reindex: OK, stream: OK, ccr });
const all = (rule: string) => ({ snapshot: rule, reindex: rule, stream: rule, ccr: rule });
const TWO_BACK = "created-two-majors-back";
const NO_ES_CCR = "ccr-source-elasticsearch";
const AFTER_FORK = "elasticsearch-after-fork";

const ROWS: readonly Row[] = [
  // The paths the sandbox runs.
  [os(2, 11, 1), os(2, 19, 4), os(2, 11, 1), copies(OK, OK)],
  [os(1, 3, 14), os(2, 19, 4), os(1, 3, 14), copies(OK, OK)],
  [os(2, 19, 4), os(3, 4, 0), os(2, 19, 4), copies(OK, OK)],
  [os(2, 19, 4), os(3, 4, 0), os(1, 3, 14), copies(TWO_BACK, TWO_BACK)],
  [os(1, 3, 14), os(3, 4, 0), os(1, 3, 14), copies(TWO_BACK, "ccr-wire-incompatible")],
  [es(7, 10, 2), os(2, 19, 4), es(7, 10, 2), copies(OK, NO_ES_CCR)],
  [es(7, 10, 2), os(2, 19, 4), es(6, 8, 4), copies(TWO_BACK, NO_ES_CCR)],
  [es(7, 10, 2), os(3, 4, 0), es(7, 10, 2), copies(TWO_BACK, NO_ES_CCR)],
  // A 1.3 source still holding a 6.x-created index: 2.x cannot open it, by restore or by CCR's bootstrap.
  [os(1, 3, 14), os(2, 19, 4), es(6, 8, 0), copies(TWO_BACK, TWO_BACK)],
  // CCR reaches only leaders its transport protocol speaks to.
  [os(2, 11, 1), os(3, 4, 0), os(2, 11, 1), copies(OK, "ccr-wire-incompatible")],
  [os(1, 2, 0), os(2, 19, 4), os(1, 2, 0), copies(OK, "ccr-wire-incompatible")],
  [os(1, 0, 0), os(1, 3, 14), os(1, 0, 0), copies(OK, "ccr-source-before-plugin")],
  // Elasticsearch after the fork: its index format is not OpenSearch's.
  [es(7, 17, 0), os(2, 19, 4), es(7, 17, 0), copies(AFTER_FORK, NO_ES_CCR)],
  [es(8, 11, 0), os(3, 4, 0), es(8, 11, 0), copies(AFTER_FORK, NO_ES_CCR)],
  [es(6, 8, 0), os(1, 3, 14), es(6, 8, 0), copies(OK, NO_ES_CCR)],
  [es(5, 6, 16), os(1, 3, 14), es(5, 6, 16), copies(TWO_BACK, NO_ES_CCR)],
  // An unknown creation version cannot be promised a restore.
  [os(2, 11, 1), os(2, 19, 4), undefined, copies("creation-version-unknown", "creation-version-unknown")],
  // Impossible paths: every method refused by the path's rule.
  [os(2, 19, 4), os(2, 11, 1), os(2, 19, 4), all("target-older-than-source")],
  [os(3, 4, 0), os(2, 19, 4), os(2, 19, 4), all("target-older-than-source")],
  [os(1, 3, 14), es(7, 10, 2), os(1, 3, 14), all("target-not-opensearch")],
  [es(7, 10, 2), es(7, 17, 0), es(7, 10, 2), all("target-not-opensearch")],
];

describe("methodVerdicts: every row of the matrix", () => {
  for (const [source, target, created, expected] of ROWS) {
    test(`${show(source)} → ${show(target)}, created ${show(created)}`, () => {
      const verdicts = methodVerdicts(source, target, created);
      assert.deepEqual(
        verdicts.map((v) => v.method),
        COPY_METHODS,
      );
      const got = Object.fromEntries(verdicts.map((v) => [v.method, v.allowed ? OK : v.rule]));
      assert.deepEqual(got, expected);
      for (const v of verdicts) {
        if (v.allowed) continue;
        assert.ok(v.reason.length > 0 && v.instead.length > 0, `${v.method} has a reason and an alternative`);
      }
    });
  }
});

describe("the refusals' words", () => {
  const cases: [ClusterVersion, ClusterVersion, ClusterVersion | undefined, CopyMethod, RegExp, RegExp][] = [
    [
      os(1, 3, 14),
      os(3, 4, 0),
      os(1, 3, 14),
      "snapshot",
      /^the index was created by OpenSearch 1\.3\.14; OpenSearch 3\.4\.0 restores only indices created by the previous major or later$/,
      /^copy it with reindex or stream/,
    ],
    [
      es(7, 10, 2),
      os(2, 19, 4),
      es(6, 8, 4),
      "snapshot",
      /^the index was created by Elasticsearch 6\.8\.4; OpenSearch 2\.19\.4 restores only/,
      /reindex or stream/,
    ],
    [
      es(7, 10, 2),
      os(2, 19, 4),
      es(7, 17, 0),
      "snapshot",
      /newer than Elasticsearch 7\.10\.2, whose index format OpenSearch cannot read/,
      /reindex or stream/,
    ],
    [
      os(2, 19, 4),
      os(2, 11, 1),
      os(2, 19, 4),
      "stream",
      /^the target runs OpenSearch 2\.11\.1, older than the source's OpenSearch 2\.19\.4: indices cannot move to an older version$/,
      /same or a newer version/,
    ],
    [
      es(7, 10, 2),
      os(3, 4, 0),
      es(7, 10, 2),
      "ccr",
      /^Elasticsearch has no OpenSearch cross-cluster-replication plugin to lead$/,
      /gateway and replay/,
    ],
    [
      os(2, 19, 4),
      os(3, 4, 0),
      os(1, 3, 14),
      "ccr",
      /OpenSearch 1\.3\.14; OpenSearch 3\.4\.0 restores only/,
      /reindex or stream/,
    ],
    [
      os(2, 11, 1),
      os(3, 4, 0),
      os(2, 11, 1),
      "ccr",
      /OpenSearch 3\.4\.0 follower reaches leaders of its own major and OpenSearch 2\.19\.0 or later over the transport protocol, not OpenSearch 2\.11\.1/,
      /gateway and replay/,
    ],
  ];
  for (const [source, target, created, method, reason, instead] of cases) {
    test(`${method}: ${show(source)} → ${show(target)}, created ${show(created)}`, () => {
      const verdict = methodVerdicts(source, target, created).find((v) => v.method === method);
      assert.ok(verdict !== undefined && !verdict.allowed);
      assert.match(verdict.reason, reason);
      assert.match(verdict.instead, instead);
    });
  }
});

test("pathRefusal: only impossible paths", () => {
  assert.equal(pathRefusal(es(7, 10, 2), os(3, 4, 0)), undefined);
  assert.equal(pathRefusal(os(2, 19, 4), os(2, 19, 4)), undefined);
  assert.equal(pathRefusal(es(7, 10, 2), os(1, 0, 0)), undefined);
  assert.equal(pathRefusal(os(3, 4, 0), os(3, 0, 0))?.rule, "target-older-than-source");
  assert.equal(pathRefusal(os(2, 19, 4), es(7, 10, 2))?.rule, "target-not-opensearch");
});
