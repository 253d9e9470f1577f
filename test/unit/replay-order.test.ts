import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Crossings, WriteOrder } from "../../src/replay/order.ts";

const doc = (id: string, index = "i", routing?: string) => ({ index, id, routing });
const at = (offset: number, partition = 0) => ({ partition, offset });
const applied = (seq: number, term = 1, index?: string) => ({ seq, term, ...(index ? { index } : {}) });

describe("WriteOrder: replay keeps what the source applied last", () => {
  test("of two writes that crossed, the one the source applied first is superseded", () => {
    const order = new WriteOrder();
    // Log: A's intent (1), B's intent (2), B's outcome (3), A's outcome (5); the source applied B first.
    assert.equal(order.admit(doc("1"), applied(11), at(1), at(5)), "apply");
    assert.equal(order.admit(doc("1"), applied(10), at(2), at(3)), "superseded");
    // A later write that did not cross them is applied as logged.
    assert.equal(order.admit(doc("1"), applied(12), at(8), at(9)), "apply");
  });

  test("writes that crossed without a known place are settled by a copy from the source", () => {
    const table: [string, ReturnType<typeof applied> | undefined, ReturnType<typeof applied> | undefined][] =
      [
        // An answer filtered with filter_path (Logstash, Beats) has no _seq_no.
        ["neither place known", undefined, undefined],
        ["the first one's unknown", undefined, applied(10)],
        ["the second one's unknown", applied(11), undefined],
        // An alias rolled over between them: numbers of two shards do not compare.
        ["two indices behind one alias", applied(500, 1, "i-000001"), applied(3, 1, "i-000002")],
      ];
    for (const [name, first, second] of table) {
      const order = new WriteOrder();
      assert.equal(order.admit(doc("1"), first, at(1), at(5)), "apply", name);
      assert.equal(order.admit(doc("1"), second, at(2), at(3)), "copy", name);
    }
  });

  test("writes that did not cross are applied as logged, known places or not", () => {
    const order = new WriteOrder();
    assert.equal(order.admit(doc("1"), applied(500), at(1), at(2)), "apply");
    const table: [string, Parameters<WriteOrder["admit"]>][] = [
      ["another id", [doc("2"), applied(3), at(2), at(3)]],
      ["another routing", [doc("1", "i", "r"), applied(3), at(2), at(3)]],
      ["another index", [doc("1", "j"), applied(3), at(2), at(3)]],
      ["sent after the first was answered", [doc("1"), undefined, at(4), at(6)]],
    ];
    for (const [name, args] of table) assert.equal(order.admit(...args), "apply", name);
  });

  test("the primary term breaks a tie; an equal place (a noop update) is applied", () => {
    const order = new WriteOrder();
    assert.equal(order.admit(doc("1"), applied(7, 2), at(1), at(9)), "apply");
    assert.equal(order.admit(doc("1"), applied(7, 1), at(2), at(9)), "superseded");
    assert.equal(order.admit(doc("1"), applied(7, 2), at(3), at(9)), "apply");
  });

  test("after a copy of unknown place, a crossing write is copied too, not compared with an older number", () => {
    const order = new WriteOrder();
    order.admit(doc("1"), applied(10), at(1), at(9));
    assert.equal(order.admit(doc("1"), undefined, at(2), at(8)), "copy");
    assert.equal(order.admit(doc("1"), applied(11), at(3), at(7)), "copy");
  });

  test("an outcome read without its intent (before replay's start) is a copy when it may have crossed", () => {
    const order = new WriteOrder();
    order.admit(doc("1"), applied(10), at(1), at(4));
    assert.equal(order.admit(doc("1"), undefined, undefined, at(3)), "copy");
  });

  test("a write whose outcome never came counts as answered only where replay had read when it gave up", () => {
    const order = new WriteOrder();
    // Its outcome was lost (the gateway died); replay had read up to record 40 when it copied it.
    order.admit(doc("1"), undefined, at(1), at(40));
    assert.equal(order.admit(doc("1"), applied(10), at(30), at(31)), "copy");
  });

  test("a document is forgotten once replay has settled every record before its writes' outcomes", () => {
    const order = new WriteOrder();
    order.admit(doc("1"), applied(11), at(1), at(5));
    order.admit(doc("2"), applied(20), at(2, 1), at(9, 1));
    order.forget({ "0": 5, "1": 100 });
    // Record 5 (the outcome) is not settled yet: a write that crossed it could still come.
    assert.equal(order.size, 1);
    assert.equal(order.admit(doc("1"), applied(10), at(4), at(6)), "superseded");
    order.forget({ "0": 7 });
    assert.equal(order.size, 0);
  });

  test("the latest outcome of a document's writes decides how long it is remembered", () => {
    const order = new WriteOrder();
    order.admit(doc("1"), applied(11), at(1), at(9));
    order.admit(doc("1"), applied(12), at(2), at(7));
    order.forget({ "0": 8 });
    assert.equal(order.admit(doc("1"), applied(10), at(3), at(6)), "superseded");
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
