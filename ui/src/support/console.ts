// <academy-support-console>: the support team's tab: deliveries, breakers, force-release and the
// staff overrides on one screen; a forced release opens its delivery in the list.
import { css, html } from "lit";
import { AcademyElement, define } from "../element.js";
import { base } from "../styles.js";
import type { AcademyDeliveries } from "./deliveries.js";
import "./breakers.js";
import "./deliveries.js";
import "./force-release.js";
import "./overrides.js";

export class AcademySupportConsole extends AcademyElement {
  static override styles = [
    base,
    css`
      .console {
        display: grid;
        gap: calc(2 * var(--academy-spacing, 0.75rem));
      }
      .console > * {
        border-top: 1px solid var(--academy-color-border, #c9d1da);
        padding-top: var(--academy-spacing, 0.75rem);
      }
    `,
  ];

  /** The children load themselves once they have the token callback. */
  reload(): void {}

  private get deliveries(): AcademyDeliveries | null {
    return this.renderRoot.querySelector("academy-deliveries");
  }

  private onDeliverySelected(event: Event): void {
    const detail = (event as CustomEvent<{ webhookId?: string }>).detail;
    const list = this.deliveries;
    if (!detail?.webhookId || !list) return;
    list.scrollIntoView({ block: "start" });
    void list.show(detail.webhookId);
  }

  override render() {
    return html`<div
      class="console"
      @academy-delivery-selected=${this.onDeliverySelected}
      @academy-release-forced=${() => void this.deliveries?.reload()}
      @academy-breaker-reset=${() => void this.deliveries?.reload()}
    >
      <academy-deliveries
        .apiBase=${this.apiBase}
        .releaseApiBase=${this.releaseApiBase}
        .tokenProvider=${this.tokenProvider}
      ></academy-deliveries>
      <academy-breakers
        .apiBase=${this.apiBase}
        .releaseApiBase=${this.releaseApiBase}
        .tokenProvider=${this.tokenProvider}
      ></academy-breakers>
      <academy-force-release
        .apiBase=${this.apiBase}
        .releaseApiBase=${this.releaseApiBase}
        .tokenProvider=${this.tokenProvider}
      ></academy-force-release>
      <academy-staff-overrides
        .apiBase=${this.apiBase}
        .releaseApiBase=${this.releaseApiBase}
        .tokenProvider=${this.tokenProvider}
      ></academy-staff-overrides>
    </div>`;
  }
}

define("academy-support-console", AcademySupportConsole);

declare global {
  interface HTMLElementTagNameMap {
    "academy-support-console": AcademySupportConsole;
  }
}
