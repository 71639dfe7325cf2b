// <academy-confirm>: the confirmation step of a consequential action, optionally asking for a
// reason (overrides are audited with theirs). A modal <dialog>: focus moves in, Escape cancels.
import { LitElement, css, html, nothing } from "lit";
import { define } from "./element.js";
import { type Catalogue, catalogueFor, localeOf, msg } from "./messages.js";
import { base } from "./styles.js";

export interface ConfirmOptions {
  heading: string;
  /** What will happen, in a sentence or two. */
  body?: string;
  confirmLabel: string;
  /** When set, a reason is asked for under this label and required. */
  reasonLabel?: string;
}

export class AcademyConfirm extends LitElement {
  static override properties = {
    options: { state: true },
    reasonMissing: { state: true },
  };

  static override styles = [
    base,
    css`
      dialog {
        border: 1px solid var(--academy-color-border, #c9d1da);
        border-radius: var(--academy-radius, 6px);
        padding: calc(2 * var(--academy-spacing, 0.75rem));
        max-width: 32rem;
        color: inherit;
        background: var(--academy-color-surface, #ffffff);
      }
      dialog::backdrop {
        background: rgb(0 0 0 / 0.4);
      }
      textarea {
        width: 100%;
        box-sizing: border-box;
        font: inherit;
        margin-top: 0.25em;
      }
      .actions {
        display: flex;
        gap: var(--academy-spacing, 0.75rem);
        justify-content: flex-end;
        margin-top: var(--academy-spacing, 0.75rem);
      }
    `,
  ];

  protected options: ConfirmOptions | null = null;
  protected reasonMissing = false;
  private settle: ((reason: string | null) => void) | null = null;

  private get catalogue(): Catalogue {
    return catalogueFor(localeOf(this));
  }

  /** Show the dialog; resolves to the reason ("" when none is asked) or null when cancelled. */
  async ask(options: ConfirmOptions): Promise<string | null> {
    this.settle?.(null);
    this.options = options;
    this.reasonMissing = false;
    await this.updateComplete;
    const dialog = this.renderRoot.querySelector("dialog");
    const reason = this.renderRoot.querySelector("textarea");
    if (reason) reason.value = "";
    dialog?.showModal();
    (reason ?? this.renderRoot.querySelector<HTMLButtonElement>("button.primary"))?.focus();
    return new Promise((resolve) => {
      this.settle = resolve;
    });
  }

  private close(result: string | null): void {
    this.renderRoot.querySelector("dialog")?.close();
    const settle = this.settle;
    this.settle = null;
    settle?.(result);
  }

  private confirm(event: Event): void {
    event.preventDefault();
    const reason = this.renderRoot.querySelector("textarea");
    if (reason && !reason.value.trim()) {
      this.reasonMissing = true;
      reason.focus();
      return;
    }
    this.close(reason ? reason.value.trim() : "");
  }

  override render() {
    const options = this.options;
    const c = this.catalogue;
    return html`<dialog
      aria-labelledby="confirm-heading"
      aria-describedby="confirm-body"
      @cancel=${() => this.close(null)}
    >
      ${options
        ? html`<form @submit=${this.confirm}>
            <h2 id="confirm-heading">${options.heading}</h2>
            <p id="confirm-body">${options.body ?? ""}</p>
            ${options.reasonLabel
              ? html`<label for="confirm-reason">${options.reasonLabel}</label>
                  <textarea
                    id="confirm-reason"
                    rows="3"
                    maxlength="500"
                    aria-required="true"
                    aria-invalid=${this.reasonMissing ? "true" : "false"}
                    aria-describedby=${this.reasonMissing ? "confirm-reason-error" : nothing}
                  ></textarea>
                  ${this.reasonMissing
                    ? html`<p id="confirm-reason-error" class="field-error" role="alert">
                        ${msg(c, "confirm.reasonRequired")}
                      </p>`
                    : nothing}`
              : nothing}
            <div class="actions">
              <button type="button" class="secondary" @click=${() => this.close(null)}>
                ${msg(c, "confirm.cancel")}
              </button>
              <button type="submit" class="primary">${options.confirmLabel}</button>
            </div>
          </form>`
        : nothing}
    </dialog>`;
  }
}

define("academy-confirm", AcademyConfirm);

declare global {
  interface HTMLElementTagNameMap {
    "academy-confirm": AcademyConfirm;
  }
}
