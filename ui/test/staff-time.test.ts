// The exam's time logic: the countdown, its sparse announcements, the cooldown, the clock offset.
import { describe, expect, it } from "vitest";
import { announcementDue, clockOffset, cooldownEndsAt, formatCountdown, remainingMs } from "../src/staff/time.js";

const MINUTE = 60_000;

describe("formatCountdown", () => {
  it("shows minutes and seconds below an hour and hours from an hour up", () => {
    expect(formatCountdown(29 * MINUTE + 41_000)).toBe("29:41");
    expect(formatCountdown(5_000)).toBe("00:05");
    expect(formatCountdown(62 * MINUTE + 3_000)).toBe("1:02:03");
  });

  it("counts a part-second as a whole one and never goes below zero", () => {
    expect(formatCountdown(59_001)).toBe("01:00");
    expect(formatCountdown(1)).toBe("00:01");
    expect(formatCountdown(0)).toBe("00:00");
    expect(formatCountdown(-4_000)).toBe("00:00");
  });
});

describe("remainingMs", () => {
  const deadline = "2031-11-24T09:30:00Z";
  const started = Date.parse("2031-11-24T09:00:00Z");

  it("counts to the deadline by the server's clock, through the measured offset", () => {
    const browserAtStart = Date.parse("2026-01-01T00:00:00Z");
    const offset = clockOffset("2031-11-24T09:00:00Z", browserAtStart);
    expect(offset).toBe(started - browserAtStart);
    expect(remainingMs(deadline, browserAtStart + 90_000, offset, 30)).toBe(30 * MINUTE - 90_000);
  });

  it("never shows more than the time limit, even with a browser clock far behind", () => {
    expect(remainingMs(deadline, Date.parse("2020-01-01T00:00:00Z"), 0, 30)).toBe(30 * MINUTE);
  });

  it("stops at zero past the deadline and on a deadline that does not parse", () => {
    expect(remainingMs(deadline, started + 31 * MINUTE, 0, 30)).toBe(0);
    expect(remainingMs("not a time", started, 0, 30)).toBe(0);
  });
});

describe("announcementDue", () => {
  it("announces each threshold once, when the countdown crosses it", () => {
    expect(announcementDue(10 * MINUTE + 500, 10 * MINUTE - 500)).toBe(10);
    expect(announcementDue(10 * MINUTE - 500, 10 * MINUTE - 1500)).toBeNull();
    expect(announcementDue(5 * MINUTE + 1, 5 * MINUTE)).toBe(5);
    expect(announcementDue(MINUTE + 200, MINUTE - 800)).toBe(1);
    expect(announcementDue(300, 0)).toBe(0);
    expect(announcementDue(0, 0)).toBeNull();
  });

  it("says only the nearest threshold when several pass at once (a sleeping laptop)", () => {
    expect(announcementDue(20 * MINUTE, 30_000)).toBe(1);
    expect(announcementDue(20 * MINUTE, 0)).toBe(0);
  });

  it("says nothing in between thresholds, every other second", () => {
    expect(announcementDue(25 * MINUTE, 25 * MINUTE - 1000)).toBeNull();
  });
});

describe("cooldownEndsAt", () => {
  it("adds the policy's hours (fractions too) to the end of the failed attempt", () => {
    expect(cooldownEndsAt("2031-11-24T09:00:00Z", 24)).toBe("2031-11-25T09:00:00.000Z");
    expect(cooldownEndsAt("2031-11-24T09:00:00Z", 1.5)).toBe("2031-11-24T10:30:00.000Z");
  });
});
