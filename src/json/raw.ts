/**
 * A skipper over JSON text that a cluster's encoder produced: it finds where values start and end
 * without building them, so callers can take a document's exact text (`_source`) and parse only the
 * few metadata values they need. Not a validator: it trusts the text to be JSON.
 */

export const QUOTE = 34;
const BACKSLASH = 92;
export const OPEN_BRACE = 123;
export const CLOSE_BRACE = 125;
export const OPEN_BRACKET = 91;
export const CLOSE_BRACKET = 93;
export const COMMA = 44;
export const COLON = 58;

export function skipSpace(text: string, i: number): number {
  let c = text.charCodeAt(i);
  while (c === 32 || c === 10 || c === 13 || c === 9) c = text.charCodeAt(++i);
  return i;
}

/** Index just past the string that opens at `i` (a quote). */
export function stringEnd(text: string, i: number): number {
  let j = i;
  for (;;) {
    j = text.indexOf('"', j + 1);
    if (j < 0) throw new SyntaxError("unterminated string in JSON text");
    let k = j - 1;
    while (text.charCodeAt(k) === BACKSLASH) k--;
    if ((j - 1 - k) % 2 === 0) return j + 1;
  }
}

/** Index just past the number or literal (`true`, `false`, `null`) that starts at `i`. */
export function scalarEnd(text: string, i: number): number {
  let j = i;
  for (;;) {
    const d = text.charCodeAt(j);
    if (
      d === COMMA ||
      d === CLOSE_BRACE ||
      d === CLOSE_BRACKET ||
      d === 32 ||
      d === 10 ||
      d === 13 ||
      d === 9 ||
      Number.isNaN(d)
    )
      return j;
    j++;
  }
}

/** Index just past the value that starts at `i`. */
export function valueEnd(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) return stringEnd(text, i);
  if (c !== OPEN_BRACE && c !== OPEN_BRACKET) {
    let j = i;
    for (;;) {
      const d = text.charCodeAt(j);
      if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || Number.isNaN(d)) return j;
      j++;
    }
  }
  let depth = 0;
  let j = i;
  for (;;) {
    const d = text.charCodeAt(j);
    if (d === QUOTE) {
      j = stringEnd(text, j);
      continue;
    }
    if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
    else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return j + 1;
    } else if (Number.isNaN(d)) throw new SyntaxError("unterminated value in JSON text");
    j++;
  }
}

/**
 * Calls `onField(key, start, end)` for every member of the object that opens at `i`; returns the
 * index just past it.
 */
export function members(
  text: string,
  i: number,
  onField: (key: string, start: number, end: number) => void,
): number {
  return fields(text, i, (key, start) => {
    const end = valueEnd(text, start);
    onField(key, start, end);
    return end;
  });
}

/**
 * Calls `onField(key, start)` for every member of the object that opens at `i`; `onField` returns the
 * index just past the value when it walked it (a nested object it reads), or undefined to have it
 * skipped. Walking a value and skipping it too would read it twice: for the `hits` of a search answer,
 * every document's text once more per level.
 */
export function fields(
  text: string,
  i: number,
  onField: (key: string, start: number) => number | undefined,
): number {
  if (text.charCodeAt(i) !== OPEN_BRACE) throw new SyntaxError("expected an object in JSON text");
  let j = skipSpace(text, i + 1);
  if (text.charCodeAt(j) === CLOSE_BRACE) return j + 1;
  for (;;) {
    const keyEnd = stringEnd(text, j);
    const key = text.slice(j + 1, keyEnd - 1);
    j = skipSpace(text, keyEnd);
    if (text.charCodeAt(j) !== COLON) throw new SyntaxError("expected ':' in JSON text");
    const start = skipSpace(text, j + 1);
    j = skipSpace(text, onField(key, start) ?? valueEnd(text, start));
    const c = text.charCodeAt(j);
    if (c === CLOSE_BRACE) return j + 1;
    if (c !== COMMA) throw new SyntaxError("expected ',' or '}' in JSON text");
    j = skipSpace(text, j + 1);
  }
}

/**
 * Calls `onElement(start)` for every element of the array that opens at `i`; `onElement` returns the
 * index just past the element (or undefined to have it skipped by `valueEnd`).
 */
export function elements(text: string, i: number, onElement: (start: number) => number | undefined): number {
  if (text.charCodeAt(i) !== OPEN_BRACKET) throw new SyntaxError("expected an array in JSON text");
  let j = skipSpace(text, i + 1);
  if (text.charCodeAt(j) === CLOSE_BRACKET) return j + 1;
  for (;;) {
    j = skipSpace(text, onElement(j) ?? valueEnd(text, j));
    const c = text.charCodeAt(j);
    if (c === CLOSE_BRACKET) return j + 1;
    if (c !== COMMA) throw new SyntaxError("expected ',' or ']' in JSON text");
    j = skipSpace(text, j + 1);
  }
}
