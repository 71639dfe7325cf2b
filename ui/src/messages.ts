// Every text the kit shows, keyed: one catalogue per language, assembled here from the parts
// each group of screens owns. Add a language by adding a catalogue with the same keys.
import { enOfficer } from "./messages/en-officer.js";
import { enStaff } from "./messages/en-staff.js";
import { enSupport } from "./messages/en-support.js";

const enCommon = {
  "loading": "Loading…",
  "error.retry": "Try again",
  "error.network": "The academy service could not be reached. Check your connection and try again.",
  "error.no_token": "You are not signed in. Sign in to the portal again and reload the page.",
  "error.unauthorized": "Your sign-in was not accepted. Sign in to the portal again and reload the page.",
  "error.forbidden": "You do not have access to this. Ask your operator's administrator for the right role.",
  "error.not_found": "This could not be found. It may have been removed.",
  "error.invalid_request": "Some of what was sent was not accepted:",
  "error.conflict": "This cannot be done right now.",
  "error.rate_limited": "Too many requests. Wait a moment and try again.",
  "error.server": "The academy service had a problem. Try again in a few minutes.",
  "error.unknown": "Something went wrong (HTTP {status}).",
  "error.too_large": "What was sent is too large.",
  "confirm.cancel": "Cancel",
  "confirm.reasonRequired": "Give a reason: it is recorded in the audit log with your name.",
} as const;

export const en = { ...enCommon, ...enStaff, ...enOfficer, ...enSupport } as const;

export type MessageKey = keyof typeof en;
export type Catalogue = Record<MessageKey, string>;

const catalogues: Record<string, Catalogue> = { en };

/** The language an element is shown in: its nearest `lang` attribute, else the page's. */
export function localeOf(element: Element): string {
  return element.closest("[lang]")?.getAttribute("lang") || document.documentElement.lang || "en";
}

/** The catalogue for a language tag ("en-GB" falls back to "en", anything unknown to English). */
export function catalogueFor(lang: string | null | undefined): Catalogue {
  const tag = (lang ?? "en").toLowerCase();
  return catalogues[tag] ?? catalogues[tag.split("-")[0] ?? "en"] ?? en;
}

/** A message with its `{name}` placeholders filled in. */
export function msg(
  catalogue: Catalogue,
  key: MessageKey,
  values: Record<string, string | number> = {},
): string {
  return catalogue[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}
