// The reference portal page: tabs, the academy elements (the kit from the assessment service,
// tokens from this portal's session), and the tooling panel kept current by Server-Sent Events.

const main = document.getElementById("portal");
const sessionEnded = document.querySelector(".session-ended");

// Until the staff screens' composite lands, the tracks list stands in for it.
const FALLBACKS = { "academy-learning": "academy-my-tracks" };

function showSessionEnded() {
  sessionEnded.hidden = false;
}

/** The signed-in person's bearer token, from this portal's session (null once it ended). */
async function portalToken() {
  const response = await fetch("/session/token", {
    headers: { Accept: "application/json" },
    cache: "no-store",
  });
  if (response.status === 401) {
    showSessionEnded();
    return null;
  }
  if (!response.ok) return null;
  return (await response.json()).access_token;
}

// --- tabs (WAI-ARIA tabs, automatic activation) -------------------------------------------
const tabs = [...document.querySelectorAll('[role="tab"]')];

function select(tab, { focus = false } = {}) {
  for (const other of tabs) {
    const selected = other === tab;
    other.setAttribute("aria-selected", String(selected));
    other.tabIndex = selected ? 0 : -1;
    document.getElementById(other.getAttribute("aria-controls")).hidden = !selected;
  }
  if (focus) tab.focus();
  history.replaceState(null, "", `#${tab.id.replace(/^tab-/, "")}`);
}

for (const tab of tabs) {
  tab.addEventListener("click", () => select(tab));
  tab.addEventListener("keydown", (event) => {
    const index = tabs.indexOf(tab);
    const next = {
      ArrowRight: tabs[(index + 1) % tabs.length],
      ArrowLeft: tabs[(index - 1 + tabs.length) % tabs.length],
      Home: tabs[0],
      End: tabs[tabs.length - 1],
    }[event.key];
    if (!next) return;
    event.preventDefault();
    select(next, { focus: true });
  });
}
const initial = tabs.find((tab) => `#${tab.id.replace(/^tab-/, "")}` === location.hash);
if (initial) select(initial);

// --- the certification screens ------------------------------------------------------------
function replaceWith(element, name) {
  const standIn = document.createElement(name);
  for (const attribute of element.attributes) standIn.setAttribute(attribute.name, attribute.value);
  element.replaceWith(standIn);
  return standIn;
}

async function placeElements() {
  const status = document.getElementById("kit-status");
  try {
    await import(main.dataset.kitUrl);
  } catch (error) {
    status.textContent = `The certification screens could not be loaded from ${main.dataset.kitUrl}: ${error.message}`;
    return;
  }
  const slots = document.querySelectorAll("#panel-certification .academy-slot > *");
  for (let element of slots) {
    const fallback = FALLBACKS[element.localName];
    if (!customElements.get(element.localName) && fallback && customElements.get(fallback)) {
      element = replaceWith(element, fallback);
    }
    element.tokenProvider = portalToken;
  }
  status.textContent = "";
}

// --- the tooling panel, re-read on every change the portal announces ----------------------
const tooling = document.getElementById("tooling");
const news = document.getElementById("tooling-news");

async function refreshTooling(announce) {
  const response = await fetch("/portal/tooling", { headers: { Accept: "text/html" }, cache: "no-store" });
  if (response.status === 401) {
    showSessionEnded();
    return;
  }
  if (!response.ok) return;
  tooling.innerHTML = await response.text();
  if (announce) news.textContent = `Licensing tooling updated: ${announce}.`;
}

function listen() {
  const source = new EventSource("/events");
  source.addEventListener("ready", () => {
    tooling.dataset.live = "connected";
    void refreshTooling(null);
  });
  source.addEventListener("tooling", (event) => {
    const change = JSON.parse(event.data);
    void refreshTooling(`${change.jurisdiction} ${change.state}`);
    refreshOverviews();
  });
  source.addEventListener("error", async () => {
    tooling.dataset.live = "reconnecting";
    if (source.readyState !== EventSource.CLOSED) return; // the browser reconnects by itself
    if ((await portalToken()) === null) return; // signed out: nothing to listen for
    setTimeout(listen, 2000);
  });
}

// The officer's overview shows readiness and releases: load it again when a certificate may
// have changed (an exam submitted on this page) or tooling was released.
function refreshOverviews() {
  for (const overview of document.querySelectorAll("academy-operator-overview")) {
    if (typeof overview.reload === "function") void overview.reload();
  }
}
document.addEventListener("academy-exam-submitted", refreshOverviews);

void placeElements();
listen();
