import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Crossings, WriteOrder } from "../../src/replay/order.ts";

const doc = (id: string, index = "i", routing?: string) => ({ index, id, routing });
const at = (offset: number, partition = 0) => ({ partition, offset });
const applied = (seq: number, term = 1, index?: string) => ({ seq, term, ...(index ? { index } : {}) });

describe("WriteOrder: replay applies only what the source applied last", () => {
  test("a write the source applied before one already replayed is superseded", () => {
    const order = new WriteOrder();
    // Log order: A then B; the source applied B first (seq 10), then A (seq 11).
    assert.equal(order.admit(doc("1"), applied(11), at(5)), true);
    assert.equal(order.admit(doc("1"), applied(10), at(4)), false);
    // A later write (seq 12) is applied.
    assert.equal(order.admit(doc("1"), applied(12), at(8)), true);
  });

  test("each shard's numbers stand alone: other ids, routings, and the index that took the write", () => {
    const order = new WriteOrder();
    assert.equal(order.admit(doc("1"), applied(500), at(1)), true);
    const table: [string, Parameters<WriteOrder["admit"]>][] = [
      ["another id", [doc("2"), applied(3), at(2)]],
      ["another routing", [doc("1", "i", "r"), applied(3), at(2)]],
      ["another index", [doc("1", "j"), applied(3), at(2)]],
      // The alias rolled over: the write went to a new index, whose numbers start again.
      ["the index behind an alias", [doc("1"), applied(3, 1, "i-000002"), at(2)]],
    ];
    for (const [name, args] of table) assert.equal(order.admit(...args), true, name);
  });

  test("the primary term breaks a tie; an equal place (a noop update) is applied", () => {
    const order = new WriteOrder();
    assert.equal(order.admit(doc("1"), applied(7, 2), at(1)), true);
    assert.equal(order.admit(doc("1"), applied(7, 1), at(2)), false);
    assert.equal(order.admit(doc("1"), applied(7, 2), at(3)), true);
  });

  test("writes without a known place (older gateways, unknown outcomes) are applied in log order", () => {
    const order = new WriteOrder();
    assert.equal(order.admit(doc("1"), applied(11), at(1)), true);
    assert.equal(order.admit(doc("1"), undefined, at(2)), true);
    assert.equal(order.admit({ index: "i", id: undefined }, applied(1), at(3)), true);
  });

  test("a write is forgotten once replay has settled every record before its outcome", () => {
    const order = new WriteOrder();
    order.admit(doc("1"), applied(11), at(5));
    order.admit(doc("2"), applied(20), at(9, 1));
    order.forget({ "0": 5, "1": 100 });
    // Record 5 (the outcome) is not settled yet: its rival could still come.
    assert.equal(order.size, 1);
    assert.equal(order.admit(doc("1"), applied(10), at(4)), false);
    order.forget({ "0": 6 });
    assert.equal(order.size, 0);
  });

  test("the later outcome of two writes decides how long the document is remembered", () => {
    const order = new WriteOrder();
    order.admit(doc("1"), applied(11), at(9));
    order.admit(doc("1"), applied(12), at(7));
    order.forget({ "0": 8 });
    assert.equal(order.admit(doc("1"), applied(10), at(6)), false);
  });
});

describe("Crossings: a by-query or admin request and the document writes it may have crossed", () => {
  test("a write still unanswered when the request was logged is copied after the request", () => {
    const c = new Crossings<string>();
    c.plannedDoc("answered before", at(1), at(2));
    c.plannedDoc("crossed", at(3), at(6));
    c.plannedDoc("other partition", at(3, 1), at(9, 1));
    assert.deepEqual(c.plannedRequest(at(5), at(7)), ["crossed"]);
  });

  test("a write logged while a request was unanswered crossed it; one logged after its answer did not", () => {
    const c = new Crossings<string>();
    c.plannedRequest(at(5), at(9));
    const table: [string, ReturnType<typeof at>, boolean][] = [
      ["logged before the request", at(4), false],
      ["logged while it ran", at(6), true],
      ["logged after its answer", at(10), false],
      ["in another partition", at(6, 1), false],
    ];
    for (const [name, place, crossed] of table) assert.equal(c.crossesRequest(place), crossed, name);
  });

  test("what lies wholly before the settled position is forgotten", () => {
    const c = new Crossings<string>();
    c.plannedRequest(at(5), at(9));
    c.plannedDoc("d", at(6), at(8));
    // Record 8, the write's outcome, is not settled yet.
    c.forget({ "0": 8 });
    assert.equal(c.crossesRequest(at(7)), true);
    assert.deepEqual(c.plannedRequest(at(7), at(20)), ["d"]);
    c.forget({ "0": 21 });
    assert.equal(c.crossesRequest(at(7)), false);
    assert.deepEqual(c.plannedRequest(at(7), at(30)), []);
  });
});
