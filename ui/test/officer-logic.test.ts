// The officer screens' pure logic: who could meet a requirement, standing, days left, grouping.
import { describe, expect, it } from "vitest";
import { en, msg } from "../src/messages.js";
import {
  byTrack,
  candidatesFor,
  daysLeft,
  daysLeftKey,
  jurisdictionsIn,
  releaseStateKey,
  standing,
} from "../src/officer/logic.js";
import type { JurisdictionRelease, StaffTrackRow } from "../src/officer/types.js";

const row = (over: Partial<StaffTrackRow> = {}): StaffTrackRow => ({
  staff_id: "grace",
  name: "Grace Hopper",
  jurisdiction: "MGA",
  role: "compliance_officer",
  track_key: "MGA.compliance_officer",
  track_version: "2026.11.1",
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

describe("candidatesFor", () => {
  it("offers the staff of the needed role and jurisdiction without a certificate that counts", () => {
    const rows = [
      row({ staff_id: "grace" }),
      row({ staff_id: "ada", name: "Ada", certificate_status: "valid", certificate_id: "c1" }),
      row({ staff_id: "soon", name: "Soon", certificate_status: "not_yet_valid", certificate_id: "c2" }),
      row({ staff_id: "gcb", jurisdiction: "GCB", track_key: "GCB.compliance_officer" }),
      row({ staff_id: "mlro", role: "mlro", track_key: "MGA.mlro" }),
      row({ staff_id: "lapsed", name: "Lapsed", certificate_status: "expired", certificate_id: "c3" }),
      row({ staff_id: "revoked", name: "Revoked", certificate_status: "revoked", certificate_id: "c4" }),
    ];
    expect(candidatesFor(rows, "MGA", "compliance_officer").map((r) => r.staff_id)).toEqual([
      "grace",
      "lapsed",
      "revoked",
    ]);
  });

  it("puts whoever is closest to passing first: trained, then the most lessons, then by name", () => {
    const rows = [
      row({ staff_id: "b", name: "Bea", lessons_completed: 1, percent: 20 }),
      row({ staff_id: "a", name: "Al", lessons_completed: 1, percent: 20 }),
      row({ staff_id: "t", name: "Tess", lessons_completed: 5, percent: 100 }),
      row({ staff_id: "m", name: "Mo", lessons_completed: 4, percent: 80 }),
    ];
    expect(candidatesFor(rows, "MGA", "compliance_officer").map((r) => r.name)).toEqual([
      "Tess",
      "Mo",
      "Al",
      "Bea",
    ]);
  });

  it("finds nobody when nobody has the role there", () => {
    expect(candidatesFor([row()], "MGA", "mlro")).toEqual([]);
  });
});

describe("standing", () => {
  const say = (r: StaffTrackRow) => {
    const found = standing(r);
    return msg(en, "officer.candidate", {
      name: r.name,
      standing: msg(en, found.key, { ...found.values, date: found.date ?? "" }),
    });
  };

  it("says where a candidate stands in words", () => {
    expect(say(row())).toBe("Grace Hopper: 3 of 5 lessons, exam not yet passed");
    expect(say(row({ lessons_completed: 0, percent: 0 }))).toBe(
      "Grace Hopper: not started (5 lessons), exam not yet passed",
    );
    expect(say(row({ lessons_completed: 5, percent: 100 }))).toBe(
      "Grace Hopper: all 5 lessons done, exam not yet passed",
    );
  });

  it("puts the certificate before the lessons", () => {
    const certified = row({ certificate_status: "valid", expires_at: "2027-01-31T00:00:00Z" });
    expect(standing(certified)).toMatchObject({ key: "officer.standing.certified", date: "2027-01-31T00:00:00Z" });
    expect(standing({ ...certified, expiring_soon: true }).key).toBe("officer.standing.certifiedExpiring");
    expect(standing(row({ certificate_status: "expired", expires_at: "2026-01-01T00:00:00Z" })).key).toBe(
      "officer.standing.expired",
    );
    expect(standing(row({ certificate_status: "revoked" })).key).toBe("officer.standing.revoked");
  });
});

describe("daysLeft", () => {
  const now = new Date("2026-12-02T14:05:00Z");

  it("counts whole UTC days to the expiry date", () => {
    expect(daysLeft("2026-12-12T09:00:00Z", now)).toBe(10);
    expect(daysLeft("2026-12-03T00:00:00Z", now)).toBe(1);
    expect(daysLeft("2026-12-02T23:59:59Z", now)).toBe(0);
    expect(daysLeft("2027-01-31T00:00:00Z", now)).toBe(60);
    expect(daysLeft("2026-12-01T23:00:00Z", now)).toBe(-1);
  });

  it("says today, one day, several days and expired", () => {
    expect([-1, 0, 1, 12].map((d) => msg(en, daysLeftKey(d), { days: d }))).toEqual([
      "Expired",
      "Expires today",
      "1 day left",
      "12 days left",
    ]);
  });
});

describe("grouping and the filter", () => {
  const rows = [
    row({ staff_id: "a", jurisdiction: "MGA", track_key: "MGA.compliance_officer" }),
    row({ staff_id: "b", jurisdiction: "GCB", track_key: "GCB.compliance_officer" }),
    row({ staff_id: "c", jurisdiction: "MGA", role: "mlro", track_key: "MGA.mlro" }),
    row({ staff_id: "d", jurisdiction: "MGA", track_key: "MGA.compliance_officer" }),
  ];

  it("offers each jurisdiction once, sorted", () => {
    expect(jurisdictionsIn(rows)).toEqual(["GCB", "MGA"]);
    expect(jurisdictionsIn([])).toEqual([]);
  });

  it("groups per track, and only the chosen jurisdiction's tracks", () => {
    expect(byTrack(rows).map((g) => [g.trackKey, g.rows.map((r) => r.staff_id)])).toEqual([
      ["GCB.compliance_officer", ["b"]],
      ["MGA.compliance_officer", ["a", "d"]],
      ["MGA.mlro", ["c"]],
    ]);
    expect(byTrack(rows, "GCB").map((g) => g.trackKey)).toEqual(["GCB.compliance_officer"]);
  });
});

describe("releaseStateKey", () => {
  const item = (over: Partial<JurisdictionRelease>): JurisdictionRelease => ({
    jurisdiction: "MGA",
    released: false,
    policy_met: false,
    release: null,
    revocation: null,
    ...over,
  });
  const delivery = { webhook_id: "w", state: "delivered" as const, attempts: 1, next_attempt_at: null, acknowledged_at: null };

  it("tells released, revoked and never released apart", () => {
    expect(releaseStateKey(item({ released: true }))).toBe("officer.releases.released");
    const revocation = { revocation_id: "r", decided_at: "", cause: null, tooling: [], delivery };
    expect(releaseStateKey(item({ revocation }))).toBe("officer.releases.revoked");
    expect(releaseStateKey(item({}))).toBe("officer.releases.notReleased");
  });
});
