// Kept apart from the launcher so its one rule can be tested without an old Node at hand.

/** The message for a Node.js too old to run bluegreen, or undefined when `version` will do. */
export function nodeTooOld(version) {
  const major = Number(String(version).split(".")[0]);
  if (major >= 24) return undefined;
  return (
    `bluegreen needs Node.js 24 or later; this is Node.js ${version}.\n` +
    "Fix: run it through npx or an npm script (the project's node@24 dependency provides Node 24), or install Node 24.\n"
  );
}
