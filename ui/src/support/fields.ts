// The support forms' fields: checked before sending (the same patterns the APIs hold), and an
// API refusal split into what belongs next to a field and what is said above the form.
import type { ApiError } from "../api.js";
import type { MessageKey } from "../messages.js";

export type FieldKind = "operator" | "jurisdiction" | "staff" | "track" | "record" | "reason";

export interface FieldRule {
  name: string;
  kind: FieldKind;
  required: boolean;
}

/** The identifier patterns of libs/contracts (contracts.identifiers). */
const PATTERNS: Record<Exclude<FieldKind, "reason">, RegExp> = {
  operator: /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
  jurisdiction: /^[A-Z][A-Z0-9_]{1,15}$/,
  staff: /^[A-Za-z0-9][A-Za-z0-9._:@+|-]{0,199}$/,
  track: /^[A-Z][A-Z0-9_]{1,15}\.[a-z][a-z0-9_]{0,63}$/,
  record: /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/,
};

const FORMATS: Record<Exclude<FieldKind, "reason">, MessageKey> = {
  operator: "support.field.operatorFormat",
  jurisdiction: "support.field.jurisdictionFormat",
  staff: "support.field.staffFormat",
  track: "support.field.trackFormat",
  record: "support.field.recordFormat",
};

/** The API's minimum for a reason (academy_runtime.text.ReasonText), counted without spaces. */
export const REASON_MIN = 3;
export const REASON_MAX = 1000;

/** What is wrong with one value, or null when it may be sent. */
export function checkField(value: string, rule: FieldRule): MessageKey | null {
  const text = value.trim();
  if (!text) return rule.required ? "support.field.required" : null;
  if (rule.kind === "reason") {
    if ([...text].length < REASON_MIN) return "support.field.reasonShort";
    return [...text].length > REASON_MAX ? "support.field.reasonLong" : null;
  }
  return PATTERNS[rule.kind].test(text) ? null : FORMATS[rule.kind];
}

/** Every field's problem (only the fields that have one). */
export function validate(values: Record<string, string>, rules: readonly FieldRule[]): Record<string, MessageKey> {
  const found: Record<string, MessageKey> = {};
  for (const rule of rules) {
    const problem = checkField(values[rule.name] ?? "", rule);
    if (problem) found[rule.name] = problem;
  }
  return found;
}

/** The values as sent: identifiers and reasons without surrounding spaces. */
export function trimmed(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, value.trim()]));
}

/** An API refusal: problems of the form's fields, the rest, and any "did you mean" per field. */
export interface Refusal {
  fields: Record<string, string>;
  lines: string[];
  suggestions: Record<string, string[]>;
}

/** Which field an API error code is about (the message is then the API's detail). */
const CODE_FIELDS: Record<string, string> = {
  staff_not_found: "staff_id",
  track_not_found: "track_key",
  certificate_not_found: "certificate_id",
  unknown_operator: "operator_id",
};

/** Split `error` over the form's `fields`: 422 problems and known not-found codes by field. */
export function refusalFor(error: ApiError, fields: readonly string[]): Refusal {
  const refusal: Refusal = { fields: {}, lines: [], suggestions: {} };
  const body = error.body;
  const problems = Array.isArray(body.problems) ? body.problems : [];
  for (const item of problems) {
    const problem = item as { field?: unknown; problem?: unknown };
    if (typeof problem.problem !== "string") continue;
    const raw = typeof problem.field === "string" ? problem.field : "";
    const name = raw.replace(/^(path|body|query)\./, "");
    if (fields.includes(name)) {
      refusal.fields[name] = refusal.fields[name] ? `${refusal.fields[name]} ${problem.problem}` : problem.problem;
    } else {
      refusal.lines.push(raw ? `${raw}: ${problem.problem}` : problem.problem);
    }
  }
  const reason = typeof body.reason === "string" ? body.reason : "";
  const field = CODE_FIELDS[reason] ?? CODE_FIELDS[error.code ?? ""];
  const detail = typeof body.detail === "string" ? body.detail : "";
  if (field && fields.includes(field) && detail && !(field in refusal.fields)) {
    refusal.fields[field] = detail;
    const meant = Array.isArray(body.did_you_mean) ? body.did_you_mean : [];
    refusal.suggestions[field] = meant.filter((m): m is string => typeof m === "string");
  }
  return refusal;
}
