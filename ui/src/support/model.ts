// What the support screens read from the release bridge, and how a delivery, an attempt and a
// breaker are described in words: pure functions, unit-tested without a browser.
import type { MessageKey } from "../messages.js";

export type DeliveryStatus = "pending" | "held" | "parked" | "delivered";
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ["pending", "held", "parked", "delivered"];

/** One row of GET /v1/support/deliveries (the body and claim left out). */
export interface DeliverySummary {
  webhook_id: string;
  webhook_type: string;
  operator_id: string;
  jurisdiction: string;
  endpoint: string;
  status: DeliveryStatus;
  attempts: number;
  window_attempts: number;
  next_attempt_at: string;
  decided_at: string;
  delivered_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  stop_cause: string | null;
  updated_at: string;
}

/** One attempt of the delivery ledger (open while `finished_at` is null). */
export interface DeliveryAttempt {
  attempt: number;
  replica: string;
  started_at: string;
  finished_at: string | null;
  status_code: number | null;
  latency_ms: number | null;
  verdict: string | null;
  error_kind: string | null;
  error: string | null;
  response_excerpt: string | null;
  next_step: string | null;
}

/** GET /v1/support/deliveries/{id}: the row with its body and every attempt. */
export type DeliveryDetail = Omit<DeliverySummary, "attempts"> & {
  body: string;
  attempts: DeliveryAttempt[];
};

/** One breaker of GET /v1/support/breakers (its stored state spread in). */
export interface BreakerState {
  endpoint: string;
  status: "closed" | "open" | "half_open";
  changed_at: string | null;
  open_until: string | null;
  pinned: boolean;
  /** [unix second the bucket starts, calls, failures] */
  buckets: [number, number, number][];
  signature_rejections: number;
  probe_successes: number;
  updated_at: string;
}

/** A message key with its placeholders; `dates` are ISO times the screen formats itself. */
export interface Described {
  key: MessageKey;
  values?: Record<string, string | number>;
  dates?: Record<string, string>;
}

const STATUS_LABELS: Record<DeliveryStatus, MessageKey> = {
  pending: "support.status.pending",
  held: "support.status.held",
  parked: "support.status.parked",
  delivered: "support.status.delivered",
};

/** "Pending", "Held", … (an unknown status reads as itself through `support.status.other`). */
export function statusLabel(status: string): Described {
  return status in STATUS_LABELS
    ? { key: STATUS_LABELS[status as DeliveryStatus] }
    : { key: "support.status.other", values: { status } };
}

const PARK_CAUSES: Record<string, MessageKey> = {
  endpoint_gone: "support.delivery.parked.endpoint_gone",
  permanent_rejection: "support.delivery.parked.permanent_rejection",
  retry_window_exhausted: "support.delivery.parked.retry_window_exhausted",
};

/** Where a delivery stands and what happens next, in one sentence. */
export function deliveryState(delivery: DeliverySummary | DeliveryDetail): Described {
  const code = delivery.last_status_code ?? "";
  switch (delivery.status) {
    case "delivered":
      return { key: "support.delivery.delivered", dates: { at: delivery.delivered_at ?? delivery.updated_at } };
    case "held":
      return { key: "support.delivery.held" };
    case "parked": {
      const key = PARK_CAUSES[delivery.stop_cause ?? ""];
      return key
        ? { key, values: { code } }
        : { key: "support.delivery.parked.other", values: { cause: delivery.stop_cause ?? "" } };
    }
    case "pending": {
      const tried = Array.isArray(delivery.attempts) ? delivery.attempts.length : delivery.attempts;
      return tried === 0
        ? { key: "support.delivery.waiting", dates: { at: delivery.next_attempt_at } }
        : { key: "support.delivery.retrying", values: { count: tried }, dates: { at: delivery.next_attempt_at } };
    }
    default:
      return statusLabel(delivery.status);
  }
}

const NEXT_STEPS: Record<string, MessageKey> = {
  delivered: "support.attempt.delivered",
  retry: "support.attempt.retry",
  held: "support.attempt.held",
  parked: "support.attempt.parked",
  superseded: "support.attempt.superseded",
  abandoned: "support.attempt.abandoned",
};

/** What came of one attempt. */
export function attemptOutcome(attempt: DeliveryAttempt): Described {
  if (attempt.next_step === null) {
    return attempt.finished_at === null ? { key: "support.attempt.open" } : { key: "support.attempt.unknown" };
  }
  const key = NEXT_STEPS[attempt.next_step];
  return key ? { key } : { key: "support.attempt.other", values: { step: attempt.next_step } };
}

const ERROR_KINDS: Record<string, MessageKey> = {
  timeout: "support.attempt.noResponse.timeout",
  connect: "support.attempt.noResponse.connect",
  transport: "support.attempt.noResponse.transport",
  invalid_url: "support.attempt.noResponse.invalid_url",
};

/** The portal's answer: "HTTP 503", or why none came back. */
export function attemptAnswer(attempt: DeliveryAttempt): Described {
  if (attempt.status_code !== null) return { key: "support.attempt.http", values: { code: attempt.status_code } };
  if (attempt.finished_at === null) return { key: "support.attempt.waiting" };
  return { key: ERROR_KINDS[attempt.error_kind ?? ""] ?? "support.attempt.noResponse.other" };
}

const BREAKER_STATUSES: Record<BreakerState["status"], MessageKey> = {
  closed: "support.breaker.closed",
  open: "support.breaker.open",
  half_open: "support.breaker.half_open",
};

/** "Closed", "Open", "Half-open" (an unknown status reads as itself). */
export function breakerLabel(status: string): Described {
  return status in BREAKER_STATUSES
    ? { key: BREAKER_STATUSES[status as BreakerState["status"]] }
    : { key: "support.status.other", values: { status } };
}

/** Why the breaker is in its state: by hand, rejected signatures, or failures in the window. */
export function breakerWhy(breaker: BreakerState): Described {
  const calls = breaker.buckets.reduce((sum, [, n]) => sum + n, 0);
  const failures = breaker.buckets.reduce((sum, [, , n]) => sum + n, 0);
  if (breaker.pinned) {
    return { key: breaker.status === "open" ? "support.breaker.why.forcedOpen" : "support.breaker.why.forcedClosed" };
  }
  if (breaker.status === "half_open") {
    return { key: "support.breaker.why.probing", values: { successes: breaker.probe_successes } };
  }
  if (breaker.status === "open") {
    if (breaker.signature_rejections > 0) {
      return { key: "support.breaker.why.signatures", values: { count: breaker.signature_rejections } };
    }
    return calls > 0
      ? { key: "support.breaker.why.failures", values: { failures, calls } }
      : { key: "support.breaker.why.openedEarlier" };
  }
  return failures > 0
    ? { key: "support.breaker.why.closedWithFailures", values: { failures, calls } }
    : { key: "support.breaker.why.healthy" };
}
