import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { GatewayMode } from "../../src/gateway/index.ts";
import {
  type ControlRecord,
  ControlView,
  encodeControl,
  memberKey,
  modeKey,
} from "../../src/gateway/shared/view.ts";

/** The control topic's fold: every reader derives the same decided mode from the same records. */
let offset = 0;
const proposal = (id: string, mode: GatewayMode, basedOn: number): ControlRecord => ({
  offset: offset++,
  key: modeKey(id),
  value: encodeControl({ mode, basedOn, proposal: id, by: `host pid ${id}` }),
  timestampMs: 1_000 + offset,
});
const beat = (id: string, epoch: number): ControlRecord => ({
  offset: offset++,
  key: memberKey(id),
  value: encodeControl({
    id,
    host: "h",
    pid: 1,
    url: undefined,
    epoch,
    mode: "capture",
    drained: true,
    since: "",
  }),
  timestampMs: 1_000 + offset,
});
const fold = (records: readonly ControlRecord[]): ControlView => {
  const view = new ControlView();
  for (const r of records) view.apply(r);
  return view;
};

describe("shared mode: the control topic's fold", () => {
  it("is capture at epoch 0 before any switch", () => {
    const view = fold([beat("g1", 0)]);
    assert.equal(view.mode, "capture");
    assert.equal(view.epoch, 0);
    assert.equal(view.members.size, 1);
  });

  it("decides switches in log order, each on top of the one before", () => {
    const view = fold([proposal("a", "fenced", 0), proposal("b", "target", 1)]);
    assert.equal(view.mode, "target");
    assert.equal(view.epoch, 2);
    assert.equal(view.proposals.get("a"), 1);
    assert.equal(view.proposals.get("b"), 2);
  });

  it("two switches racing on the same epoch: the first written wins, the other is ignored by all", () => {
    const records = [proposal("first", "fenced", 0), proposal("second", "capture", 0)];
    for (const view of [fold(records), fold(records)]) {
      assert.equal(view.mode, "fenced");
      assert.equal(view.epoch, 1);
      assert.equal(view.proposals.get("second"), undefined);
      assert.ok(view.proposals.has("second"));
    }
  });

  it("a replayed proposal (a producer retry) is decided once", () => {
    const p = proposal("once", "fenced", 0);
    const view = fold([p, { ...p, offset: offset++ }]);
    assert.equal(view.epoch, 1);
  });

  it("a tombstone removes a member; records not of the shared mode are ignored", () => {
    const view = fold([
      beat("g1", 0),
      beat("g2", 0),
      { offset: offset++, key: memberKey("g1"), value: undefined, timestampMs: 5_000 },
      { offset: offset++, key: "mode/junk", value: new TextEncoder().encode("not json"), timestampMs: 5_001 },
      { offset: offset++, key: "other", value: new TextEncoder().encode("{}"), timestampMs: 5_002 },
    ]);
    assert.deepEqual([...view.members.keys()], ["g2"]);
    assert.equal(view.epoch, 0);
    assert.equal(view.next, offset);
  });
});
