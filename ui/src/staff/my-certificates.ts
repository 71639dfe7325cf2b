// <academy-my-certificates>: the learner's certificates with status, expiry and recertification,
// the printable copy (the service's own A4 page, fetched with the token, in a new window) and
// the public verification page.
import { css, html, nothing } from "lit";
import { type TrackSummary, seg } from "../api.js";
import { AcademyElement, Action, Loader, define, empty } from "../element.js";
import type { MessageKey } from "../messages.js";
import { base } from "../styles.js";
import { VIEW_READY, roleWords, screen } from "./shared.js";
import type { CertificateOut } from "./types.js";

/** How long a printable copy's blob URL lives: long enough for the new window to load it. */
const BLOB_LIFETIME_MS = 60_000;

export class AcademyMyCertificates extends AcademyElement {
  static override properties = {
    ...AcademyElement.properties,
    popupBlocked: { state: true },
  };

  static override styles = [
    base,
    screen,
    css`
      ul.certificates {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: var(--academy-spacing, 0.75rem);
      }
      ul.certificates > li {
        border: 1px solid var(--academy-color-border, #c9d1da);
        border-radius: var(--academy-radius, 6px);
        padding: 0 var(--academy-spacing, 0.75rem) var(--academy-spacing, 0.75rem);
      }
      dl {
        display: grid;
        grid-template-columns: max-content 1fr;
        gap: 0.25em 1em;
        margin: 0;
      }
      dt {
        font-weight: 600;
      }
      dd {
        margin: 0;
        overflow-wrap: anywhere;
      }
      .code {
        font-family: ui-monospace, "DejaVu Sans Mono", Consolas, monospace;
        letter-spacing: 0.06em;
      }
    `,
  ];

  protected popupBlocked = false;

  /** The certificates, and the titles of the tracks still assigned (a certificate has none). */
  private readonly certificates = new Loader(this, async (signal) => {
    const [list, tracks] = await Promise.all([
      this.api.get<{ certificates: CertificateOut[] }>("/v1/me/certificates", signal),
      this.api.get<{ tracks: TrackSummary[] }>("/v1/me/tracks", signal),
    ]);
    const titles = new Map(tracks.tracks.map((t) => [t.track_key, t.title]));
    return list.certificates.map((cert) => ({ cert, title: titles.get(cert.track_key) ?? null }));
  });

  private readonly printing = new Action(this);

  async reload(): Promise<void> {
    await this.certificates.run();
    if (this.certificates.state.kind !== "loading") this.emit(VIEW_READY, { view: "certificates" });
  }

  /** The public page anyone can open to check a certificate (no sign-in). */
  verificationUrl(code: string): string {
    return `${(this.apiBase ?? "").replace(/\/$/, "")}/v1/certificates/verify/${seg(code)}`;
  }

  /**
   * Open the printable copy: the window opens at once (inside the click, so no pop-up blocker
   * objects), then shows the service's A4 page fetched with the bearer token.
   */
  private async openPrintable(cert: CertificateOut): Promise<void> {
    this.popupBlocked = false;
    const popup = window.open("", "_blank");
    if (!popup) {
      this.popupBlocked = true;
      return;
    }
    const page = await this.printing.run(() =>
      this.api.page(`/v1/me/certificates/${seg(cert.certificate_id)}/printable`),
    );
    if (page === null) {
      popup.close();
      return;
    }
    const url = URL.createObjectURL(new Blob([page], { type: "text/html" }));
    popup.location.href = url;
    setTimeout(() => URL.revokeObjectURL(url), BLOB_LIFETIME_MS);
  }

  private renderCertificate({ cert, title }: { cert: CertificateOut; title: string | null }, index: number) {
    const track = title ?? this.t("certs.track", { jurisdiction: cert.jurisdiction, role: roleWords(cert.role) });
    const id = `cert-${index}`;
    const current = cert.status === "valid" || cert.status === "not_yet_valid";
    return html`<li>
      <h3 id=${id}>${track}</h3>
      <dl>
        <dt>${this.t("certs.status")}</dt>
        <dd class=${cert.status === "valid" ? "ok" : ""}>${this.t(`certs.status.${cert.status}` as MessageKey)}</dd>
        <dt>${this.t("certs.passed")}</dt>
        <dd>${this.formatDate(cert.passed_at)}</dd>
        <dt>${this.t("certs.expires")}</dt>
        <dd>${this.formatDate(cert.expires_at)}</dd>
        ${current
          ? html`<dt>${this.t("certs.recert")}</dt>
              <dd>${this.formatDate(cert.recert_window_opens_at)}</dd>`
          : nothing}
        ${cert.revoked_at
          ? html`<dt>${this.t("certs.revoked")}</dt>
              <dd>${this.formatDate(cert.revoked_at)}</dd>
              ${cert.revocation_reason
                ? html`<dt>${this.t("certs.revocationReason")}</dt>
                    <dd>${cert.revocation_reason}</dd>`
                : nothing}`
          : nothing}
        <dt>${this.t("certs.code")}</dt>
        <dd class="code">${cert.verification_code}</dd>
      </dl>
      <div class="actions">
        <button
          type="button"
          class="secondary"
          aria-label=${this.t("certs.printableOf", { track })}
          @click=${() => this.openPrintable(cert)}
        >
          ${this.t("certs.printable")}
        </button>
        <a
          href=${this.verificationUrl(cert.verification_code)}
          target="_blank"
          rel="noopener noreferrer"
          aria-label=${this.t("certs.verifyOf", { track })}
          >${this.t("certs.verify")}</a
        >
      </div>
    </li>`;
  }

  override render() {
    const busy = this.certificates.state.kind === "loading" || this.certificates.state.kind === "idle";
    return html`<section aria-labelledby="heading" aria-busy=${busy ? "true" : "false"}>
      <h2 id="heading">${this.t("certs.heading")}</h2>
      ${this.printing.render(this.t("certs.opening"))}
      ${this.popupBlocked ? html`<p class="error" role="alert">${this.t("certs.popupBlocked")}</p>` : nothing}
      ${this.certificates.render((certificates) =>
        certificates.length === 0
          ? empty(this.t("certs.empty"))
          : html`<ul class="certificates">
              ${certificates.map((entry, index) => this.renderCertificate(entry, index))}
            </ul>`,
      )}
    </section>`;
  }
}

define("academy-my-certificates", AcademyMyCertificates);

declare global {
  interface HTMLElementTagNameMap {
    "academy-my-certificates": AcademyMyCertificates;
  }
}
