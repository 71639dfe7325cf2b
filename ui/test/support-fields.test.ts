// The support forms' checks before sending, and an API refusal split over the fields.
import { describe, expect, it } from "vitest";
import { errorFor } from "../src/api.js";
import { en } from "../src/messages.js";
import { type FieldRule, checkField, refusalFor, trimmed, validate } from "../src/support/fields.js";

const rules: FieldRule[] = [
  { name: "operator_id", kind: "operator", required: true },
  { name: "jurisdiction", kind: "jurisdiction", required: true },
  { name: "reason", kind: "reason", required: true },
];

describe("checkField", () => {
  it("requires a required field and lets an empty optional one through", () => {
    expect(checkField("  ", rules[0]!)).toBe("support.field.required");
    expect(checkField("", { name: "operator_id", kind: "operator", required: false })).toBeNull();
  });

  it("holds identifiers to the contracts' patterns", () => {
    expect(checkField("op with space", rules[0]!)).toBe("support.field.operatorFormat");
    expect(checkField("mga", rules[1]!)).toBe("support.field.jurisdictionFormat");
    expect(checkField("MGA", rules[1]!)).toBeNull();
    const track: FieldRule = { name: "track_key", kind: "track", required: true };
    expect(checkField("MGA.compliance_officer", track)).toBeNull();
    expect(checkField("MGA-compliance", track)).toBe("support.field.trackFormat");
    const staff: FieldRule = { name: "staff_id", kind: "staff", required: true };
    expect(checkField("00u1a2b3|x@y", staff)).toBeNull();
    expect(checkField("ann smith", staff)).toBe("support.field.staffFormat");
  });

  it("wants a reason of at least three characters once trimmed, and at most a thousand", () => {
    expect(checkField(" ok ", rules[2]!)).toBe("support.field.reasonShort");
    expect(checkField("ticket 42", rules[2]!)).toBeNull();
    expect(checkField("x".repeat(1001), rules[2]!)).toBe("support.field.reasonLong");
  });
});

describe("validate", () => {
  it("answers only the fields that have a problem", () => {
    expect(validate({ operator_id: "op-1", jurisdiction: "", reason: "ticket 42" }, rules)).toEqual({
      jurisdiction: "support.field.required",
    });
    expect(validate({ operator_id: "op-1", jurisdiction: "MGA", reason: "ticket 42" }, rules)).toEqual({});
  });

  it("sends values without surrounding spaces", () => {
    expect(trimmed({ operator_id: " op-1 ", reason: "why\n" })).toEqual({ operator_id: "op-1", reason: "why" });
  });
});

describe("refusalFor", () => {
  const fields = ["operator_id", "jurisdiction", "reason", "staff_id", "track_key"];

  it("puts a 422's problems next to their fields, path ones included, and keeps the rest", () => {
    const error = errorFor(
      422,
      {
        error: "invalid_request",
        detail: "fix the listed fields",
        problems: [
          { field: "jurisdiction", problem: "'XX' is not published by the catalogue; published: MGA" },
          { field: "path.staff_id", problem: "String should match pattern" },
          { field: "body", problem: "expected an object" },
        ],
      },
      en,
    );
    const refusal = refusalFor(error, fields);
    expect(refusal.fields).toEqual({
      jurisdiction: "'XX' is not published by the catalogue; published: MGA",
      staff_id: "String should match pattern",
    });
    expect(refusal.lines).toEqual(["body: expected an object"]);
  });

  it("puts an unknown operator next to the operator field with the ids meant", () => {
    const error = errorFor(
      404,
      {
        error: "not_found",
        reason: "unknown_operator",
        detail: "no operator 'acme-casno'; did you mean 'acme-casino'?",
        did_you_mean: ["acme-casino"],
      },
      en,
    );
    const refusal = refusalFor(error, fields);
    expect(refusal.fields).toEqual({ operator_id: "no operator 'acme-casno'; did you mean 'acme-casino'?" });
    expect(refusal.suggestions).toEqual({ operator_id: ["acme-casino"] });
    expect(refusal.lines).toEqual([]);
  });

  it("reads assessment's not-found codes as the field they are about", () => {
    const error = errorFor(404, { error: "staff_not_found", detail: "No staff member ann is known" }, en);
    expect(refusalFor(error, fields).fields).toEqual({ staff_id: "No staff member ann is known" });
    expect(refusalFor(error, ["operator_id"]).fields).toEqual({});
  });

  it("leaves a conflict to the summary", () => {
    const error = errorFor(409, { error: "conflict", detail: "tooling is already released" }, en);
    expect(refusalFor(error, fields)).toEqual({ fields: {}, lines: [], suggestions: {} });
  });
});
