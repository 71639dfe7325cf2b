// The kit's shared logic: error words, the catalogue, a track's status, the loader's states.
import { describe, expect, it, vi } from "vitest";
import { Api, ApiError, errorFor } from "../src/api.js";
import { catalogueFor, en, msg } from "../src/messages.js";
import { trackStatus } from "../src/my-tracks.js";
import type { TrackSummary } from "../src/api.js";

const track = (over: Partial<TrackSummary> = {}): TrackSummary => ({
  track_key: "MGA.compliance_officer",
  jurisdiction: "MGA",
  role: "compliance_officer",
  title: "MGA: compliance officer",
  version: "v".repeat(64),
  progress: {
    lessons_completed: 0,
    lessons_total: 4,
    modules_completed: 0,
    modules_total: 2,
    percent: 0,
    complete: false,
  },
  certificate: null,
  ...over,
});

describe("errorFor", () => {
  it("says a 409 in words with the API's detail and keeps the body", () => {
    const error = errorFor(409, { error: "cooldown", detail: "Wait until 14:00.", retry_at: "x" }, en);
    expect(error.message).toBe(`${en["error.conflict"]} Wait until 14:00.`);
    expect(error.code).toBe("cooldown");
    expect(error.body.retry_at).toBe("x");
  });

  it("lists each refused field and says a whole-body problem without a field", () => {
    const error = errorFor(422, { problems: [{ field: "reason", problem: "is empty" }, { field: "", problem: "expected an object" }] }, en);
    expect(error.lines).toEqual(["reason: is empty", "expected an object"]);
  });

  it("never shows a server error's detail to people", () => {
    expect(errorFor(500, { detail: "Traceback…" }, en).message).toBe(en["error.server"]);
    expect(errorFor(401, { detail: "kid unknown" }, en).message).toBe(en["error.unauthorized"]);
  });
});

describe("Api", () => {
  it("refuses to call without a token, in words", async () => {
    const api = new Api("", async () => null, en);
    await expect(api.get("/v1/me")).rejects.toMatchObject({ code: "no_token" });
  });

  it("sends the bearer token and a JSON body, and reads a 422 as an ApiError", async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify({ problems: [] }), { status: 422 }));
    vi.stubGlobal("fetch", fetch);
    const api = new Api("http://academy.test/", async () => "t0k", en);
    await expect(api.post("/v1/x", { reason: "r" })).rejects.toBeInstanceOf(ApiError);
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("http://academy.test/v1/x");
    expect((init.headers as Record<string, string>).Authorization).toBe("Bearer t0k");
    expect(init.body).toBe('{"reason":"r"}');
    vi.unstubAllGlobals();
  });

  it("reads a network failure as one, in words", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("failed"))));
    await expect(new Api("", async () => "t", en).get("/v1/me")).rejects.toMatchObject({
      code: "network",
      message: en["error.network"],
    });
    vi.unstubAllGlobals();
  });
});

describe("catalogue", () => {
  it("falls back from a regional tag and an unknown language to English", () => {
    expect(catalogueFor("en-GB")).toBe(en);
    expect(catalogueFor("xx")).toBe(en);
  });

  it("fills placeholders and leaves unknown ones visible", () => {
    expect(msg(en, "error.unknown", { status: 418 })).toBe("Something went wrong (HTTP 418).");
    expect(msg(en, "error.unknown")).toContain("{status}");
  });
});

describe("trackStatus", () => {
  it("puts the certificate before the training", () => {
    const certified = track({
      certificate: { certificate_id: "c", status: "valid", expires_at: "2028-01-01T00:00:00Z", recert_window_opens_at: "" },
    });
    expect(trackStatus(certified)).toEqual({ key: "status.certified", date: "2028-01-01T00:00:00Z" });
  });

  it("tells not started, in progress and complete apart", () => {
    expect(trackStatus(track()).key).toBe("status.not_started");
    const started = track();
    started.progress = { ...started.progress, lessons_completed: 1 };
    expect(trackStatus(started).key).toBe("status.in_progress");
    started.progress = { ...started.progress, complete: true };
    expect(trackStatus(started).key).toBe("status.training_complete");
  });
});

describe("AcademyElement dates", () => {
  it("formats a moment with its time zone (Intl refuses dateStyle with timeZoneName)", async () => {
    const { AcademyMyTracks } = await import("../src/my-tracks.js");
    const element = new AcademyMyTracks();
    expect(element.formatDateTime("2026-12-02T14:05:00Z")).toMatch(/^December 2, 2026 at 14:05 UTC$/);
    expect(element.formatDate("2026-12-02T23:59:00Z")).toBe("December 2, 2026");
    document.documentElement.lang = "en-GB";
    expect(element.formatDateTime("2026-12-02T14:05:00Z")).toMatch(/^2 December 2026 at 14:05 UTC$/);
    document.documentElement.lang = "";
    expect(element.formatDateTime(null)).toBe("");
  });
});
