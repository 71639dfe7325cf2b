// The support forms in a happy-dom window with a fake fetch: checked before sending, the
// confirmation's cancel sends nothing, an API refusal lands next to its field.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AcademyConfirm } from "../src/confirm.js";
import "../src/support/force-release.js";
import type { AcademyForceRelease } from "../src/support/force-release.js";

async function mounted(): Promise<AcademyForceRelease> {
  const element = document.createElement("academy-force-release");
  element.tokenProvider = async () => "t0k";
  document.body.append(element);
  await element.updateComplete;
  return element;
}

function field(element: AcademyForceRelease, name: string): HTMLInputElement {
  return element.shadowRoot!.querySelector<HTMLInputElement>(`#field-${name}`)!;
}

async function type(element: AcademyForceRelease, values: Record<string, string>): Promise<void> {
  for (const [name, value] of Object.entries(values)) {
    const input = field(element, name);
    input.value = value;
    input.dispatchEvent(new Event("input"));
  }
  await element.updateComplete;
}

async function submit(element: AcademyForceRelease): Promise<void> {
  element.shadowRoot!.querySelector<HTMLButtonElement>("button[type=submit]")!.click();
  await element.updateComplete;
}

/** The form's confirmation dialog once it is asking. */
async function asking(element: AcademyForceRelease): Promise<AcademyConfirm> {
  const dialog = element.shadowRoot!.querySelector<AcademyConfirm>("academy-confirm")!;
  await vi.waitFor(() => expect(dialog.shadowRoot!.querySelector("dialog form")).not.toBeNull());
  return dialog;
}

afterEach(() => {
  document.body.replaceChildren();
  vi.unstubAllGlobals();
});

describe("<academy-force-release>", () => {
  it("marks each missing field next to it and sends nothing", async () => {
    const fetch = vi.fn();
    vi.stubGlobal("fetch", fetch);
    const element = await mounted();
    await type(element, { jurisdiction: "mga" });

    await submit(element);

    for (const name of ["operator_id", "jurisdiction", "reason"]) {
      const input = field(element, name);
      expect(input.getAttribute("aria-invalid")).toBe("true");
      const error = element.shadowRoot!.querySelector(`#field-${name}-error`)!;
      expect(input.getAttribute("aria-describedby")!.split(" ")).toContain(error.id);
    }
    expect(element.shadowRoot!.querySelector("#field-jurisdiction-error")!.textContent).toContain("capital letters");
    expect(element.shadowRoot!.activeElement).toBe(field(element, "operator_id"));
    expect(fetch).not.toHaveBeenCalled();
  });

  it("asks before releasing, saying what is unlocked where, and cancelling sends nothing", async () => {
    const fetch = vi.fn();
    vi.stubGlobal("fetch", fetch);
    const element = await mounted();
    await type(element, { operator_id: "acme", jurisdiction: "MGA", reason: "ticket 42" });

    await submit(element);
    const dialog = await asking(element);
    expect(dialog.shadowRoot!.textContent).toContain("Tooling will be unlocked for acme in MGA");
    dialog.shadowRoot!.querySelector<HTMLButtonElement>("button.secondary")!.click();
    await element.updateComplete;

    expect(fetch).not.toHaveBeenCalled();
  });

  it("shows an unknown operator next to the field with the operator meant, to pick with one click", async () => {
    const fetch = vi.fn(
      async () =>
        new Response(
          JSON.stringify({
            error: "not_found",
            reason: "unknown_operator",
            detail: "no operator 'acme-casno'; did you mean 'acme-casino'?",
            did_you_mean: ["acme-casino"],
          }),
          { status: 404 },
        ),
    );
    vi.stubGlobal("fetch", fetch);
    const element = await mounted();
    await type(element, { operator_id: "acme-casno", jurisdiction: "MGA", reason: "ticket 42" });

    await submit(element);
    const dialog = await asking(element);
    dialog.shadowRoot!.querySelector<HTMLButtonElement>("button.primary")!.click();
    await vi.waitFor(() => expect(element.shadowRoot!.querySelector("#field-operator_id-error")).not.toBeNull());

    const [, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(JSON.parse(String(init.body))).toEqual({
      operator_id: "acme-casno",
      jurisdiction: "MGA",
      reason: "ticket 42",
      outside_go_live: false,
    });
    const error = element.shadowRoot!.querySelector("#field-operator_id-error")!;
    expect(error.textContent).toContain("did you mean 'acme-casino'");
    expect(element.shadowRoot!.querySelector("[role=alert]")!.textContent).toContain("Nothing was changed");
    const use = [...element.shadowRoot!.querySelectorAll("button")].find((b) => b.textContent === "Use acme-casino")!;
    use.click();
    await element.updateComplete;
    expect(field(element, "operator_id").value).toBe("acme-casino");
    expect(field(element, "operator_id").getAttribute("aria-invalid")).toBe("false");
  });

  it("offers a release outside the go-live jurisdictions once the bridge refused one, and confirms it", async () => {
    const refusal = {
      error: "conflict",
      reason: "outside_go_live",
      detail: "acme is going live in MGA, not GIB; pass outside_go_live: true (CLI --outside-go-live)",
      go_live: ["MGA"],
    };
    const released = { release_id: "rel-1", actor: "sam", outside_go_live: true };
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(new Response(JSON.stringify(refusal), { status: 409 }))
      .mockResolvedValueOnce(new Response(JSON.stringify(released), { status: 201 }))
      .mockResolvedValue(new Response(JSON.stringify({ error: "not_found", detail: "later" }), { status: 404 }));
    vi.stubGlobal("fetch", fetch);
    const element = await mounted();
    expect(element.shadowRoot!.querySelector("input[type=checkbox]")).toBeNull();
    await type(element, { operator_id: "acme", jurisdiction: "GIB", reason: "regulator asked" });

    await submit(element);
    (await asking(element)).shadowRoot!.querySelector<HTMLButtonElement>("button.primary")!.click();
    await vi.waitFor(() => expect(element.shadowRoot!.querySelector("#field-jurisdiction-error")).not.toBeNull());
    expect(element.shadowRoot!.querySelector("#field-jurisdiction-error")!.textContent).toBe(
      "acme is going live in MGA, not in GIB. To release GIB anyway, tick the box below and send again.",
    );
    const box = element.shadowRoot!.querySelector<HTMLInputElement>("input[type=checkbox]")!;
    box.click();
    await element.updateComplete;
    await submit(element);
    const dialog = await asking(element);
    expect(dialog.shadowRoot!.textContent).toContain("GIB is not one of acme's go-live jurisdictions");
    dialog.shadowRoot!.querySelector<HTMLButtonElement>("button.primary")!.click();
    await vi.waitFor(() => expect(element.shadowRoot!.querySelector(".result")).not.toBeNull());

    const [, init] = fetch.mock.calls[1] as unknown as [string, RequestInit];
    expect(JSON.parse(String(init.body))).toMatchObject({ jurisdiction: "GIB", outside_go_live: true });
    expect(element.shadowRoot!.querySelector(".result")!.textContent).toContain("rel-1");
  });
});
