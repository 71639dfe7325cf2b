// The exam's and the track's rules: answers kept per attempt, attempts left, refusals in words.
import { describe, expect, it } from "vitest";
import { ApiError, errorFor } from "../src/api.js";
import {
  answeredCount,
  attemptsLeft,
  choose,
  forget,
  loadSaved,
  missingModules,
  newIdempotencyKey,
  save,
  startRefusal,
  storageKey,
} from "../src/staff/exam-logic.js";
import type { AttemptSummary, ExamPolicy, ModuleDetail, PaperQuestion } from "../src/staff/types.js";
import { en } from "../src/messages.js";

const single: PaperQuestion = {
  id: "q-1",
  module_id: "core-aml",
  kind: "single",
  text: "Which stage?",
  options: [
    { id: "q-1-a", text: "A" },
    { id: "q-1-b", text: "B" },
  ],
};
const multiple: PaperQuestion = { ...single, id: "q-2", kind: "multiple", options: single.options.map((o) => ({ ...o, id: o.id.replace("q-1", "q-2") })) };

/** A Storage-like map (the unit tests' fake; the browser test uses the real localStorage). */
class MemoryStorage {
  readonly items = new Map<string, string>();
  failWrites = false;
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    if (this.failWrites) throw new DOMException("full", "QuotaExceededError");
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

const attempt = (over: Partial<AttemptSummary>): AttemptSummary => ({
  attempt_id: "a",
  track_key: "MGA.compliance_officer",
  track_version: "v1",
  attempt_number: 1,
  status: "submitted",
  started_at: "2031-11-24T09:00:00Z",
  deadline: "2031-11-24T09:30:00Z",
  time_limit_minutes: 30,
  submitted_at: "2031-11-24T09:10:00Z",
  result: "fail",
  ...over,
});

describe("answers kept in the browser", () => {
  it("saves and restores an attempt's answers and clock offset under its id", () => {
    const storage = new MemoryStorage();
    expect(save(storage, "att-1", { answers: { "q-1": ["q-1-b"] }, offsetMs: 1234 })).toBe(true);
    expect([...storage.items.keys()]).toEqual([storageKey("att-1")]);
    expect(loadSaved(storage, "att-1", [single, multiple])).toEqual({ answers: { "q-1": ["q-1-b"] }, offsetMs: 1234 });
    expect(loadSaved(storage, "att-2", [single])).toBeNull();
    forget(storage, "att-1");
    expect(loadSaved(storage, "att-1", [single])).toBeNull();
  });

  it("keeps only what still fits the paper: known questions and options, one for single choice", () => {
    const storage = new MemoryStorage();
    storage.setItem(
      storageKey("att"),
      JSON.stringify({
        answers: { "q-1": ["q-1-a", "q-1-b"], "q-2": ["q-2-a", "x", "q-2-a", 7], "q-gone": ["q-gone-a"] },
        offsetMs: "soon",
      }),
    );
    expect(loadSaved(storage, "att", [single, multiple])).toEqual({
      answers: { "q-1": ["q-1-a"], "q-2": ["q-2-a"] },
      offsetMs: 0,
    });
  });

  it("reads damaged or missing storage as nothing saved, and says when it cannot save", () => {
    const storage = new MemoryStorage();
    storage.setItem(storageKey("att"), "{not json");
    expect(loadSaved(storage, "att", [single])).toBeNull();
    expect(loadSaved(null, "att", [single])).toBeNull();
    storage.failWrites = true;
    expect(save(storage, "att", { answers: {}, offsetMs: 0 })).toBe(false);
    expect(save(null, "att", { answers: {}, offsetMs: 0 })).toBe(false);
  });
});

describe("choose", () => {
  it("keeps one option for a single-choice question", () => {
    const once = choose({}, single, "q-1-a", true);
    expect(choose(once, single, "q-1-b", true)).toEqual({ "q-1": ["q-1-b"] });
  });

  it("adds and removes options of a multiple-choice question, dropping it when empty", () => {
    let answers = choose({}, multiple, "q-2-a", true);
    answers = choose(answers, multiple, "q-2-b", true);
    answers = choose(answers, multiple, "q-2-b", true);
    expect(answers).toEqual({ "q-2": ["q-2-a", "q-2-b"] });
    answers = choose(answers, multiple, "q-2-a", false);
    answers = choose(answers, multiple, "q-2-b", false);
    expect(answers).toEqual({});
  });

  it("counts answered questions", () => {
    expect(answeredCount({ "q-1": ["q-1-a"], "q-2": [] }, [single, multiple])).toBe(1);
  });
});

describe("attemptsLeft", () => {
  it("counts the attempts since the last pass against the limit", () => {
    const history = [
      attempt({ attempt_id: "3", started_at: "2033-04-01T09:00:00Z", submitted_at: "2033-04-01T09:10:00Z" }),
      attempt({ attempt_id: "2", result: "pass", started_at: "2031-12-01T09:00:00Z", submitted_at: "2031-12-01T09:10:00Z" }),
      attempt({ attempt_id: "1" }),
    ];
    expect(attemptsLeft(history, 3)).toBe(2);
  });

  it("counts an open or timed-out attempt and never goes below zero", () => {
    const history = [
      attempt({ attempt_id: "1" }),
      attempt({ attempt_id: "2", status: "timed_out", submitted_at: "2031-11-24T09:30:00Z" }),
      attempt({ attempt_id: "3", status: "open", submitted_at: null, result: null }),
    ];
    expect(attemptsLeft(history, 3)).toBe(0);
    expect(attemptsLeft(history, 2)).toBe(0);
    expect(attemptsLeft([], 3)).toBe(3);
  });
});

describe("missingModules", () => {
  const module = (id: string, completed: boolean): ModuleDetail => ({
    id,
    title: `Module ${id}`,
    version: "1",
    origin: "core",
    completed,
    lessons: [],
  });
  const policy = (required: string[] | null): ExamPolicy => ({
    question_count: 20,
    pass_mark: 80,
    time_limit_minutes: 30,
    attempt_limit: 3,
    cooldown_hours: 24,
    feedback: "score",
    required_modules: required,
  });

  it("names every incomplete module when the policy requires all (null)", () => {
    const modules = [module("a", true), module("b", false), module("c", false)];
    expect(missingModules({ exam: policy(null), modules }).map((m) => m.module_id)).toEqual(["b", "c"]);
  });

  it("names only the required ones otherwise", () => {
    const modules = [module("a", false), module("b", false)];
    expect(missingModules({ exam: policy(["b"]), modules })).toEqual([{ module_id: "b", title: "Module b" }]);
    expect(missingModules({ exam: policy([]), modules })).toEqual([]);
  });
});

describe("startRefusal", () => {
  it("reads a cooldown (429) with the time the learner may try again", () => {
    const error = errorFor(429, { error: "attempt_cooldown", detail: "…", retry_at: "2031-11-25T09:00:00Z" }, en);
    expect(startRefusal(error)).toEqual({ key: "exam.refused.cooldown", retryAt: "2031-11-25T09:00:00Z" });
  });

  it("reads missing training with the modules the API names", () => {
    const error = errorFor(
      409,
      { error: "training_incomplete", detail: "…", missing_modules: [{ module_id: "core-kyc", title: "Know your customer" }, "junk"] },
      en,
    );
    expect(startRefusal(error)).toEqual({
      key: "exam.refused.training",
      modules: [{ module_id: "core-kyc", title: "Know your customer" }],
    });
  });

  it("reads exhausted attempts and an unopened recertification window", () => {
    expect(startRefusal(errorFor(409, { error: "attempt_limit_reached", detail: "…" }, en))?.key).toBe(
      "exam.refused.limit",
    );
    const recert = errorFor(409, { error: "recertification_not_open", retry_at: "2033-03-25T09:00:00Z" }, en);
    expect(startRefusal(recert)).toEqual({ key: "exam.refused.recertification", retryAt: "2033-03-25T09:00:00Z" });
  });

  it("leaves any other error to the generic words", () => {
    expect(startRefusal(new ApiError("x", 0, "network"))).toBeNull();
    expect(startRefusal(errorFor(500, {}, en))).toBeNull();
  });

  it("has words for every refusal it names", () => {
    for (const key of ["exam.refused.cooldown", "exam.refused.cooldownUnknown", "exam.refused.limit", "exam.refused.training", "exam.refused.recertification"] as const) {
      expect(en[key].length).toBeGreaterThan(10);
    }
    expect(en["exam.refused.cooldown"]).toContain("{time}");
  });
});

describe("newIdempotencyKey", () => {
  it("is 32 hex characters, fits the API's pattern, and differs each time", () => {
    const key = newIdempotencyKey();
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(key).toMatch(/^[A-Za-z0-9._:-]{8,128}$/);
    expect(newIdempotencyKey()).not.toBe(key);
    expect(newIdempotencyKey((bytes) => bytes.fill(255))).toBe("f".repeat(32));
  });
});
