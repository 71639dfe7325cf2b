// The one base of every screen: where the APIs are, the host's token callback, the catalogue,
// and the controllers that load data and run actions with their progress and errors shown.
import { LitElement, type PropertyValues, type ReactiveController, type TemplateResult, html, nothing } from "lit";
import { Api, ApiError, type TokenProvider, asApiError } from "./api.js";
import { type Catalogue, type MessageKey, catalogueFor, localeOf, msg } from "./messages.js";

export abstract class AcademyElement extends LitElement {
  static override properties = {
    apiBase: { type: String, attribute: "api-base" },
    releaseApiBase: { type: String, attribute: "release-api-base" },
    tokenProvider: { attribute: false },
  };

  /** Where the assessment API is; empty means the page's own origin. */
  apiBase = "";
  /** Where the release bridge's API is (support and release screens); empty: own origin. */
  releaseApiBase = "";
  /** Supplied by the host page: resolves to the signed-in user's bearer token. */
  tokenProvider: TokenProvider | undefined = undefined;

  /** The language of the nearest `lang` attribute (the page's by default). */
  get locale(): string {
    return localeOf(this);
  }

  get catalogue(): Catalogue {
    return catalogueFor(this.locale);
  }

  /** A message of the catalogue with its placeholders filled in. */
  t(key: MessageKey, values: Record<string, string | number> = {}): string {
    return msg(this.catalogue, key, values);
  }

  get api(): Api {
    return new Api(this.apiBase ?? "", this.tokenProvider, this.catalogue);
  }

  get releaseApi(): Api {
    return new Api(this.releaseApiBase ?? "", this.tokenProvider, this.catalogue);
  }

  /** "December 2, 2026" ("2 December 2026" in en-GB; UTC: certificates end on UTC days). */
  formatDate(iso: string | null | undefined): string {
    if (!iso) return "";
    return new Intl.DateTimeFormat(this.locale || "en", { dateStyle: "long", timeZone: "UTC" }).format(
      new Date(iso),
    );
  }

  /** "December 2, 2026 at 14:05 UTC" ("2 December 2026 at 14:05 UTC" in en-GB): instants
   *  in UTC on a 24-hour clock, like the API's own words. (Intl refuses `dateStyle` together
   *  with `timeZoneName`, so the parts are named.) */
  formatDateTime(iso: string | null | undefined): string {
    if (!iso) return "";
    return new Intl.DateTimeFormat(this.locale || "en", {
      year: "numeric",
      month: "long",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZone: "UTC",
      timeZoneName: "short",
    }).format(new Date(iso));
  }

  /** Load (or load again) what the screen shows; called once the token callback is set. */
  abstract reload(): Promise<void> | void;

  /** The properties whose change means loading again (subclasses add their own inputs). */
  protected reloadOn(): string[] {
    return ["tokenProvider", "apiBase", "releaseApiBase"];
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const inputs = this.reloadOn();
    if (this.tokenProvider && [...changed.keys()].some((key) => inputs.includes(String(key)))) {
      void this.reload();
    }
  }

  /** Tell the host something happened (`academy-…` events bubble out of the shadow root). */
  protected emit(name: string, detail: Record<string, unknown> = {}): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }
}

export type LoadState<T> =
  | { kind: "idle" }
  | { kind: "loading"; previous: T | null }
  | { kind: "ready"; value: T }
  | { kind: "failed"; error: ApiError };

/** Loads one thing for its host: aborts the previous load, renders loading/error/ready. */
export class Loader<T> implements ReactiveController {
  state: LoadState<T> = { kind: "idle" };
  private controller: AbortController | null = null;

  constructor(
    private readonly host: AcademyElement,
    private readonly fetcher: (signal: AbortSignal) => Promise<T>,
  ) {
    host.addController(this);
  }

  get value(): T | null {
    if (this.state.kind === "ready") return this.state.value;
    if (this.state.kind === "loading") return this.state.previous;
    return null;
  }

  hostDisconnected(): void {
    this.controller?.abort();
  }

  async run(): Promise<void> {
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    this.set({ kind: "loading", previous: this.value });
    try {
      const value = await this.fetcher(controller.signal);
      if (!controller.signal.aborted) this.set({ kind: "ready", value });
    } catch (error) {
      if (!controller.signal.aborted) {
        this.set({ kind: "failed", error: asApiError(error, this.host.catalogue) });
      }
    }
  }

  /** Loading, the error with "Try again", or `ready(value)`. */
  render(ready: (value: T) => TemplateResult | typeof nothing): TemplateResult | typeof nothing {
    const state = this.state;
    if (state.kind === "failed") return failure(this.host, state.error, () => void this.run());
    if (state.kind === "ready") return ready(state.value);
    if (state.kind === "loading" && state.previous !== null) return ready(state.previous);
    return loading(this.host.t("loading"));
  }

  private set(state: LoadState<T>): void {
    this.state = state;
    this.host.requestUpdate();
  }
}

/** One action at a time (submit, reset, release…): busy while it runs, its error kept. */
export class Action implements ReactiveController {
  busy = false;
  error: ApiError | null = null;

  constructor(private readonly host: AcademyElement) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** Run `work`; answers its result, or null when it failed (the error is then shown). */
  async run<T>(work: () => Promise<T>): Promise<T | null> {
    if (this.busy) return null;
    this.busy = true;
    this.error = null;
    this.host.requestUpdate();
    try {
      return await work();
    } catch (error) {
      this.error = asApiError(error, this.host.catalogue);
      return null;
    } finally {
      this.busy = false;
      this.host.requestUpdate();
    }
  }

  /** The spinner with `label` while busy, else the last error (without "Try again"). */
  render(label: string): TemplateResult | typeof nothing {
    if (this.busy) return loading(label);
    if (this.error) return failure(this.host, this.error);
    return nothing;
  }
}

/** A polite live region with a spinner: every long action and load shows one. */
export function loading(label: string): TemplateResult {
  return html`<div class="status" role="status">
    <span class="spinner" aria-hidden="true"></span>${label}
  </div>`;
}

/** An API error in words, with the refused fields listed and, when given, "Try again". */
export function failure(host: AcademyElement, error: ApiError, retry?: () => void): TemplateResult {
  return html`<div class="error" role="alert">
    <p>${error.message}</p>
    ${error.lines.length
      ? html`<ul>
          ${error.lines.map((line) => html`<li>${line}</li>`)}
        </ul>`
      : nothing}
    ${retry
      ? html`<button type="button" class="secondary" @click=${retry}>${host.t("error.retry")}</button>`
      : nothing}
  </div>`;
}

/** What a list says when it has nothing in it. */
export function empty(text: string): TemplateResult {
  return html`<p class="empty">${text}</p>`;
}

/** Define a custom element once (a page may load the kit twice). */
export function define(name: string, element: CustomElementConstructor): void {
  if (!customElements.get(name)) customElements.define(name, element);
}
