// <academy-breakers>: the circuit breaker in front of each portal endpoint (closed, open or
// half-open; why; since when; when the cool-down ends), with "Reset" behind a confirmation.
import { type TemplateResult, css, html, nothing } from "lit";
import { seg } from "../api.js";
import "../confirm.js";
import type { AcademyConfirm } from "../confirm.js";
import { AcademyElement, Action, Loader, define, empty } from "../element.js";
import { base } from "../styles.js";
import { say } from "./form.js";
import { type BreakerState, breakerLabel, breakerWhy } from "./model.js";
import { formStyles } from "./styles.js";

interface BreakerMoved {
  endpoint: string;
  from: string;
  to: string;
}

export class AcademyBreakers extends AcademyElement {
  static override properties = { ...AcademyElement.properties, notice: { state: true } };

  static override styles = [
    base,
    formStyles,
    css`
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: var(--academy-spacing, 0.75rem);
      }
      li {
        border: 1px solid var(--academy-color-border, #c9d1da);
        border-radius: var(--academy-radius, 6px);
        padding: var(--academy-spacing, 0.75rem);
      }
      h3 {
        margin: 0 0 0.5em;
        font-size: 1.05em;
        overflow-wrap: anywhere;
      }
    `,
  ];

  /** What the last reset did, in words. */
  protected notice = "";
  private readonly reset = new Action(this);
  private readonly breakers = new Loader<BreakerState[]>(this, (signal) =>
    this.releaseApi.get<BreakerState[]>("/v1/support/breakers", signal),
  );

  reload(): Promise<void> {
    return this.breakers.run();
  }

  private async askReset(breaker: BreakerState, trigger: HTMLElement): Promise<void> {
    const dialog = this.renderRoot.querySelector<AcademyConfirm>("academy-confirm");
    const reason = await dialog?.ask({
      heading: this.t("support.breakers.confirmHeading", { endpoint: breaker.endpoint }),
      body: this.t("support.breakers.confirmBody", {
        endpoint: breaker.endpoint,
        status: say(this, breakerLabel(breaker.status)),
      }),
      confirmLabel: this.t("support.breakers.reset"),
      reasonLabel: this.t("support.field.reason"),
    });
    trigger.focus();
    if (reason === null || reason === undefined) return;
    this.notice = "";
    const moved = await this.reset.run(() =>
      this.releaseApi.post<BreakerMoved>(`/v1/support/breakers/${seg(breaker.endpoint)}/reset`, { reason }),
    );
    if (moved === null) return;
    this.notice = this.t("support.breakers.done", {
      endpoint: moved.endpoint,
      from: say(this, breakerLabel(moved.from)),
      to: say(this, breakerLabel(moved.to)),
    });
    this.emit("academy-breaker-reset", { endpoint: moved.endpoint, from: moved.from, to: moved.to });
    await this.breakers.run();
  }

  private renderBreaker(breaker: BreakerState, index: number): TemplateResult {
    const id = `breaker-${index}`;
    const coolDown = breaker.status === "open" && !breaker.pinned && breaker.open_until;
    return html`<li aria-labelledby="${id}-name">
      <h3 id="${id}-name">${breaker.endpoint}</h3>
      <dl>
        <dt>${this.t("support.breakers.state")}</dt>
        <dd><strong>${say(this, breakerLabel(breaker.status))}</strong></dd>
        <dt>${this.t("support.breakers.why")}</dt>
        <dd>${say(this, breakerWhy(breaker))}</dd>
        <dt>${this.t("support.breakers.since")}</dt>
        <dd>${breaker.changed_at ? this.formatDateTime(breaker.changed_at) : this.t("support.breakers.always")}</dd>
        ${coolDown
          ? html`<dt>${this.t("support.breakers.coolDown")}</dt>
              <dd>${this.formatDateTime(breaker.open_until)}</dd>`
          : nothing}
      </dl>
      <button
        type="button"
        class="secondary"
        aria-describedby="${id}-name"
        ?disabled=${this.reset.busy}
        @click=${(event: Event) => void this.askReset(breaker, event.currentTarget as HTMLElement)}
      >${this.t("support.breakers.reset")}</button>
    </li>`;
  }

  override render() {
    const busy = this.breakers.state.kind !== "ready" && this.breakers.state.kind !== "failed";
    return html`<section aria-labelledby="heading" aria-busy=${busy ? "true" : "false"}>
      <h2 id="heading">${this.t("support.breakers.heading")}</h2>
      <p class="intro">${this.t("support.breakers.intro")}</p>
      <div class="outcome">
        ${this.reset.render(this.t("support.breakers.busy"))}
        ${this.notice && !this.reset.busy ? html`<p class="ok" role="status">${this.notice}</p>` : nothing}
      </div>
      ${this.breakers.render((breakers) =>
        breakers.length === 0
          ? empty(this.t("support.breakers.empty"))
          : html`<ul>
              ${breakers.map((breaker, index) => this.renderBreaker(breaker, index))}
            </ul>`,
      )}
      <div class="actions">
        <button type="button" class="secondary" @click=${() => void this.reload()}>
          ${this.t("support.breakers.refresh")}
        </button>
      </div>
      <academy-confirm></academy-confirm>
    </section>`;
  }
}

define("academy-breakers", AcademyBreakers);

declare global {
  interface HTMLElementTagNameMap {
    "academy-breakers": AcademyBreakers;
  }
}
