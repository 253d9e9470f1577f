import { inspect } from "node:util";

const REDACTED = "[redacted]";

/**
 * A credential that cannot leak by accident: every way a value gets printed (string conversion, JSON,
 * util.inspect, pino serialisation) yields "[redacted]"; only `reveal()` returns the value, and only the
 * code that puts it on the wire calls it.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
