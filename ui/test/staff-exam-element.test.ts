// <academy-exam> in happy-dom against a fake API (fetch stubbed): resume with the answers kept
// in the browser, a refused start in words with its time, and the time-up alert.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AcademyExam } from "../src/staff/exam.js";
import "../src/staff/exam.js";
import { save } from "../src/staff/exam-logic.js";
import type { AttemptDetail, AttemptSummary, TrackDetail } from "../src/staff/types.js";

const KEY = "TLAND.compliance_officer";

const track: TrackDetail = {
  track_key: KEY,
  jurisdiction: "TLAND",
  role: "compliance_officer",
  title: "Testland: compliance officer",
  version: "v1",
  progress: { lessons_completed: 2, lessons_total: 2, modules_completed: 1, modules_total: 1, percent: 100, complete: true },
  certificate: null,
  exam: {
    question_count: 1,
    pass_mark: 80,
    time_limit_minutes: 30,
    attempt_limit: 3,
    cooldown_hours: 24,
    feedback: "score",
    required_modules: null,
  },
  modules: [],
};

const summary = (over: Partial<AttemptSummary> = {}): AttemptSummary => ({
  attempt_id: "att-1",
  track_key: KEY,
  track_version: "v1",
  attempt_number: 1,
  status: "open",
  started_at: new Date(Date.now() - 60_000).toISOString(),
  deadline: new Date(Date.now() + 29 * 60_000).toISOString(),
  time_limit_minutes: 30,
  submitted_at: null,
  result: null,
  ...over,
});

const open = (over: Partial<AttemptSummary> = {}): AttemptDetail => ({
  ...summary(over),
  paper: {
    questions: [
      {
        id: "q-1",
        module_id: "core-aml",
        kind: "single",
        text: "Which stage hides the origin of funds?",
        options: [
          { id: "q-1-a", text: "Placement" },
          { id: "q-1-b", text: "Layering" },
        ],
      },
    ],
  },
  outcome: null,
});

type Answer = { status: number; body: unknown };

/** A fake assessment API: answers by "METHOD path". */
function fakeApi(routes: Record<string, Answer>) {
  const calls: string[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init: RequestInit) => {
      const path = new URL(url, "http://portal.test").pathname + new URL(url, "http://portal.test").search;
      const call = `${init.method ?? "GET"} ${path}`;
      calls.push(call);
      const answer = routes[call] ?? { status: 404, body: { error: "not_found", detail: call } };
      return new Response(JSON.stringify(answer.body), {
        status: answer.status,
        headers: { "Content-Type": "application/json" },
      });
    }),
  );
  return calls;
}

async function mount(): Promise<AcademyExam> {
  const element = document.createElement("academy-exam");
  element.trackKey = KEY;
  document.body.append(element);
  element.tokenProvider = async () => "t0k";
  return element;
}

const shadow = (element: AcademyExam) => element.shadowRoot!;

afterEach(() => {
  document.body.replaceChildren();
  localStorage.clear();
  vi.unstubAllGlobals();
});

describe("<academy-exam>", () => {
  it("resumes the open attempt with the answers this browser kept and the countdown", async () => {
    const attempt = open();
    fakeApi({
      [`GET /v1/me/tracks/${KEY}`]: { status: 200, body: track },
      [`GET /v1/me/attempts?track_key=${KEY}`]: { status: 200, body: { attempts: [summary()] } },
      ["GET /v1/me/attempts/att-1"]: { status: 200, body: attempt },
    });
    save(localStorage, "att-1", { answers: { "q-1": ["q-1-b"] }, offsetMs: 0 });
    const element = await mount();
    await vi.waitFor(() => expect(shadow(element).querySelector("fieldset")).not.toBeNull());
    const radios = [...shadow(element).querySelectorAll<HTMLInputElement>("input[type=radio]")];
    expect(radios.map((r) => r.checked)).toEqual([false, true]);
    expect(shadow(element).querySelector("legend")?.textContent).toContain("Question 1 of 1");
    expect(shadow(element).querySelector("[role=timer]")?.textContent?.trim()).toMatch(/^(29:00|28:5\d)$/);
  });

  it("says a refused start in words with the time the learner may try again", async () => {
    const calls = fakeApi({
      [`GET /v1/me/tracks/${KEY}`]: { status: 200, body: track },
      [`GET /v1/me/attempts?track_key=${KEY}`]: { status: 200, body: { attempts: [] } },
      [`POST /v1/me/tracks/${KEY}/attempts`]: {
        status: 429,
        body: { error: "attempt_cooldown", detail: "Wait.", retry_at: "2031-11-25T09:00:00Z" },
      },
    });
    const element = await mount();
    await vi.waitFor(() => expect(shadow(element).querySelector("button.primary")).not.toBeNull());
    shadow(element).querySelector<HTMLButtonElement>("button.primary")!.click();
    await vi.waitFor(() => expect(shadow(element).querySelector("[role=alert]")).not.toBeNull());
    expect(shadow(element).querySelector("[role=alert]")?.textContent).toContain(
      "your last attempt did not pass. You may try again after November 25, 2031 at 09:00 UTC.",
    );
    expect(calls).toContain(`POST /v1/me/tracks/${KEY}/attempts`);
  });

  it("tells the learner when time is up", async () => {
    const late = open({
      started_at: new Date(Date.now() - 30 * 60_000 - 5_000).toISOString(),
      deadline: new Date(Date.now() - 5_000).toISOString(),
    });
    fakeApi({
      [`GET /v1/me/tracks/${KEY}`]: { status: 200, body: track },
      [`GET /v1/me/attempts?track_key=${KEY}`]: { status: 200, body: { attempts: [summary()] } },
      ["GET /v1/me/attempts/att-1"]: { status: 200, body: late },
    });
    const element = await mount();
    await vi.waitFor(() => expect(shadow(element).querySelector("[role=alert]")).not.toBeNull());
    expect(shadow(element).querySelector("[role=alert]")?.textContent).toContain("Time is up.");
    expect(shadow(element).querySelector("[role=timer]")?.textContent?.trim()).toBe("00:00");
  });
});
