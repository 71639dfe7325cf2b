// The officer screens in happy-dom against a faked fetch: which endpoints they call, what they
// say (who could meet a requirement, release status), their empty states and errors in words.
import { afterEach, describe, expect, it, vi } from "vitest";
import { en } from "../src/messages.js";
import "../src/officer/index.js";
import type { AcademyExpiringCertificates } from "../src/officer/expiring-certificates.js";
import type { OperatorElement } from "../src/officer/operator-element.js";
import type { OperatorReleases, Readiness, StaffTrackRow } from "../src/officer/types.js";

type Answers = Record<string, { status?: number; body: unknown }>;

/** A fetch that answers by path (query included) and records the URLs asked for. */
function fakeFetch(answers: Answers) {
  const asked: string[] = [];
  const fetch = vi.fn(async (url: string) => {
    asked.push(url);
    const path = url.replace(/^https?:\/\/[^/]+/, "");
    const answer = answers[path] ?? { status: 404, body: { error: "not_found", detail: path } };
    return new Response(JSON.stringify(answer.body), { status: answer.status ?? 200 });
  });
  vi.stubGlobal("fetch", fetch);
  return asked;
}

async function mount<T extends OperatorElement>(tag: string, attributes: Record<string, string> = {}) {
  const element = document.createElement(tag) as T;
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  document.body.append(element);
  element.tokenProvider = async () => "t0k";
  return element;
}

const text = (element: HTMLElement) => (element.shadowRoot?.textContent ?? "").replace(/\s+/g, " ");

const staffRow = (over: Partial<StaffTrackRow>): StaffTrackRow => ({
  staff_id: "grace",
  name: "Grace Hopper",
  jurisdiction: "MGA",
  role: "compliance_officer",
  track_key: "MGA.compliance_officer",
  track_version: "1",
  lessons_completed: 3,
  lessons_total: 5,
  modules_completed: 1,
  modules_total: 2,
  percent: 60,
  certificate_id: null,
  certificate_status: null,
  expires_at: null,
  expiring_soon: false,
  ...over,
});

const readiness: Readiness = {
  operator_id: "op-1",
  checked_at: "2026-12-02T10:00:00Z",
  jurisdictions: [
    {
      jurisdiction: "MGA",
      name: "Malta",
      regulator: "Malta Gaming Authority",
      met: false,
      policy_published: true,
      tooling: ["mga-licensing-suite"],
      requirements: [
        { role: "compliance_officer", needed: 2, have: 1, missing: 1, met: false, holders: [
          { certificate_id: "c1", staff_id: "ada", staff_name: "Ada Lovelace", expires_at: "2027-06-01T00:00:00Z" },
        ] },
      ],
      missing: ["1 more compliance_officer with a valid MGA certificate"],
    },
  ],
};

afterEach(() => {
  document.body.replaceChildren();
  vi.unstubAllGlobals();
});

describe("<academy-readiness>", () => {
  it("says which requirement blocks the release and who on the team could meet it", async () => {
    const asked = fakeFetch({
      "/v1/me": { body: { operator_id: "op-1" } },
      "/v1/operators/op-1/readiness": { body: readiness },
      "/v1/operators/op-1/staff": {
        body: {
          operator_id: "op-1",
          rows: [
            staffRow({}),
            staffRow({ staff_id: "ada", name: "Ada Lovelace", certificate_status: "valid", certificate_id: "c1" }),
          ],
        },
      },
    });
    const element = await mount("academy-readiness");
    await vi.waitFor(() => expect(text(element)).toContain("Who could meet it"));
    expect(text(element)).toContain("Malta (MGA)");
    expect(text(element)).toContain("Regulator: Malta Gaming Authority");
    expect(text(element)).toContain(
      "Blocks the release: 1 more compliance officer with a valid MGA certificate (1 of 2 certified)",
    );
    expect(text(element)).toContain("Grace Hopper: 3 of 5 lessons, exam not yet passed");
    expect(text(element)).not.toContain("Ada Lovelace: ");
    expect(text(element)).toContain("Ada Lovelace, valid until");
    expect(asked).toContain("/v1/me");
  });

  it("uses the operator-id attribute without asking whose operator it is, and shows no jurisdiction as empty", async () => {
    const asked = fakeFetch({
      "/v1/operators/op-2/readiness": { body: { ...readiness, operator_id: "op-2", jurisdictions: [] } },
      "/v1/operators/op-2/staff": { body: { operator_id: "op-2", rows: [] } },
    });
    const element = await mount("academy-readiness", { "operator-id": "op-2", "api-base": "http://a.test" });
    await vi.waitFor(() => expect(text(element)).toContain(en["officer.readiness.empty"]));
    expect(asked).toEqual(["http://a.test/v1/operators/op-2/readiness", "http://a.test/v1/operators/op-2/staff"]);
  });

  it("shows a refusal in words with Try again", async () => {
    fakeFetch({ "/v1/me": { status: 403, body: { error: "forbidden", detail: "requires one of the roles" } } });
    const element = await mount("academy-readiness");
    await vi.waitFor(() => expect(text(element)).toContain(en["error.forbidden"]));
    expect(element.shadowRoot?.querySelector("[role=alert] button")?.textContent).toBe(en["error.retry"]);
  });
});

describe("<academy-team-progress>", () => {
  it("filters the tracks by the chosen jurisdiction", async () => {
    fakeFetch({
      "/v1/operators/op-1/staff": {
        body: {
          operator_id: "op-1",
          rows: [
            staffRow({}),
            staffRow({ staff_id: "lin", name: "Lin", jurisdiction: "GCB", track_key: "GCB.compliance_officer" }),
          ],
        },
      },
    });
    const element = await mount("academy-team-progress", { "operator-id": "op-1" });
    await vi.waitFor(() => expect(element.shadowRoot?.querySelectorAll("caption")).toHaveLength(2));
    const select = element.shadowRoot?.querySelector("select") as HTMLSelectElement;
    expect(element.shadowRoot?.querySelector(`label[for="${select.id}"]`)?.textContent).toBe("Jurisdiction");
    expect([...select.options].map((o) => o.value)).toEqual(["", "GCB", "MGA"]);
    select.value = "GCB";
    select.dispatchEvent(new Event("change"));
    await vi.waitFor(() => expect(element.shadowRoot?.querySelectorAll("caption")).toHaveLength(1));
    expect(text(element)).toContain("GCB compliance officer");
    expect(text(element)).not.toContain("Grace Hopper");
  });

  it("has an empty state", async () => {
    fakeFetch({ "/v1/operators/op-1/staff": { body: { operator_id: "op-1", rows: [] } } });
    const element = await mount("academy-team-progress", { "operator-id": "op-1" });
    await vi.waitFor(() => expect(text(element)).toContain(en["officer.team.empty"]));
    expect(element.shadowRoot?.querySelector("select")).toBeNull();
  });
});

describe("<academy-expiring-certificates>", () => {
  it("asks for the days given and says when none expire", async () => {
    const asked = fakeFetch({
      "/v1/operators/op-1/certificates/expiring?within_days=30": {
        body: { operator_id: "op-1", certificates: [] },
      },
    });
    const element = await mount<AcademyExpiringCertificates>("academy-expiring-certificates", {
      "operator-id": "op-1",
      days: "30",
    });
    await vi.waitFor(() => expect(text(element)).toContain("No certificate expires in the next 30 days."));
    expect(asked).toEqual(["/v1/operators/op-1/certificates/expiring?within_days=30"]);
  });

  it("lists holder, track, expiry and days left", async () => {
    const now = new Date();
    const expires = new Date(now.getTime() + 12 * 86_400_000).toISOString();
    fakeFetch({
      "/v1/operators/op-1/certificates/expiring?within_days=60": {
        body: {
          operator_id: "op-1",
          certificates: [
            { certificate_id: "c", staff_id: "ada", staff_name: "Ada Lovelace", jurisdiction: "MGA",
              role: "compliance_officer", track_version: "1", status: "valid", passed_at: now.toISOString(),
              expires_at: expires },
          ],
        },
      },
    });
    const element = await mount("academy-expiring-certificates", { "operator-id": "op-1" });
    await vi.waitFor(() => expect(text(element)).toContain("12 days left"));
    expect(text(element)).toContain("Ada Lovelace");
    expect(text(element)).toContain("MGA compliance officer");
  });
});

describe("<academy-release-status>", () => {
  const releases: OperatorReleases = {
    operator_id: "op-1",
    checked_at: "2026-12-02T10:00:00Z",
    jurisdictions: [
      {
        jurisdiction: "IOM",
        released: true,
        policy_met: false,
        release: {
          release_id: "r1",
          decided_at: "2026-12-01T09:00:00Z",
          how: "manual_override",
          override: { actor: "sam.support", reason: "regulator call" },
          tooling: ["iom-suite"],
          delivery: { webhook_id: "r1", state: "held", attempts: 2, next_attempt_at: null, acknowledged_at: null },
        },
        revocation: null,
      },
    ],
  };

  it("reads the release bridge and says how the tooling was released and where its delivery is", async () => {
    const asked = fakeFetch({
      "/v1/me": { body: { operator_id: "op-1" } },
      "/v1/operators/op-1/releases": { body: releases },
    });
    const element = await mount("academy-release-status", {
      "api-base": "http://assessment.test",
      "release-api-base": "http://bridge.test",
    });
    await vi.waitFor(() => expect(text(element)).toContain("Manual override"));
    expect(asked).toEqual(["http://assessment.test/v1/me", "http://bridge.test/v1/operators/op-1/releases"]);
    expect(text(element)).toContain("By sam.support, reason: “regulator call”");
    expect(text(element)).toContain("Held: deliveries to the portal are paused by the circuit breaker");
    expect(text(element)).toContain("iom-suite");
  });

  it("says no tooling was released yet", async () => {
    fakeFetch({ "/v1/operators/op-1/releases": { body: { ...releases, jurisdictions: [] } } });
    const element = await mount("academy-release-status", { "operator-id": "op-1" });
    await vi.waitFor(() => expect(text(element)).toContain("No tooling released yet."));
  });
});

describe("<academy-operator-overview>", () => {
  it("asks whose operator it is once and hands it to the four screens", async () => {
    const asked = fakeFetch({ "/v1/me": { body: { operator_id: "op-9" } } });
    const element = await mount("academy-operator-overview");
    await vi.waitFor(() => expect(asked.filter((url) => url.startsWith("/v1/operators/op-9/"))).toHaveLength(5));
    const screens = [...(element.shadowRoot?.querySelectorAll(".screens > *") ?? [])] as OperatorElement[];
    expect(screens.map((s) => s.localName)).toEqual([
      "academy-readiness",
      "academy-release-status",
      "academy-expiring-certificates",
      "academy-team-progress",
    ]);
    expect(screens.every((s) => s.operatorId === "op-9")).toBe(true);
    expect(asked.filter((url) => url === "/v1/me")).toHaveLength(1);
  });
});
