// The support screens' words for a delivery, an attempt and a breaker.
import { describe, expect, it } from "vitest";
import { en, msg } from "../src/messages.js";
import {
  type BreakerState,
  type DeliveryAttempt,
  type DeliveryDetail,
  type DeliverySummary,
  attemptAnswer,
  attemptOutcome,
  breakerLabel,
  breakerWhy,
  deliveryState,
  statusLabel,
} from "../src/support/model.js";

const delivery = (over: Partial<DeliverySummary> = {}): DeliverySummary => ({
  webhook_id: "rel-1",
  webhook_type: "tooling.released.v1",
  operator_id: "op-1",
  jurisdiction: "MGA",
  endpoint: "portal",
  status: "pending",
  attempts: 0,
  window_attempts: 0,
  next_attempt_at: "2026-12-01T10:00:00+00:00",
  decided_at: "2026-12-01T09:59:00+00:00",
  delivered_at: null,
  last_status_code: null,
  last_error: null,
  stop_cause: null,
  updated_at: "2026-12-01T09:59:00+00:00",
  ...over,
});

const attempt = (over: Partial<DeliveryAttempt> = {}): DeliveryAttempt => ({
  attempt: 1,
  replica: "r1",
  started_at: "2026-12-01T10:00:00+00:00",
  finished_at: "2026-12-01T10:00:01+00:00",
  status_code: 503,
  latency_ms: 12,
  verdict: "retryable",
  error_kind: null,
  error: "HTTP 503: busy",
  response_excerpt: "busy",
  next_step: "retry",
  ...over,
});

const breaker = (over: Partial<BreakerState> = {}): BreakerState => ({
  endpoint: "portal",
  status: "closed",
  changed_at: null,
  open_until: null,
  pinned: false,
  buckets: [],
  signature_rejections: 0,
  probe_successes: 0,
  updated_at: "2026-12-01T10:00:00+00:00",
  ...over,
});

describe("deliveryState", () => {
  it("tells a delivery never tried from one being retried, with when it goes next", () => {
    expect(deliveryState(delivery())).toEqual({
      key: "support.delivery.waiting",
      dates: { at: "2026-12-01T10:00:00+00:00" },
    });
    expect(deliveryState(delivery({ attempts: 2 }))).toMatchObject({
      key: "support.delivery.retrying",
      values: { count: 2 },
    });
  });

  it("counts the attempts of a detail by its ledger (the API replaces the count with the list)", () => {
    const detail: DeliveryDetail = { ...delivery(), body: "{}", attempts: [attempt(), attempt({ attempt: 2 })] };
    expect(deliveryState(detail)).toMatchObject({ key: "support.delivery.retrying", values: { count: 2 } });
  });

  it("says why a delivery is parked, with the portal's status code", () => {
    const parked = delivery({ status: "parked", stop_cause: "permanent_rejection", last_status_code: 400 });
    const said = deliveryState(parked);
    expect(msg(en, said.key, said.values)).toContain("(HTTP 400)");
    expect(deliveryState(delivery({ status: "parked", stop_cause: "endpoint_gone" })).key).toBe(
      "support.delivery.parked.endpoint_gone",
    );
    expect(deliveryState(delivery({ status: "parked", stop_cause: "mystery" }))).toEqual({
      key: "support.delivery.parked.other",
      values: { cause: "mystery" },
    });
  });

  it("dates a delivered one by its acknowledgement and says a held one waits for the signature", () => {
    const done = delivery({ status: "delivered", delivered_at: "2026-12-01T10:00:02+00:00" });
    expect(deliveryState(done)).toEqual({
      key: "support.delivery.delivered",
      dates: { at: "2026-12-01T10:00:02+00:00" },
    });
    const held = delivery({ status: "held", stop_cause: "signature_rejected" });
    expect(deliveryState(held).key).toBe("support.delivery.held");
  });

  it("reads a status it does not know as the status itself", () => {
    const odd = statusLabel("quarantined");
    expect(msg(en, odd.key, odd.values)).toBe("quarantined");
  });
});

describe("attempts", () => {
  it("says the portal's answer or why there was none", () => {
    expect(attemptAnswer(attempt())).toEqual({ key: "support.attempt.http", values: { code: 503 } });
    const timeout = attempt({ status_code: null, error_kind: "timeout" });
    expect(attemptAnswer(timeout).key).toBe("support.attempt.noResponse.timeout");
    expect(attemptAnswer(attempt({ status_code: null, finished_at: null })).key).toBe("support.attempt.waiting");
  });

  it("says what came of an attempt, an open one included", () => {
    expect(attemptOutcome(attempt()).key).toBe("support.attempt.retry");
    expect(attemptOutcome(attempt({ next_step: "delivered" })).key).toBe("support.attempt.delivered");
    expect(attemptOutcome(attempt({ next_step: null, finished_at: null })).key).toBe("support.attempt.open");
    expect(attemptOutcome(attempt({ next_step: "teleported" }))).toEqual({
      key: "support.attempt.other",
      values: { step: "teleported" },
    });
  });
});

describe("breakers", () => {
  it("names the three states", () => {
    expect(msg(en, breakerLabel("half_open").key)).toBe("Half-open");
    expect(msg(en, breakerLabel("open").key)).toBe("Open");
    const odd = breakerLabel("melted");
    expect(msg(en, odd.key, odd.values)).toBe("melted");
  });

  it("puts a breaker forced by hand before any counter", () => {
    const forced = breaker({ status: "open", pinned: true, signature_rejections: 4 });
    expect(breakerWhy(forced).key).toBe("support.breaker.why.forcedOpen");
    expect(breakerWhy(breaker({ pinned: true })).key).toBe("support.breaker.why.forcedClosed");
  });

  it("explains an open breaker by rejected signatures, else by failures in the window", () => {
    expect(breakerWhy(breaker({ status: "open", signature_rejections: 3 }))).toEqual({
      key: "support.breaker.why.signatures",
      values: { count: 3 },
    });
    const failing = breaker({ status: "open", buckets: [[100, 6, 5], [105, 4, 3]] });
    expect(breakerWhy(failing)).toEqual({ key: "support.breaker.why.failures", values: { failures: 8, calls: 10 } });
  });

  it("says a closed breaker without failures is healthy and one with failures how many", () => {
    expect(breakerWhy(breaker()).key).toBe("support.breaker.why.healthy");
    expect(breakerWhy(breaker({ buckets: [[100, 4, 1]] }))).toEqual({
      key: "support.breaker.why.closedWithFailures",
      values: { failures: 1, calls: 4 },
    });
  });
});
