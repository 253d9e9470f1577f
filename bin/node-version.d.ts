/** The message for a Node.js too old to run bluegreen, or undefined when `version` will do. */
export function nodeTooOld(version: string): string | undefined;
