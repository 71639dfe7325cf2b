// <academy-learning>'s navigation: which view each screen's event leads to, and the kept view.
import { describe, expect, it } from "vitest";
import { type LearningView, nextView, restoredView } from "../src/staff/learning.js";

const home: LearningView = { kind: "home" };
const track: LearningView = { kind: "track", trackKey: "MGA.compliance_officer" };

describe("nextView", () => {
  it("walks my tracks → track → lesson or exam", () => {
    expect(nextView(home, "academy-track-selected", { trackKey: "MGA.compliance_officer" })).toEqual(track);
    expect(
      nextView(track, "academy-lesson-selected", { trackKey: "MGA.compliance_officer", moduleId: "core-aml", lessonId: "core-aml-l1" }),
    ).toEqual({ kind: "lesson", trackKey: "MGA.compliance_officer", moduleId: "core-aml", lessonId: "core-aml-l1" });
    expect(nextView(track, "academy-exam-requested", { trackKey: "MGA.compliance_officer" })).toEqual({
      kind: "exam",
      trackKey: "MGA.compliance_officer",
    });
  });

  it("goes back from a lesson or the exam to its track, and from a track to my tracks", () => {
    expect(nextView({ kind: "exam", trackKey: "MGA.compliance_officer" }, "back", {})).toEqual(track);
    expect(nextView({ kind: "lesson", trackKey: "MGA.compliance_officer", moduleId: "m", lessonId: "l" }, "back", {})).toEqual(track);
    expect(nextView(track, "back", {})).toEqual(home);
  });

  it("ignores events without a track and events it does not know", () => {
    expect(nextView(home, "academy-track-selected", {})).toBeNull();
    expect(nextView(track, "academy-lesson-completed", { trackKey: "MGA.compliance_officer" })).toBeNull();
  });
});

describe("restoredView", () => {
  it("reads back a kept view", () => {
    expect(restoredView(JSON.stringify({ kind: "exam", trackKey: "MGA.compliance_officer" }))).toEqual({
      kind: "exam",
      trackKey: "MGA.compliance_officer",
    });
    const lesson = { kind: "lesson", trackKey: "MGA.compliance_officer", moduleId: "m", lessonId: "l" };
    expect(restoredView(JSON.stringify(lesson))).toEqual(lesson);
  });

  it("starts from my tracks when nothing usable was kept", () => {
    expect(restoredView(null)).toEqual(home);
    expect(restoredView("{oops")).toEqual(home);
    expect(restoredView(JSON.stringify({ kind: "lesson", trackKey: "MGA.compliance_officer" }))).toEqual(home);
    expect(restoredView(JSON.stringify({ kind: "admin", trackKey: "x" }))).toEqual(home);
  });
});
