// What the staff screens share: the event that says a view is ready, focus on a view's heading,
// and the styles of a screen's sections.
import { css } from "lit";

/** Emitted (bubbling, composed) by a staff screen each time it finished loading what it shows. */
export const VIEW_READY = "academy-view-ready";

/** Move focus to the first h2 of an element's shadow root (made focusable, not tabbable). */
export function focusHeading(element: Element | null | undefined): boolean {
  const heading = element?.shadowRoot?.querySelector<HTMLElement>("h2");
  if (!heading) return false;
  if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
  heading.focus();
  return true;
}

/** "compliance_officer" as words. */
export const roleWords = (role: string): string => role.replace(/_/g, " ");

export const screen = css`
  h2:focus {
    outline: none;
  }
  h2:focus-visible {
    outline: var(--academy-focus-ring, 3px solid #f2a900);
    outline-offset: 2px;
  }
  h3 {
    font-size: 1.05em;
    margin: calc(1.5 * var(--academy-spacing, 0.75rem)) 0 0.5em;
  }
  .meta {
    color: var(--academy-color-muted, #4a5360);
    margin: 0.35em 0;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: var(--academy-spacing, 0.75rem);
    align-items: center;
    margin-top: var(--academy-spacing, 0.75rem);
  }
  .done {
    color: var(--academy-color-success, #146c2e);
  }
  ul.plain {
    list-style: none;
    margin: 0;
    padding: 0;
  }
`;
