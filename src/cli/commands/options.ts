import { InvalidArgumentError } from "commander";

export function intOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0 || n > 65535)
    throw new InvalidArgumentError(`"${value}" is not a port number (1-65535).`);
  return n;
}
