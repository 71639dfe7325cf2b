// The exam's and the track's rules as pure functions: answers kept on the device, attempts left,
// what a refused start means, which modules still stand between the learner and the exam.
import type { ApiError } from "../api.js";
import type { MessageKey } from "../messages.js";
import type { Answers, AttemptSummary, PaperQuestion, TrackDetail } from "./types.js";

/**
 * The assessment API has no endpoint that saves answers before the submission, so they are kept
 * in the browser's storage under the attempt's id until it is submitted.
 */
export interface SavedExam {
  answers: Answers;
  /** Server clock minus browser clock, measured when the attempt started (0: unknown). */
  offsetMs: number;
}

export const storageKey = (attemptId: string): string => `academy-ui:exam:${attemptId}`;

/** What was saved for an attempt, kept only where it still fits the paper; null when nothing. */
export function loadSaved(
  storage: Pick<Storage, "getItem"> | null,
  attemptId: string,
  questions: PaperQuestion[],
): SavedExam | null {
  let raw: string | null = null;
  try {
    raw = storage?.getItem(storageKey(attemptId)) ?? null;
  } catch {
    return null;
  }
  if (!raw) return null;
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof data !== "object" || data === null) return null;
  const record = data as { answers?: unknown; offsetMs?: unknown };
  const offsetMs = typeof record.offsetMs === "number" && Number.isFinite(record.offsetMs) ? record.offsetMs : 0;
  const stored = typeof record.answers === "object" && record.answers !== null ? (record.answers as Record<string, unknown>) : {};
  const answers: Answers = {};
  for (const question of questions) {
    const chosen = stored[question.id];
    if (!Array.isArray(chosen)) continue;
    const known = new Set(question.options.map((o) => o.id));
    const kept = chosen.filter((id): id is string => typeof id === "string" && known.has(id));
    const allowed = question.kind === "single" ? kept.slice(0, 1) : [...new Set(kept)];
    if (allowed.length) answers[question.id] = allowed;
  }
  return { answers, offsetMs };
}

/** Keep an attempt's answers; answers false when the browser refused (full or disabled storage). */
export function save(storage: Pick<Storage, "setItem"> | null, attemptId: string, saved: SavedExam): boolean {
  if (!storage) return false;
  try {
    storage.setItem(storageKey(attemptId), JSON.stringify(saved));
    return true;
  } catch {
    return false;
  }
}

/** Forget a submitted attempt's answers. */
export function forget(storage: Pick<Storage, "removeItem"> | null, attemptId: string): void {
  try {
    storage?.removeItem(storageKey(attemptId));
  } catch {
    // Nothing to forget when storage is unavailable.
  }
}

/** The answers after choosing (or unchoosing) an option: one for single, any for multiple. */
export function choose(answers: Answers, question: PaperQuestion, optionId: string, checked: boolean): Answers {
  const current = answers[question.id] ?? [];
  let next: string[];
  if (question.kind === "single") next = checked ? [optionId] : current.filter((id) => id !== optionId);
  else if (checked) next = current.includes(optionId) ? current : [...current, optionId];
  else next = current.filter((id) => id !== optionId);
  const out = { ...answers };
  if (next.length) out[question.id] = next;
  else delete out[question.id];
  return out;
}

/** How many questions have at least one option chosen. */
export function answeredCount(answers: Answers, questions: PaperQuestion[]): number {
  return questions.filter((q) => (answers[q.id] ?? []).length > 0).length;
}

/**
 * Attempts still allowed in the current certification cycle, counted from the attempts list:
 * a cycle starts at the last pass. (A support reset also starts one; the list does not show
 * resets, so after one this count is low until the next pass.)
 */
export function attemptsLeft(attempts: AttemptSummary[], limit: number): number {
  const passes = attempts
    .filter((a) => a.result === "pass" && a.submitted_at)
    .map((a) => Date.parse(a.submitted_at ?? ""));
  const cycleStart = passes.length ? Math.max(...passes) : Number.NEGATIVE_INFINITY;
  const inCycle = attempts.filter((a) => Date.parse(a.started_at) >= cycleStart).length;
  return Math.max(0, limit - inCycle);
}

export interface MissingModule {
  module_id: string;
  title: string;
}

/** The required modules the track shows as not completed (null policy: every module). */
export function missingModules(track: Pick<TrackDetail, "exam" | "modules">): MissingModule[] {
  const required = track.exam.required_modules;
  return track.modules
    .filter((m) => (required === null || required.includes(m.id)) && !m.completed)
    .map((m) => ({ module_id: m.id, title: m.title }));
}

/** A refused start, in the words the exam screen shows, with the time or modules it names. */
export interface Refusal {
  key: MessageKey;
  /** When the learner may try again (ISO), for waits. */
  retryAt?: string;
  modules?: MissingModule[];
}

/** What the API's refusal of a start means for the learner; null for other errors. */
export function startRefusal(error: ApiError): Refusal | null {
  const retryAt = typeof error.body.retry_at === "string" ? error.body.retry_at : undefined;
  switch (error.code) {
    case "attempt_cooldown":
      return retryAt ? { key: "exam.refused.cooldown", retryAt } : { key: "exam.refused.cooldownUnknown" };
    case "recertification_not_open":
      return retryAt ? { key: "exam.refused.recertification", retryAt } : null;
    case "attempt_limit_reached":
      return { key: "exam.refused.limit" };
    case "training_incomplete": {
      const listed = Array.isArray(error.body.missing_modules) ? (error.body.missing_modules as unknown[]) : [];
      const modules = listed.filter(
        (m): m is MissingModule =>
          typeof m === "object" && m !== null && typeof (m as MissingModule).title === "string",
      );
      return { key: "exam.refused.training", modules };
    }
    default:
      return null;
  }
}

/** A fresh Idempotency-Key (hex, 32 characters) even where `crypto.randomUUID` is missing. */
export function newIdempotencyKey(random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  return Array.from(random(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}
