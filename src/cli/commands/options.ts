import { InvalidArgumentError } from "commander";

export function intOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0 || n > 65535)
    throw new InvalidArgumentError(`"${value}" is not a port number (1-65535).`);
  return n;
}

/** A whole number from `min` to `max`, for counts such as --docs. */
export function countOption(min: number, max: number, what: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`"${value}" is not ${what}: use a whole number from ${min} to ${max}.`);
    return n;
  };
}
